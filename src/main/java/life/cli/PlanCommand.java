package life.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import life.catalog.HardwareCatalog;
import life.forecast.Forecaster;
import life.serving.Arrivals;
import life.serving.Capacity;
import life.serving.Engine;
import life.serving.Lengths;
import life.serving.Simulator;
import life.serving.Workload;
import life.spec.DeviceKind;
import life.spec.HardwareSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code life plan}: which devices, how many, at what cost, to serve a rate within latency objectives. */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = {"Plan capacity: for each device and parallelism, the largest request rate one replica serves "
        + "within the TTFT and TPOT objectives (p90), the replicas and devices the target rate needs, and the cost "
        + "per million output tokens and energy per token; ranked by cost.",
        "Here --parallel takes a comma-separated list (default 1,tp:2,tp:4,tp:8)."})
final class PlanCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "ID|config.json", description = "The model to serve.")
  String model;

  @Option(names = "--hardware", paramLabel = "ID[,ID...]", split = ",",
      description = "Devices to consider (default: every device of --kind).")
  List<String> hardware;

  @Option(names = "--kind", paramLabel = "KIND[,KIND...]", split = ",", defaultValue = "gpu",
      description = "Device kinds to consider without --hardware: gpu, soc, igpu, npu, cpu, accelerator (default "
          + "${DEFAULT-VALUE}).")
  List<String> kinds;

  @Mixin HardwareOptions hw = new HardwareOptions();

  @Mixin OptimizationOptions opt = new OptimizationOptions();

  @Option(names = {"--stack", "--backend"}, defaultValue = "auto", paramLabel = "ENGINE/API[@VERSION]",
      description = "Serving stack (default ${DEFAULT-VALUE}: each device's usual one).")
  String stack;

  @Option(names = "--prompt", defaultValue = "1024", paramLabel = "LENGTHS", description = "Prompt tokens per "
      + "request: N, uniform:LO-HI, normal:MEAN/SD, lognormal:MEAN/SD (default ${DEFAULT-VALUE}).")
  String prompt;

  @Option(names = "--output", defaultValue = "128", paramLabel = "LENGTHS",
      description = "Output tokens per request (default ${DEFAULT-VALUE}).")
  String output;

  @Option(names = "--qps", required = true, paramLabel = "RATE", description = "Target rate, requests/s.")
  double qps;

  @Option(names = "--slo-ttft-ms", required = true, paramLabel = "MS", description = "TTFT objective at p90.")
  double sloTtftMs;

  @Option(names = "--slo-tpot-ms", required = true, paramLabel = "MS", description = "TPOT objective at p90.")
  double sloTpotMs;

  @Option(names = "--requests", defaultValue = "1500", paramLabel = "N",
      description = "Requests per simulation (default ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--seed", defaultValue = "1",
      description = "Seed of arrivals and lengths (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--amortize-years", defaultValue = "3", description = "Years a device's price is spread over "
      + "(default ${DEFAULT-VALUE}).")
  double amortizeYears;

  @Option(names = "--usd-per-kwh", defaultValue = "0.12", description = "Price of energy (default ${DEFAULT-VALUE}).")
  double usdPerKwh;

  @Option(names = "--idle-share", defaultValue = "0.09", description = "Idle power as a share of TDP (default "
      + "${DEFAULT-VALUE}: the median of published ratios, docs/power-sources.md).")
  double idleShare;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default ${DEFAULT-VALUE}).")
  String format;

  /** The output columns: the keys of a row. */
  static final List<String> COLUMNS = List.copyOf(row(Capacity.Plan.cannot("", "", "")).keySet());

  @Override
  public Integer call() throws Exception {
    if (!List.of("table", "csv", "json").contains(format)) {
      throw new UsageError("--format must be one of table, csv, json; got '" + format + "'");
    }
    if (!(qps > 0 && qps <= 1e9)) {
      throw new UsageError("--qps must be above 0 and at most 1e9 requests/s, got " + qps);
    }
    Simulator.Slo slo;
    Capacity.Costs costs;
    Workload shape;
    try {
      if (!(sloTtftMs > 0 && sloTpotMs > 0)) {
        throw new IllegalArgumentException("--slo-ttft-ms and --slo-tpot-ms must be above 0");
      }
      slo = new Simulator.Slo(sloTtftMs, sloTpotMs);
      costs = new Capacity.Costs(amortizeYears, usdPerKwh, idleShare);
      shape = new Workload(new Arrivals.MaxLoad(), Lengths.parse("--prompt", prompt), Lengths.parse("--output",
          output), requests, seed);
    } catch (IllegalArgumentException e) {
      throw new UsageError(e.getMessage());
    }
    HardwareCatalog catalog = hw.catalog();
    List<HardwareSpec> devices = new ArrayList<>();
    if (hardware != null) {
      for (String h : hardware) {
        devices.add(catalog.resolve(h.trim()));
      }
    } else {
      List<DeviceKind> ks = new ArrayList<>();
      for (String k : kinds) {
        try {
          ks.add(DeviceKind.parse(k.trim()));
        } catch (IllegalArgumentException e) {
          throw new UsageError("--kind: " + e.getMessage());
        }
      }
      for (HardwareSpec d : catalog.devices().values()) {
        if (ks.contains(d.kind())) {
          devices.add(d);
        }
      }
    }
    boolean parallelGiven = spec.commandLine().getParseResult().hasMatchedOption("--parallel");
    List<String> parallels = parallelGiven ? List.of(opt.parallel.split(",")) : List.of("1", "tp:2", "tp:4", "tp:8");
    for (String p : parallels) {
      check("parallel", p.trim());
    }
    check("spec", opt.spec);
    check("disaggregate", opt.disaggregate);
    List<String[]> configs = new ArrayList<>();
    for (HardwareSpec d : devices) {
      for (String p : parallels) {
        configs.add(new String[] {d.id(), p.trim()});
      }
    }
    Map<String, String> base = new LinkedHashMap<>();
    try {
      opt.into(base);
    } catch (life.scenario.ScenarioText.Bad e) {
      throw new UsageError("--" + e.key().replace('_', '-') + ": " + e.getMessage());
    }
    List<Capacity.Plan> plans = configs.parallelStream().map(c -> planOne(catalog, base, c[0], c[1], shape, slo,
        costs)).toList();
    List<Capacity.Plan> ranked = new ArrayList<>(plans);
    ranked.sort(Comparator.comparing((Capacity.Plan p) -> !p.feasible())
        .thenComparing(p -> Double.isNaN(p.usdPerMtok()))
        .thenComparingDouble(p -> Double.isNaN(p.usdPerMtok()) ? p.devices() : p.usdPerMtok())
        .thenComparing(Capacity.Plan::hardware).thenComparing(Capacity.Plan::parallel));
    print(spec.commandLine().getOut(), ranked);
    return 0;
  }

  /** A value every configuration shares, checked once: a bad one is a usage error, not a row per configuration. */
  private static void check(String key, String value) {
    try {
      life.scenario.ScenarioText.check(key, value);
    } catch (IllegalArgumentException e) {
      throw new UsageError("--" + key + ": " + e.getMessage());
    }
  }

  private Capacity.Plan planOne(HardwareCatalog catalog, Map<String, String> base, String device, String parallel,
      Workload shape, Simulator.Slo slo, Capacity.Costs costs) {
    Map<String, String> t = new LinkedHashMap<>(base);
    t.put("model", model);
    t.put("hardware", device);
    t.put("stack", stack);
    t.put("parallel", parallel);
    try {
      life.scenario.Setup setup = life.scenario.ScenarioText.setup(t, catalog, null);
      life.scenario.Built b = setup.build();
      if (b instanceof life.scenario.Built.Unsupported u) {
        return Capacity.Plan.cannot(device, parallel, u.reason());
      }
      Forecaster f = ((life.scenario.Built.Ready) b).forecaster();
      Engine e = Engine.defaults(setup.stack(), setup.device());
      return Capacity.plan(f, e, shape, qps, slo, costs);
    } catch (IllegalArgumentException e) {
      return Capacity.Plan.cannot(device, parallel, e.getMessage());
    }
  }

  private static Map<String, Object> row(Capacity.Plan p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hardware", p.hardware());
    m.put("parallel", p.parallel());
    m.put("replicas", p.replicas());
    m.put("devices", p.devices());
    m.put("max_qps_per_replica", p.maxQpsPerReplica());
    m.put("usd_per_mtok", p.usdPerMtok());
    m.put("j_per_token", p.jPerToken());
    m.put("ttft_p90_ms", p.ttftP90Ms());
    m.put("tpot_p90_ms", p.tpotP90Ms());
    m.put("busy_share", p.busy());
    m.put("why", p.why());
    return m;
  }

  private void print(PrintWriter out, List<Capacity.Plan> plans) throws Exception {
    switch (format) {
      case "json" -> {
        List<Map<String, Object>> rows = plans.stream().map(PlanCommand::row).toList();
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
      }
      case "csv" -> {
        out.println(String.join(",", COLUMNS));
        for (Capacity.Plan p : plans) {
          List<String> cells = new ArrayList<>();
          for (Object v : row(p).values()) {
            String s = v instanceof Double d && d.isNaN() ? "" : String.valueOf(v);
            cells.add(s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s);
          }
          out.println(String.join(",", cells));
        }
      }
      default -> {
        out.printf(Locale.ROOT, "%-30s %-8s %8s %8s %10s %12s %11s %11s %11s  %s%n", "hardware", "parallel", "replicas",
            "devices", "max_qps/r", "usd_per_mtok", "j_per_token", "ttft_p90ms", "tpot_p90ms", "why");
        for (Capacity.Plan p : plans) {
          if (p.feasible()) {
            out.printf(Locale.ROOT, "%-30s %-8s %8d %8d %10s %12s %11s %11s %11s  %s%n", p.hardware(), p.parallel(),
                p.replicas(), p.devices(), Fmt.num(p.maxQpsPerReplica()), blank(p.usdPerMtok()),
                blank(p.jPerToken()), Fmt.num(p.ttftP90Ms()), Fmt.num(p.tpotP90Ms()),
                Double.isNaN(p.usdPerMtok()) ? "no " + (Double.isNaN(p.jPerToken()) ? "TDP" : "price")
                    + " in the catalog" : "");
          } else {
            out.printf(Locale.ROOT, "%-30s %-8s %8s %8s %10s %12s %11s %11s %11s  %s%n", p.hardware(), p.parallel(),
                "-", "-", "-", "-", "-", "-", "-", p.why());
          }
        }
      }
    }
    out.flush();
  }

  private static String blank(double v) {
    return Double.isNaN(v) ? "-" : Fmt.num(v);
  }
}
