package life.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import life.forecast.Forecaster;
import life.serving.Arrivals;
import life.serving.Engine;
import life.serving.Simulator;
import life.serving.TraceFile;
import life.serving.Workload;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code life serve}: one replica under a stream of requests, simulated step by step. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Simulate one serving replica under load (continuous batching, chunked prefill, paged KV cache, "
        + "preemption by recompute) and report throughput and latency percentiles.",
        "Lengths: N, uniform:LO-HI, normal:MEAN/SD or lognormal:MEAN/SD tokens, drawn per request from --seed."})
final class ServeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "ID|config.json",
      description = "Built-in model id (see `life catalog models`) or a path to a Hugging Face config.json.")
  String model;

  @Option(names = "--hardware", required = true, paramLabel = "ID|file.csv",
      description = "Device id (see `life catalog hardware`); with --parallel, each of the replica's devices.")
  String hardware;

  @Mixin HardwareOptions hw = new HardwareOptions();

  @Mixin OptimizationOptions opt = new OptimizationOptions();

  @Option(names = {"--stack", "--backend"}, defaultValue = "auto", paramLabel = "ENGINE/API[@VERSION]",
      description = "Serving stack (default ${DEFAULT-VALUE}); its engine sets the scheduler's defaults.")
  String stack;

  @Option(names = "--prompt", defaultValue = "1024", paramLabel = "LENGTHS",
      description = "Prompt tokens per request (default ${DEFAULT-VALUE}).")
  String prompt;

  @Option(names = "--output", defaultValue = "128", paramLabel = "LENGTHS",
      description = "Output tokens per request (default ${DEFAULT-VALUE}).")
  String output;

  /** How requests arrive: exactly one way. */
  static final class Load {
    @Option(names = "--qps", paramLabel = "RATE", description = "Poisson arrivals at RATE requests/s.")
    Double qps;

    @Option(names = "--concurrency", paramLabel = "N", description = "N clients, each sending its next request when "
        + "its last one finishes.")
    Integer concurrency;

    @Option(names = "--max-load", description = "Every request at time 0 (the largest throughput).")
    boolean maxLoad;

    @Option(names = "--trace", paramLabel = "FILE.csv", description = "Requests as recorded: columns arrival_s, "
        + "prompt_tokens, output_tokens (--prompt, --output and --requests are not used).")
    Path trace;
  }

  @ArgGroup(exclusive = true, multiplicity = "1") Load load;

  @Option(names = "--requests", defaultValue = "1000", paramLabel = "N",
      description = "Requests to simulate, 1 to " + Workload.MAX_REQUESTS + " (default ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--seed", defaultValue = "1",
      description = "Seed of arrivals and lengths (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--max-batched-tokens", paramLabel = "N", description = "Token budget of one step (default: the "
      + "engine's, see catalog/serving-defaults.csv).")
  Integer maxBatchedTokens;

  @Option(names = "--max-seqs", paramLabel = "N", description = "Running sequences at most (default: the engine's).")
  Integer maxSeqs;

  @Option(names = "--block-tokens", paramLabel = "N", description = "Tokens per KV-cache block (default: the "
      + "engine's).")
  Integer blockTokens;

  @Option(names = "--memory-fraction", paramLabel = "F", description = "Share of device memory for weights, "
      + "activations and KV cache, in (0, 1] (default: the engine's).")
  Double memoryFraction;

  @Option(names = "--chunked-prefill", paramLabel = "on|off", description = "Split prompts into chunks that share "
      + "steps with decodes (default on).")
  String chunkedPrefill;

  @Option(names = "--slo-ttft-ms", defaultValue = "0", paramLabel = "MS",
      description = "TTFT objective for goodput, 0 for none (default ${DEFAULT-VALUE}).")
  double sloTtftMs;

  @Option(names = "--slo-tpot-ms", defaultValue = "0", paramLabel = "MS",
      description = "TPOT objective for goodput, 0 for none (default ${DEFAULT-VALUE}).")
  double sloTpotMs;

  @Option(names = "--format", defaultValue = "table", description = "table or json (default ${DEFAULT-VALUE}).")
  String format;

  @Override
  public Integer call() throws Exception {
    if (!List.of("table", "json").contains(format)) {
      throw new UsageError("--format must be table or json; got '" + format + "'");
    }
    Map<String, String> t = new LinkedHashMap<>();
    t.put("model", model);
    t.put("hardware", hardware);
    t.put("stack", stack);
    life.scenario.Setup setup;
    try {
      opt.into(t);
      setup = life.scenario.ScenarioText.setup(t, hw.catalog(), null);
    } catch (life.scenario.ScenarioText.Bad e) {
      throw new UsageError("--" + e.key().replace('_', '-') + ": " + e.getMessage());
    }
    life.scenario.Built b = setup.build();
    if (b instanceof life.scenario.Built.Unsupported u) {
      throw new IllegalArgumentException(u.reason());
    }
    Forecaster f = ((life.scenario.Built.Ready) b).forecaster();
    Engine e;
    Workload w;
    Simulator.Slo slo;
    try {
      Boolean chunked = chunkedPrefill == null ? null : switch (chunkedPrefill) {
        case "on" -> true;
        case "off" -> false;
        default -> throw new IllegalArgumentException("--chunked-prefill must be on or off, got '" + chunkedPrefill
            + "'");
      };
      e = Engine.defaults(setup.stack(), setup.device()).with(maxBatchedTokens, maxSeqs, blockTokens, memoryFraction,
          chunked);
      if (load.trace != null) {
        w = Workload.of(TraceFile.read(load.trace));
      } else {
        Arrivals a = load.qps != null ? new Arrivals.Poisson(load.qps)
            : load.concurrency != null ? new Arrivals.Concurrency(load.concurrency) : new Arrivals.MaxLoad();
        w = Workload.of(a, prompt, output, requests, seed);
      }
      slo = new Simulator.Slo(sloTtftMs, sloTpotMs);
    } catch (IllegalArgumentException ex) {
      throw new UsageError(ex.getMessage());
    }
    Simulator.Result r = Simulator.run(f, e, w, slo);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", f.graph().spec().id());
    out.put("hardware", f.hardware().id());
    out.put("parallel", f.graph().options().parallel().id());
    out.put("stack", setup.stack().id());
    out.put("arrivals", w.arrivals().id());
    out.putAll(r.values());
    out.put("max_batched_tokens", e.maxBatchedTokens());
    out.put("max_seqs", e.maxSeqs());
    out.put("memory_fraction", e.memoryFraction());
    out.put("chunked_prefill", e.chunkedPrefill());
    out.put("engine_defaults_source", e.source());
    print(spec.commandLine().getOut(), out);
    if (r.saturated()) {
      spec.commandLine().getErr().println("life: saturated: the replica serves fewer requests than arrive (the queue "
          + "grows without bound); latencies depend on --requests");
    }
    return 0;
  }

  private void print(PrintWriter out, Map<String, Object> values) throws Exception {
    if (format.equals("json")) {
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(values));
    } else {
      int w = values.keySet().stream().mapToInt(String::length).max().orElse(10);
      values.forEach((k, v) -> out.printf("%-" + w + "s  %s%n", k, Fmt.num(v)));
    }
    out.flush();
  }
}
