package life.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import life.catalog.ModelCatalog;
import life.forecast.Forecast;
import life.forecast.ForecastColumns;
import life.forecast.Forecaster;
import life.forecast.OpTiming;
import life.forecast.Overlap;
import life.forecast.Request;
import life.ops.Counting;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.ops.ModelGraph;
import life.spec.HardwareSpec;
import life.spec.ModelSpec;
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

  @Option(names = "--prompt", defaultValue = "1024", description = "Prompt tokens per sequence (default ${DEFAULT-VALUE}).")
  long prompt;

  @Option(names = "--output", defaultValue = "128", description = "Output tokens per sequence (default ${DEFAULT-VALUE}).")
  long output;

  @Option(names = "--batch", defaultValue = "1", description = "Sequences processed together (default ${DEFAULT-VALUE}).")
  int batch;

  @Mixin OptimizationOptions opt = new OptimizationOptions();

  @Option(names = "--overlap", defaultValue = "operator",
      description = "operator: per-operator roofline; phase: the paper's sum-then-max per phase (default ${DEFAULT-VALUE}).")
  String overlap;

  @Option(names = "--counting", defaultValue = "causal",
      description = "causal: causal attention, last-token LM head; paper: the LIFE paper's conventions "
          + "(full attention scores, LM head on every prompt token, whole embedding table, KV rewrite) "
          + "(default ${DEFAULT-VALUE}).")
  String counting;

  @Option(names = "--backend", defaultValue = "none",
      description = "Serving stack whose fitted default efficiencies to use (catalog/backends.csv): llama.cpp/cuda, "
          + "llama.cpp/metal, tensorrt-llm/cuda, vllm/cuda, ... (default ${DEFAULT-VALUE}: the device's own).")
  String backend;

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

  @Override
  public Integer call() throws Exception {
    positive("--prompt", prompt);
    positive("--output", output);
    positive("--batch", batch);
    if (!List.of("table", "csv", "json").contains(format)) {
      throw new IllegalArgumentException("--format must be one of table, csv, json; got '" + format + "'");
    }
    GraphOptions options = life.ops.BackendConventions.apply(backend, opt.graphOptions(Counting.parse(counting)));
    ModelSpec m = ModelCatalog.builtIn().resolve(model);
    HardwareSpec h = withOverrides(life.catalog.Backends.apply(hw.catalog().resolve(hardware), backend), computeEff,
        memEff, dispatchUs);
    ModelGraph g = GraphBuilder.build(m, options);
    Forecaster f = new Forecaster(g, h, Overlap.parse(overlap));
    Request r = new Request(prompt, output, batch, opt.chunkTokens());
    Forecast fc = f.forecast(r);
    List<OpTiming> rows = breakdown ? f.breakdown(r) : List.of();
    print(spec.commandLine().getOut(), fc, options.parallel().id(), rows);
    return 0;
  }

  static HardwareSpec withOverrides(HardwareSpec h, Double ce, Double me, Double dus) {
    if (ce != null && !(ce > 0 && ce <= 1)) {
      throw new IllegalArgumentException("--compute-eff must be in (0, 1], got " + ce);
    }
    if (me != null && !(me > 0 && me <= 1)) {
      throw new IllegalArgumentException("--mem-eff must be in (0, 1], got " + me);
    }
    if (dus != null && !(dus >= 0 && Double.isFinite(dus))) {
      throw new IllegalArgumentException("--dispatch-us must be a non-negative number, got " + dus);
    }
    return h.withEfficiency(ce != null ? ce : h.computeEff(), me != null ? me : h.memEff(),
        dus != null ? dus * 1e-6 : h.dispatchSeconds());
  }

  static void positive(String option, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException(option + " must be a positive integer, got " + v);
    }
  }

  private void print(PrintWriter out, Forecast fc, String parallel, List<OpTiming> rows) throws Exception {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ForecastColumns.Column c : ForecastColumns.ALL) {
      values.put(c.name(), c.get().apply(fc));
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
