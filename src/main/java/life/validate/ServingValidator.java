package life.validate;

import com.univocity.parsers.common.record.Record;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import life.catalog.HardwareCatalog;
import life.catalog.InputFile;
import life.forecast.Forecaster;
import life.scenario.Built;
import life.scenario.EfficiencyRule;
import life.scenario.ScenarioText;
import life.scenario.Setup;
import life.serving.Arrivals;
import life.serving.Engine;
import life.serving.Lengths;
import life.serving.Simulator;
import life.serving.Workload;

/**
 * Serving forecasts against published serving measurements ({@code measurements/serving-published.csv}, schema in
 * {@code measurements/README.md}): each row's setup is built as a static row's is ({@link Measurement#scenarioText}),
 * its engine gets the stack's scheduler defaults (or the row's stated caps), and the simulator serves the row's
 * workload: every request at once for {@code max_throughput_tps}, Poisson arrivals at the row's rate otherwise.
 *
 * <p>Nothing is fitted on these rows: the efficiencies are the shipped ones, fitted on the static measurement files,
 * so every serving row is held out from the fit unless its source also published static rows that were (the
 * outcome's {@code inSample} says so).
 */
public final class ServingValidator {
  /** The serving measurements shipped in the jar. */
  public static final String BUILT_IN = "serving-published.csv";

  /** Serving metrics and the unit each is recorded in. */
  static final Map<String, Set<String>> METRICS = Map.ofEntries(Map.entry("max_throughput_tps", Set.of("tok/s")),
      Map.entry("serving_throughput_tps", Set.of("tok/s")), Map.entry("requests_per_s", Set.of("req/s")),
      Map.entry("ttft_mean", Set.of("ms", "s")), Map.entry("ttft_p50", Set.of("ms", "s")),
      Map.entry("ttft_p90", Set.of("ms", "s")), Map.entry("ttft_p99", Set.of("ms", "s")),
      Map.entry("tpot_mean", Set.of("ms", "s")), Map.entry("tpot_p50", Set.of("ms", "s")),
      Map.entry("tpot_p90", Set.of("ms", "s")), Map.entry("tpot_p99", Set.of("ms", "s")),
      Map.entry("itl_mean", Set.of("ms", "s")), Map.entry("itl_p50", Set.of("ms", "s")),
      Map.entry("itl_p99", Set.of("ms", "s")), Map.entry("e2e_mean", Set.of("ms", "s")),
      Map.entry("e2e_p50", Set.of("ms", "s")), Map.entry("e2e_p90", Set.of("ms", "s")),
      Map.entry("e2e_p99", Set.of("ms", "s")), Map.entry("max_total_tps", Set.of("tok/s")));

  /** Most requests simulated per row: published runs of 30,000 requests are simulated with this many. */
  static final int MAX_SIMULATED = 2000;

  /**
   * Sources whose static rows are in the calibration set ({@link MeasurementReader#BUILT_IN}): their serving rows
   * are not held out from the fitted efficiencies. AMD's ROCm/vllm README gave the static rows of
   * {@code vllm-rocm-amd.csv}.
   */
  static final Set<String> CALIBRATED_SOURCES = Set.of("ROCm/vllm");

  private ServingValidator() {}

  /**
   * One published serving row.
   *
   * @param row the row as a static measurement (its setup, lengths and stack; metric and value as published)
   * @param sourceId the publishing repository or site: the unit of leave-one-source-out reporting
   * @param requestRate requests/s offered, 0 for max load
   * @param requests requests in the published run, 0 when not stated
   */
  public record Row(Measurement row, String sourceId, String metric, double value, String unit, double requestRate,
      int concurrency, int requests, int maxSeqs, int maxBatchedTokens) {
    /** The value in the simulator's units: seconds for times, per second for rates. */
    double canonical() {
      return unit.equals("ms") ? value / 1e3 : value;
    }
  }

  /** A row's forecast: the predicted value in the row's canonical unit, or why there is none. */
  public record Outcome(Row row, double predicted, String why, boolean inSample) {
    public double errorPct() {
      return 100 * (predicted - row.canonical()) / row.canonical();
    }

    public boolean ok() {
      return why.isEmpty();
    }
  }

