package life.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import life.forecast.Forecast;
import life.forecast.ForecastColumns;
import life.forecast.Forecaster;
import life.forecast.OpTiming;
import life.forecast.Request;
import life.spec.Limits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code life forecast}: one model on one device for one request shape. */
@Command(name = "forecast", mixinStandardHelpOptions = true,
    description = "Forecast TTFT, TPOT, TPS, E2E latency and memory of one request.")
final class ForecastCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "ID|config.json",
      description = "Built-in model id (see `life catalog models`) or a path to a Hugging Face config.json.")
  String model;

  @Option(names = "--hardware", required = true, paramLabel = "ID|file.csv",
      description = "Device id (see `life catalog hardware`) or a one-device CSV in the catalog schema.")
  String hardware;

  @Mixin HardwareOptions hw = new HardwareOptions();

  @Option(names = "--prompt", defaultValue = "1024", paramLabel = "TOKENS", description = "Prompt tokens per "
      + "sequence, 0 to " + Limits.MAX_TOKENS + " (default ${DEFAULT-VALUE}).")
  String prompt;

  @Option(names = "--output", defaultValue = "128", paramLabel = "TOKENS", description = "Output tokens per "
      + "sequence, 1 to " + Limits.MAX_TOKENS + " (default ${DEFAULT-VALUE}).")
  String output;

  @Option(names = "--batch", defaultValue = "1", paramLabel = "N", description = "Sequences processed together, 1 to "
      + Limits.MAX_BATCH + " (default ${DEFAULT-VALUE}).")
  String batch;

  @Mixin OptimizationOptions opt = new OptimizationOptions();

  @Option(names = "--overlap", defaultValue = "operator",
      description = "operator: per-operator roofline; phase: the paper's sum-then-max per phase (default ${DEFAULT-VALUE}).")
  String overlap;

  @Option(names = "--counting", defaultValue = "causal",
      description = "causal: causal attention, last-token LM head; paper: the LIFE paper's conventions "
          + "(full attention scores, LM head on every prompt token, whole embedding table, KV rewrite) "
          + "(default ${DEFAULT-VALUE}).")
  String counting;

  @Option(names = {"--stack", "--backend"}, defaultValue = "auto", paramLabel = "ENGINE/API[@VERSION]",
      description = "Serving stack: none, auto (the device's usual stack), or engine/api[@version], e.g. "
          + "llama.cpp/cuda, llama.cpp/cuda@2024-05, vllm/cuda@0.8.0 (see `life catalog stacks`; default "
          + "${DEFAULT-VALUE}).")
  String stack;

  @Option(names = "--flash-attn", paramLabel = "on|off", description = "Flash attention (default: the stack's).")
  String flashAttn;

  @Option(names = "--graphs", paramLabel = "on|off", description = "CUDA/HIP graph replay (default: the stack's).")
  String graphs;

  @Option(names = "--prompt-batch", paramLabel = "TOKENS", description = "Tokens submitted at once (llama.cpp's -b), "
      + "whose micro-batches a layer split pipelines, 0 (the whole prompt) to " + Limits.MAX_TOKENS + ".")
  String promptBatch;

  @Option(names = "--moe-routing", paramLabel = "host|device", description = "Where MoE layers route tokens.")
  String moeRouting;

  @Option(names = "--kv-reads", paramLabel = "MODE",
      description = "Decode's reads of a query group's K/V without flash: per-kv-head, per-query-head, paged-v1.")
  String kvReads;

  @Option(names = "--kv-store", paramLabel = "append|concat", description = "How the KV cache grows.")
  String kvStore;

  @Option(names = "--scores", paramLabel = "fp32|act", description = "Type of unfused attention scores.")
  String scores;

  @Option(names = "--waves", paramLabel = "on|off",
      description = "A batch whose KV cache does not fit runs in waves (serving engines' admission).")
  String waves;

  @Option(names = "--matrix-units", paramLabel = "all|none|not:PREFIX", description = "Where the stack's matrix "
      + "products use the device's matrix units (tensor cores, XMX, WMMA): all, none, or not:PREFIX[+PREFIX] for all "
      + "but devices whose id starts so; elsewhere they run at the fp32 peak (default: the stack's).")
  String matrixUnits;

  @Option(names = "--all-reduce", paramLabel = "ring|one-kernel", description = "How a tensor-parallel all-reduce "
      + "runs: NCCL/RCCL's ring (2(N-1) steps) or one kernel over peer memory (vLLM's, TensorRT-LLM's custom "
      + "all-reduce) (default: the stack's).")
  String allReduce;

  @Option(names = "--context", defaultValue = "0", paramLabel = "TOKENS", description = "Tokens already cached "
      + "before the prompt (llama-bench's -d), 0 to " + Limits.MAX_TOKENS + " (default ${DEFAULT-VALUE}).")
  String context;

  @Option(names = "--same-prompt", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
      description = "Every sequence of the batch is a copy of one prompt, decoded alike (a mixture of experts routes "
          + "the batch like one sequence).")
  String samePrompt;

  @Option(names = "--efficiencies", defaultValue = "stack", paramLabel = "stack|kind",
      description = "stack: the stack's fitted defaults where there are some; kind: the device kind's only.")
  String efficiencies;

  @Option(names = "--compute-eff", description = "Fraction of peak compute reached, in (0, 1] (default: catalog).")
  Double computeEff;

  @Option(names = "--mem-eff", description = "Fraction of peak bandwidth reached, in (0, 1] (default: catalog).")
  Double memEff;

  @Option(names = "--dispatch-us", description = "Overhead per kernel dispatch in microseconds (default: catalog).")
  Double dispatchUs;

  @Option(names = "--breakdown", description = "Add per-operator rows for prefill and the mean decode step.")
  boolean breakdown;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default ${DEFAULT-VALUE}).")
  String format;

  /** The command's options as scenario text. */
  java.util.Map<String, String> text() {
    java.util.Map<String, String> t = new LinkedHashMap<>();
    t.put("model", model);
    t.put("hardware", hardware);
    t.put("stack", stack);
    opt.into(t);
    put(t, "flash_attn", flashAttn);
    put(t, "graphs", graphs);
    put(t, "prompt_batch", promptBatch);
    put(t, "moe_routing", moeRouting);
    put(t, "kv_reads", kvReads);
    put(t, "kv_store", kvStore);
    put(t, "scores", scores);
    put(t, "waves", waves);
    put(t, "matrix_units", matrixUnits);
    put(t, "all_reduce", allReduce);
    t.put("overlap", overlap);
    t.put("counting", counting);
    put(t, "same_prompt", samePrompt);
    t.put("efficiencies", efficiencies);
    put(t, "compute_eff", computeEff == null ? null : String.valueOf(computeEff));
    put(t, "mem_eff", memEff == null ? null : String.valueOf(memEff));
    put(t, "dispatch_us", dispatchUs == null ? null : String.valueOf(dispatchUs));
    t.put("prompt", prompt);
    t.put("output", output);
    t.put("batch", batch);
    t.put("context", context);
    return t;
  }

  /**
   * After a time or rate field, its 80 % interval ({@code NAME_lo}, {@code NAME_hi}) from the held-out errors of
   * forecasts on the same basis (fitted stack defaults or the kind's), stack and phase ({@link life.stack.Intervals});
   * nothing where no band applies.
   */
  private static void interval(Map<String, Object> values, String name, String stackName,
      life.stack.Intervals.Basis basis) {
    life.stack.Intervals.Phase phase = life.stack.Intervals.COLUMNS.get(name);
    if (phase == null || !(values.get(name) instanceof Double v) || !Double.isFinite(v)) {
      return;
    }
    life.stack.Intervals.Band b = life.stack.Intervals.of(basis, stackName, phase);
    if (b == null) {
      return;
    }
    double[] lohi = life.stack.Intervals.interval(name, v, b);
    values.put(name + "_lo", lohi[0]);
    values.put(name + "_hi", lohi[1]);
  }

  private static void put(java.util.Map<String, String> t, String k, String v) {
    if (v != null) {
      t.put(k, v);
    }
  }

  @Override
  public Integer call() throws Exception {
    if (!List.of("table", "csv", "json").contains(format)) {
      throw new UsageError("--format must be one of table, csv, json; got '" + format + "'");
    }
    life.scenario.Scenario sc;
    try {
      sc = life.scenario.ScenarioText.parse(text(), hw.catalog());
    } catch (life.scenario.ScenarioText.Bad e) {
      throw new UsageError("--" + e.key().replace('_', '-') + ": " + e.getMessage());
    }
    life.scenario.Built b = sc.setup().build();
    if (b instanceof life.scenario.Built.Unsupported u) {
      throw new IllegalArgumentException(u.reason());
    }
    Forecaster f = ((life.scenario.Built.Ready) b).forecaster();
    Request r = sc.request();
    Forecast fc = f.forecast(r);
    List<OpTiming> rows = breakdown ? f.breakdown(r) : List.of();
    print(spec.commandLine().getOut(), fc, f.graph().options().parallel().id(), rows);
    return 0;
  }

  private void print(PrintWriter out, Forecast fc, String parallel, List<OpTiming> rows) throws Exception {
    Map<String, Object> values = new LinkedHashMap<>();
    String stackName = fc.stack().replaceFirst("@.*$", "");
    for (ForecastColumns.Column c : ForecastColumns.ALL) {
      values.put(c.name(), c.get().apply(fc));
      interval(values, c.name(), stackName, life.stack.Intervals.Basis.of(fc.efficiencies()));
      if (c.name().equals("hardware")) {
        // The devices the forecast spreads the model over; memory columns are per device.
        values.put("parallel", parallel);
      }
    }
    switch (format) {
      case "json" -> {
        Map<String, Object> obj = new LinkedHashMap<>(values);
        if (breakdown) {
          List<Map<String, Object>> list = new ArrayList<>();
          for (OpTiming t : rows) {
            list.add(breakdownRow(t));
          }
          obj.put("breakdown", list);
        }
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(obj));
      }
      case "csv" -> {
        if (breakdown) {
          out.println(String.join(",", breakdownRow(rows.get(0)).keySet()));
          for (OpTiming t : rows) {
            out.println(String.join(",", breakdownRow(t).values().stream().map(String::valueOf).toList()));
          }
        } else {
          out.println(String.join(",", values.keySet()));
          out.println(String.join(",", values.values().stream().map(String::valueOf).toList()));
        }
      }
      default -> {
        int w = values.keySet().stream().mapToInt(String::length).max().orElse(10);
        values.forEach((k, v) -> out.printf("%-" + w + "s  %s%n", k, Fmt.num(v)));
        if (breakdown) {
          out.println();
          out.printf("%-8s %-14s %-16s %-12s %6s %12s %12s %12s %-7s%n", "phase", "layers", "op", "class", "count",
              "gops", "gb", "time_ms", "bound");
          for (OpTiming t : rows) {
            out.printf("%-8s %-14s %-16s %-12s %6d %12s %12s %12s %-7s%n", t.phase(), t.layers(), t.op(),
                t.opClass().id(), t.count(), Fmt.num(t.gops()), Fmt.num(t.gb()), Fmt.num(t.timeMs()),
                t.bound().id());
          }
        }
      }
    }
    out.flush();
  }

  private static Map<String, Object> breakdownRow(OpTiming t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("phase", t.phase());
    m.put("layers", t.layers());
    m.put("op", t.op());
    m.put("op_class", t.opClass().id());
    m.put("count", t.count());
    m.put("gops", t.gops());
    m.put("gb", t.gb());
    m.put("time_ms", t.timeMs());
    m.put("bound", t.bound().id());
    return m;
  }
}
