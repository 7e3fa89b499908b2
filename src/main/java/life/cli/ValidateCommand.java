package life.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import life.validate.Efficiency;
import life.validate.ErrorStats;
import life.validate.Measurement;
import life.validate.MeasurementReader;
import life.validate.Validator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code life validate}: forecasts published measurements and reports the error. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Forecast every row of measurement files and report the error (MAPE) by metric, device, source.")
final class ValidateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--measurements", split = ",", paramLabel = "FILE",
      description = "Measurement CSV files (schema: measurements/README.md), or builtin:all / builtin:NAME.")
  List<String> files;

  @Option(names = "--serving", description = "Validate the serving simulator instead: serve each row of published "
      + "serving measurements (--measurements FILE, default the built-in serving-published.csv) and report the error "
      + "by source and metric.")
  boolean serving;

  @Mixin HardwareOptions hw = new HardwareOptions();

  @Option(names = "--hardware-profile", paramLabel = "FILE", description = "Calibrated device profile(s) from "
      + "`life calibrate` (hardware-catalog rows): their efficiencies are used as measured, whatever the stack.")
  List<Path> profiles = new ArrayList<>();

  @Option(names = "--spec-only", description = "Ignore the stacks' fitted default efficiencies: device-kind "
      + "defaults only.")
  boolean specOnly;

  @Option(names = "--held-out", description = "Also forecast each source (measurement file) with stack defaults "
      + "refitted without it (leave-one-source-out) and each device without its own rows (leave-one-device-out), and "
      + "report those first: the errors to expect on a dataset the defaults never saw. Refits: minutes.")
  boolean heldOut;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the per-row table (predicted vs measured) here.")
  Path out;

  @Option(names = "--max-mape", paramLabel = "PCT", description = "Exit with 1 if the overall MAPE is above PCT.")
  Double maxMape;

  @Option(names = "--format", defaultValue = "text", description = "text or json.")
  String format;

  @Override
  public Integer call() throws Exception {
    if (serving) {
      return serving();
    }
    if (files == null) {
      throw new UsageError("give --measurements FILE[,FILE...] (or builtin:all), or --serving");
    }
    if (heldOut && specOnly) {
      throw new UsageError("--held-out refits the stacks' defaults; --spec-only uses none: give one of them");
    }
    if (!format.equals("text") && !format.equals("json")) {
      throw new UsageError("--format must be text or json, got '" + format + "'");
    }
    List<Measurement> ms = new ArrayList<>();
    for (String f : files) {
      ms.addAll(MeasurementReader.read(f));
    }
    var catalog = hw.catalog();
    for (Path p : profiles) {
      for (var e : life.catalog.HardwareCatalog.readEntries(p).values()) {
        // A profile's values are used as measured, whatever the stack: its fit is marked calibrated.
        var f = e.fit();
        catalog = catalog.withDevice(e.spec(), new life.stack.Efficiencies.Overrides(f.computeEff(), f.memEff(),
            f.decodeComputeEff(), f.decodeMemEff(), f.dispatchSeconds(), f.sequenceSeconds(), f.stepSeconds(),
            f.contextSeconds(), f.gqaSeconds(), true, "profile:" + e.spec().id()));
      }
    }
    Validator v = new Validator(catalog, Efficiency.defaults(specOnly));
    List<Validator.Outcome> outcomes = v.run(ms);
    ErrorStats all = ErrorStats.of(outcomes);
    if (all.rows() == 0) {
      Map.Entry<String, Long> top = reasons(outcomes).entrySet().stream().max(Map.Entry.comparingByValue())
          .orElse(Map.entry("the files hold no rows", 0L));
      throw new IllegalArgumentException(String.join(",", files) + ": none of the " + outcomes.size()
          + " measurement rows can be forecast (" + top.getValue() + " of them: " + top.getKey() + ")");
    }
    HeldOutReport held = null;
    if (heldOut) {
      held = heldOut(catalog, ms);
      if (!format.equals("json")) {
        printHeldOut(spec.commandLine().getOut(), held);
        spec.commandLine().getOut().println("in-sample (the shipped defaults, fitted on the built-in measurements):");
      }
    }
    if (out != null) {
      writeTable(outcomes, out);
    }
    long unsupported = outcomes.stream().filter(o -> !o.supported()).count();
    PrintWriter pw = spec.commandLine().getOut();
    if (format.equals("json")) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("rows", outcomes.size());
      o.put("supported", all.rows());
      o.put("unsupported", unsupported);
      o.put("mape_pct", finite(all.mapePct()));
      o.put("median_abs_pct", finite(all.medianAbsPct()));
      o.put("max_abs_pct", finite(all.maxAbsPct()));
      o.put("by_metric", json(ErrorStats.by(outcomes, Measurement::metric)));
      o.put("by_hardware", json(ErrorStats.by(outcomes, Measurement::hardware)));
      o.put("by_source", json(ErrorStats.by(outcomes, life.validate.HeldOut::source)));
      o.put("by_stack", json(ErrorStats.by(outcomes, Measurement::stackName)));
      o.put("unsupported_reasons", reasons(outcomes));
      if (held != null) {
        o.put("held_out", held.json());
      }
      pw.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o));
    } else {
      pw.printf(Locale.ROOT, "%d rows: %d forecast, %d unsupported%n", outcomes.size(), all.rows(), unsupported);
      pw.printf(Locale.ROOT, "MAPE %.1f %%, median |error| %.1f %%, max %.1f %%%n", all.mapePct(), all.medianAbsPct(),
          all.maxAbsPct());
      print(pw, "metric", ErrorStats.by(outcomes, Measurement::metric));
      print(pw, "source", ErrorStats.by(outcomes, life.validate.HeldOut::source));
      print(pw, "stack", ErrorStats.by(outcomes, Measurement::stackName));
      print(pw, "hardware", ErrorStats.by(outcomes, Measurement::hardware));
      if (unsupported > 0) {
        pw.println("unsupported rows by reason:");
        reasons(outcomes).forEach((k, n) -> pw.printf(Locale.ROOT, "  %6d  %s%n", n, k));
      }
    }
    pw.flush();
    if (maxMape != null && !(all.mapePct() <= maxMape)) {
      spec.commandLine().getErr().printf(Locale.ROOT, "life: MAPE %.1f %% is above --max-mape %.1f%n",
          all.mapePct(), maxMape);
      spec.commandLine().getErr().flush();
      return 1;
    }
    return 0;
  }

  /**
   * Unsupported rows counted by reason, a reason's free-standing numbers (step counts, device counts) read as N so
   * that rows of one cause count together; numbers inside ids and names ({@code qwen2-7b}, {@code fp8}) are kept.
   */
  private static Map<String, Long> reasons(List<Validator.Outcome> outcomes) {
    Map<String, Long> r = new java.util.TreeMap<>();
    for (Validator.Outcome o : outcomes) {
      if (!o.supported()) {
        // Counts in a reason become N so that rows differing only in them group; a list of allowed values stays.
        String why = o.unsupported();
        int allowed = why.indexOf("(allowed:");
        String head = allowed < 0 ? why : why.substring(0, allowed);
        r.merge(head.replaceAll("(?<![\\w.'-])\\d+(?![\\w.'-])", "N") + why.substring(head.length()), 1L,
            Long::sum);
      }
    }
    return r;
  }

  private static Map<String, Object> json(Map<String, ErrorStats> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, s) -> out.put(k, stats(s)));
    return out;
  }

  /** JSON has no NaN: an undefined error (no forecast rows) is written as null. */
  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /**
   * Leave-one-source-out errors (overall, the mean over sources, by source, stack and device class), the coverage of
   * the intervals made without each row's source, and the leave-one-device-out error.
   */
  private record HeldOutReport(ErrorStats bySourceOut, double meanOverSourcesPct, double coveragePct,
      Map<String, ErrorStats> bySource, Map<String, ErrorStats> byStack, Map<String, ErrorStats> byDeviceClass,
      ErrorStats byDeviceOut) {
    Map<String, Object> json() {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("leave_one_source_out", stats(bySourceOut));
      h.put("mean_over_sources_mape_pct", finite(meanOverSourcesPct));
      h.put("interval_coverage_pct", finite(coveragePct));
      h.put("by_source", ValidateCommand.json(bySource));
      h.put("by_stack", ValidateCommand.json(byStack));
      h.put("by_device_class", ValidateCommand.json(byDeviceClass));
      h.put("leave_one_device_out", stats(byDeviceOut));
      return h;
    }
  }

  private static HeldOutReport heldOut(life.catalog.HardwareCatalog catalog, List<Measurement> ms) {
    List<Validator.Outcome> loso = life.validate.HeldOut.leaveSourceOut(catalog, ms);
    Map<String, ErrorStats> bySource = ErrorStats.by(loso, life.validate.HeldOut::source);
    return new HeldOutReport(ErrorStats.of(loso),
        bySource.values().stream().mapToDouble(ErrorStats::mapePct).average().orElse(Double.NaN),
        life.validate.IntervalFit.pct(life.validate.IntervalFit.coverageBySource(loso).values()), bySource,
        ErrorStats.by(loso, Measurement::stackName),
        ErrorStats.by(loso, m -> catalog.resolve(m.hardware()).kind().id()),
        ErrorStats.of(life.validate.BackendDefaults.leaveDeviceOut(catalog, ms,
            life.validate.BackendDefaults.fit(catalog, ms))));
  }

  private static Map<String, Object> stats(ErrorStats s) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("rows", s.rows());
    e.put("mape_pct", finite(s.mapePct()));
    e.put("median_abs_pct", finite(s.medianAbsPct()));
    e.put("median_signed_pct", finite(s.medianSignedPct()));
    return e;
  }

  private static void printHeldOut(PrintWriter pw, HeldOutReport h) {
    ErrorStats e = h.bySourceOut();
    pw.printf(Locale.ROOT, "held out, leave-one-source-out (each source forecast by stack defaults fitted without "
        + "it): MAPE %.1f %%, median %.1f %%, bias %+.1f %% over %d rows; mean over sources %.1f %%%n", e.mapePct(),
        e.medianAbsPct(), e.medianSignedPct(), e.rows(), h.meanOverSourcesPct());
    pw.printf(Locale.ROOT, "80 %% intervals (made without the row's source) cover %.1f %% of rows%n", h.coveragePct());
    print(pw, "source", h.bySource());
    print(pw, "stack", h.byStack());
    print(pw, "device class", h.byDeviceClass());
    ErrorStats d = h.byDeviceOut();
    pw.printf(Locale.ROOT, "held out, leave-one-device-out (no row's device in the fit of its forecast): MAPE %.1f %%, "
        + "median %.1f %%, bias %+.1f %% over %d rows%n", d.mapePct(), d.medianAbsPct(), d.medianSignedPct(), d.rows());
  }

  private static void print(PrintWriter pw, String what, Map<String, ErrorStats> m) {
    pw.printf(Locale.ROOT, "by %s:%n", what);
    m.forEach((k, s) -> pw.printf(Locale.ROOT, "  %-44s %6d rows  MAPE %7.1f %%  median %6.1f %%  bias %+6.1f %%  "
        + "max %7.1f %%%n", k.length() > 44 ? k.substring(0, 44) : k, s.rows(), s.mapePct(), s.medianAbsPct(),
        s.medianSignedPct(), s.maxAbsPct()));
  }

  private static void writeTable(List<Validator.Outcome> outcomes, Path file) throws java.io.IOException {
    List<String> lines = new ArrayList<>();
    lines.add("row,hardware,devices,parallelism,model,stack,weight_dtype,batch,prompt_len,context_len,output_len,"
        + "metric,measured,"
        + "predicted,error_pct,unsupported");
    for (Validator.Outcome o : outcomes) {
      Measurement m = o.m();
      lines.add(String.join(",", quote(m.file()), m.hardware(), Integer.toString(m.devices()), m.parallelism(),
          m.model(), m.stack(), m.weightDtype(),
          Integer.toString(m.batch()), Long.toString(m.promptLen()), Long.toString(m.contextLen()),
          Long.toString(m.outputLen()), m.metric(), Double.toString(m.canonicalValue()),
          o.supported() ? Double.toString(o.predicted()) : "", o.supported() ? Double.toString(o.errorPct()) : "",
          o.supported() ? "" : quote(o.unsupported())));
    }
    life.io.Commit.writeLines(file, lines);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  /** {@code --serving}: every published serving row served by the simulator; errors by source and metric. */
  private Integer serving() throws Exception {
    List<life.validate.ServingValidator.Row> rows = new ArrayList<>();
    if (files == null) {
      rows.addAll(life.validate.ServingValidator.builtIn());
    } else {
      for (String f : files) {
        Path p = Path.of(f);
        rows.addAll(life.validate.ServingValidator.parse(p.toString(), life.catalog.InputFile.read("serving "
            + "measurement file", p)));
      }
    }
    List<life.validate.ServingValidator.Outcome> outcomes = life.validate.ServingValidator.run(rows, hw.catalog());
    List<life.validate.ServingValidator.Summary> summary = life.validate.ServingValidator.summarize(outcomes);
    PrintWriter w = spec.commandLine().getOut();
    long ok = outcomes.stream().filter(life.validate.ServingValidator.Outcome::ok).count();
    if (format.equals("json")) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (var s : summary) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", s.source());
        m.put("metric", s.metric());
        m.put("rows", s.rows());
        m.put("mape_pct", s.mapePct());
        m.put("median_ape_pct", s.medianApePct());
        m.put("mean_signed_pct", s.meanSignedPct());
        m.put("held_out", !s.inSample());
        list.add(m);
      }
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("rows", outcomes.size());
      o.put("forecast", ok);
      o.put("by_source_and_metric", list);
      w.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o));
    } else {
      w.printf(Locale.ROOT, "%d serving rows, %d forecast (the others say why with --out)%n", outcomes.size(), ok);
      w.printf(Locale.ROOT, "%-40s %-20s %5s %8s %10s %10s  %s%n", "source", "metric", "rows", "MAPE%", "median%",
          "signed%", "fit");
      for (var s : summary) {
        w.printf(Locale.ROOT, "%-40s %-20s %5d %8.1f %10.1f %+10.1f  %s%n", s.source(), s.metric(), s.rows(),
            s.mapePct(), s.medianApePct(), s.meanSignedPct(), s.inSample() ? "in-sample" : "held-out");
      }
    }
    if (out != null) {
      List<String> lines = new ArrayList<>();
      lines.add("row,source,hardware,model,metric,measured,predicted,error_pct,why");
      for (var o : outcomes) {
        var r = o.row();
        lines.add(String.join(",", csv(r.row().file()), csv(r.sourceId()), r.row().hardware(), r.row().model(),
            r.metric(), String.valueOf(r.value()), o.ok() ? String.valueOf(r.unit().equals("ms") ? o.predicted() * 1e3
                : o.predicted()) : "", o.ok() ? String.format(Locale.ROOT, "%.2f", o.errorPct()) : "", csv(o.why())));
      }
      life.io.Commit.writeLines(out, lines);
    }
    w.flush();
    return 0;
  }

  private static String csv(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