  /** The rows of the built-in serving file. */
  public static List<Row> builtIn() {
    try (InputStream in = ServingValidator.class.getResourceAsStream("/measurements/" + BUILT_IN)) {
      if (in == null) {
        throw new IllegalStateException(BUILT_IN + " is missing from the jar");
      }
      return parse(BUILT_IN, InputFile.text(BUILT_IN, in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The rows of a serving file's text; a bad cell is a one-line error naming the file, row and column. */
  public static List<Row> parse(String file, String text) {
    InputFile.Csv csv = InputFile.csv(file, text);
    List<Row> out = new ArrayList<>();
    int line = 1;
    for (Record r : csv.rows()) {
      line++;
      String where = file + " row " + line;
      String metric = cell(r, csv, "metric");
      String unit = cell(r, csv, "unit");
      if (!METRICS.containsKey(metric)) {
        throw new IllegalArgumentException(where + ": column 'metric' is '" + metric + "' (allowed: "
            + String.join(", ", METRICS.keySet().stream().sorted().toList()) + ")");
      }
      if (!METRICS.get(metric).contains(unit)) {
        throw new IllegalArgumentException(where + ": unit '" + unit + "' does not fit metric '" + metric
            + "' (allowed: " + String.join(", ", METRICS.get(metric)) + ")");
      }
      double value = number(r, csv, "value", where, false);
      String parallelism = cell(r, csv, "parallelism").isEmpty() ? "none" : cell(r, csv, "parallelism");
      int devices = (int) number(r, csv, "devices", where, true);
      Measurement m = new Measurement(where, cell(r, csv, "source"), cell(r, csv, "hardware"), Math.max(1, devices),
          parallelism, cell(r, csv, "framework"), cell(r, csv, "model"), cell(r, csv, "weight_dtype"),
          cell(r, csv, "act_dtype"), cell(r, csv, "kv_dtype"), 1, (long) number(r, csv, "prompt_len", where, true),
          0, (long) number(r, csv, "output_len", where, true), "e2e", value, unit, 0, 0, false,
          new Measurement.Build(cell(r, csv, "stack_version"), cell(r, csv, "build_date"), "", "", 0));
      String source = cell(r, csv, "source").replaceFirst("^\"", "").split("[ ,]")[0];
      out.add(new Row(m, source, metric, value, unit, number(r, csv, "request_rate", where, true),
          (int) number(r, csv, "concurrency", where, true), (int) number(r, csv, "requests", where, true),
          (int) number(r, csv, "max_seqs", where, true), (int) number(r, csv, "max_batched_tokens", where, true)));
    }
    return out;
  }

  private static String cell(Record r, InputFile.Csv csv, String col) {
    if (!csv.has(col)) {
      return "";
    }
    String v = r.getString(col);
    return v == null ? "" : v.trim();
  }

  /** A number cell: empty is 0 where {@code optional}; otherwise a positive finite number. */
  private static double number(Record r, InputFile.Csv csv, String col, String where, boolean optional) {
    String v = cell(r, csv, col);
    if (v.isEmpty() && optional) {
      return 0;
    }
    try {
      double d = Double.parseDouble(v);
      if (d >= 0 && Double.isFinite(d) && (optional || d > 0)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(where + ": column '" + col + "' must be a " + (optional ? "non-negative"
        : "positive") + " number" + (optional ? " or empty" : "") + ", got '" + v + "'");
  }

  /** The forecast of every row, in order. */
  public static List<Outcome> run(List<Row> rows, HardwareCatalog catalog) {
    return rows.parallelStream().map(r -> outcome(r, catalog)).toList();
  }

  static Outcome outcome(Row row, HardwareCatalog catalog) {
    Measurement m = row.row();
    boolean inSample = CALIBRATED_SOURCES.contains(row.sourceId());
    if (m.devices() > 1 && m.parallelism().equals("other")) {
      return new Outcome(row, Double.NaN, "the split of " + m.devices() + " devices is not stated", inSample);
    }
    if (m.promptLen() == 0 || m.outputLen() == 0) {
      return new Outcome(row, Double.NaN, "prompt or output length not stated", inSample);
    }
    if (row.metric().equals("max_total_tps") || row.concurrency() > 0) {
      return new Outcome(row, Double.NaN, "metric or closed loop not simulated yet", inSample);
    }
    if (!row.metric().equals("max_throughput_tps") && row.requestRate() == 0) {
      return new Outcome(row, Double.NaN, "no request rate stated", inSample);
    }
    try {
      Setup setup = ScenarioText.setup(m.scenarioText(), catalog, EfficiencyRule.STACK);
      Built b = setup.build();
      if (b instanceof Built.Unsupported u) {
        return new Outcome(row, Double.NaN, u.reason(), inSample);
      }
      Forecaster f = ((Built.Ready) b).forecaster();
      Engine e = Engine.defaults(setup.stack(), setup.device()).with(
          row.maxBatchedTokens() > 0 ? Math.min(row.maxBatchedTokens(), Engine.MAX_BUDGET) : null,
          row.maxSeqs() > 0 ? Math.min(row.maxSeqs(), Engine.MAX_BUDGET) : null, null, null, null);
      int n = Math.min(row.requests() > 0 ? row.requests() : 1000, MAX_SIMULATED);
      Arrivals a = row.metric().equals("max_throughput_tps") ? new Arrivals.MaxLoad()
          : new Arrivals.Poisson(row.requestRate());
      Workload w = new Workload(a, new Lengths.Fixed(m.promptLen()), new Lengths.Fixed(m.outputLen()), n, 1);
      Simulator.Result r = Simulator.run(f, e, w, Simulator.Slo.NONE);
      return new Outcome(row, predicted(row.metric(), r), "", inSample);
    } catch (IllegalArgumentException | life.spec.InputException ex) {
      return new Outcome(row, Double.NaN, ex.getMessage(), inSample);
    }
  }

  /** The simulated value of {@code metric}: seconds for times, per second for rates. */
  static double predicted(String metric, Simulator.Result r) {
    return switch (metric) {
      case "max_throughput_tps", "serving_throughput_tps" -> r.throughputTps();
      case "requests_per_s" -> r.requestsPerS();
      case "ttft_mean" -> r.ttft().meanMs() / 1e3;
      case "ttft_p50" -> r.ttft().p50Ms() / 1e3;
      case "ttft_p90" -> r.ttft().p90Ms() / 1e3;
      case "ttft_p99" -> r.ttft().p99Ms() / 1e3;
      case "tpot_mean", "itl_mean" -> r.tpot().meanMs() / 1e3;
      case "tpot_p50", "itl_p50" -> r.tpot().p50Ms() / 1e3;
      case "tpot_p90" -> r.tpot().p90Ms() / 1e3;
      case "tpot_p99", "itl_p99" -> r.tpot().p99Ms() / 1e3;
      case "e2e_mean" -> r.e2e().meanMs() / 1e3;
      case "e2e_p50" -> r.e2e().p50Ms() / 1e3;
      case "e2e_p90" -> r.e2e().p90Ms() / 1e3;
      case "e2e_p99" -> r.e2e().p99Ms() / 1e3;
      default -> Double.NaN;
    };
  }

  /** Error figures of a group of outcomes. */
  public record Summary(String source, String metric, int rows, double mapePct, double medianApePct,
      double meanSignedPct, boolean inSample) {}

  /** Errors by source and metric family (throughput at max load, throughput at a rate, TTFT, TPOT/ITL, E2E). */
  public static List<Summary> summarize(List<Outcome> outcomes) {
    Map<String, List<Outcome>> groups = new java.util.TreeMap<>();
    for (Outcome o : outcomes) {
      if (o.ok()) {
        groups.computeIfAbsent(o.row().sourceId() + "|" + family(o.row().metric()), k -> new ArrayList<>()).add(o);
      }
    }
    List<Summary> out = new ArrayList<>();
    groups.forEach((k, list) -> {
      double[] ape = list.stream().mapToDouble(o -> Math.abs(o.errorPct())).sorted().toArray();
      double mean = java.util.Arrays.stream(ape).average().orElse(Double.NaN);
      double median = ape.length % 2 == 1 ? ape[ape.length / 2] : (ape[ape.length / 2 - 1] + ape[ape.length / 2]) / 2;
      double signed = list.stream().mapToDouble(Outcome::errorPct).average().orElse(Double.NaN);
      String[] p = k.split("\\|");
      out.add(new Summary(p[0], p[1], list.size(), mean, median, signed, list.get(0).inSample()));
    });
    return out;
  }

  /** The family a metric's errors are reported under. */
  static String family(String metric) {
    if (metric.startsWith("max_")) {
      return "max_load_throughput";
    }
    if (metric.equals("serving_throughput_tps") || metric.equals("requests_per_s")) {
      return "throughput_at_rate";
    }
    return metric.substring(0, metric.indexOf('_')).toLowerCase(Locale.ROOT).replace("itl", "tpot");
  }
}
