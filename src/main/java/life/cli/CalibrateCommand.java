package life.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import life.catalog.HardwareCatalog;
import life.spec.HardwareSpec;
import life.validate.Calibrator;
import life.validate.Efficiency;
import life.validate.Validator;
import life.validate.Measurement;
import life.validate.MeasurementReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code life calibrate}: fits one device's efficiencies to its measurements and writes a hardware profile. */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
    description = "Fit a device's compute/memory efficiency and dispatch overhead to measurements (least squares); "
        + "write a one-device hardware file usable with --hardware-file and --hardware-profile.")
final class CalibrateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--measurements", required = true, split = ",", paramLabel = "FILE",
      description = "Measurement CSV files, or builtin:all / builtin:NAME.")
  List<String> files;

  @Option(names = "--hardware", paramLabel = "ID", description = "Device to calibrate.")
  String hardware;

  @Option(names = "--backends", description = "Instead of one device: fit default efficiencies per backend and device "
      + "kind over all devices, with leave-one-device-out errors (writes catalog/backends.csv's format).")
  boolean backends;

  @Mixin HardwareOptions hw = new HardwareOptions();

  @Option(names = {"--stack", "--backend"}, paramLabel = "ENGINE/API", description = "Only rows of this stack "
      + "(llama.cpp/cuda, vllm/cuda, tensorrt-llm/cuda, llama.cpp/metal, ...): one profile per serving stack.")
  String backend;

  @Option(names = "--holdout", defaultValue = "0.5",
      description = "Share of the device's rows kept out of the fit to measure its error (default ${DEFAULT-VALUE}).")
  double holdout;

  @Option(names = "--folds", paramLabel = "K", description = "Instead of one hold-out split: K-fold cross-validation "
      + "(each row forecast by a fit on the other folds; the profile is fitted on every row). For a few runs: "
      + "--folds 5, or as many folds as rows.")
  Integer folds;

  @Option(names = "--prior-weight", paramLabel = "W", description = "Strength of the pull toward the spec-only "
      + "efficiencies (the backend defaults). Default 0.1: one unit of log-odds off them costs as much as one row "
      + "forecast 10 %% off; 0: plain least squares.")
  Double priorWeight;

  @Option(names = "--strict-prior", description = "Shrink toward (and compare with) the backend defaults refitted "
      + "on the measurements without this device's rows, as for a device the datasets never measured, instead of the "
      + "shipped defaults (which may have seen these rows). Refits every backend: minutes on builtin:all.")
  boolean strictPrior;

  @Option(names = "--seed", defaultValue = "12345", description = "Seed of the hold-out split or the folds.")
  long seed;

  @Option(names = "--out", paramLabel = "FILE", description = "Profile file (default: <hardware>-profile.csv).")
  Path out;

  @Option(names = "--intervals", paramLabel = "FILE", description = "With --backends: also forecast each source with "
      + "defaults fitted without it (leave-one-source-out) and write the forecast intervals made from those errors "
      + "here (catalog/intervals.csv's format).")
  Path intervals;

  private int fitBackends(HardwareCatalog catalog, List<Measurement> ms) throws java.io.IOException {
    List<life.validate.BackendDefaults.Row> rows = life.validate.BackendDefaults.fit(catalog, ms);
    List<String> lines = new ArrayList<>();
    lines.add("backend,kind,memory,compute_eff,mem_eff,dispatch_us,sequence_us,step_us,context_ns,rows,devices,"
        + "lodo_mape_pct,default_mape_pct,used,source");
    for (var r : rows) {
      lines.add(String.format(Locale.ROOT, "%s,%s,%s,%.4f,%.4f,%.3f,%.3f,%.1f,%.2f,%d,%d,%.1f,%.1f,%s,\"fitted by "
          + "life calibrate --backends --measurements %s\"", r.backend(), r.kind(), r.memory(), r.eff().computeEff(),
          r.eff().memEff(), r.eff().dispatchUs(), r.eff().sequenceUs(), r.eff().stepUs(), r.eff().contextNs(),
          r.rows(), r.devices(),
          r.lodoMapePct(), r.defaultMapePct(), r.used(), String.join(" ", files)));
    }
    Path file = out != null ? out : Path.of("backends.csv");
    life.io.Commit.writeLines(file, lines);
    PrintWriter pw = spec.commandLine().getOut();
    lines.forEach(pw::println);
    List<life.validate.Validator.Outcome> held = life.validate.BackendDefaults.leaveDeviceOut(catalog, ms, rows);
    life.validate.ErrorStats strict = life.validate.ErrorStats.of(held);
    pw.printf(Locale.ROOT, "no row's own device in its fit (leave-one-device-out where a backend row is used, device-"
        + "kind defaults elsewhere): MAPE %.1f %% over %d rows%n", strict.mapePct(), strict.rows());
    life.validate.ErrorStats.by(held, Measurement::stackName).forEach((b, e) -> pw.printf(Locale.ROOT,
        "  %-20s %5d rows  MAPE %6.1f %%%n", b, e.rows(), e.mapePct()));
    pw.printf(Locale.ROOT, "-> %s%n", file);
    if (intervals != null) {
      List<life.validate.Validator.Outcome> loso = life.validate.HeldOut.leaveSourceOut(catalog, ms);
      life.validate.ErrorStats e = life.validate.ErrorStats.of(loso);
      pw.printf(Locale.ROOT, "each source forecast by defaults fitted without it (leave-one-source-out): MAPE %.1f %%, "
          + "median %.1f %% over %d rows%n", e.mapePct(), e.medianAbsPct(), e.rows());
      List<life.stack.Intervals.Band> bands = life.validate.IntervalFit.fit(loso);
      List<String> out = new ArrayList<>();
      out.add("basis,stack,phase,rows,lo,hi,source");
      for (var b : bands) {
        out.add(String.format(Locale.ROOT, "%s,%s,%s,%d,%.4f,%.4f,\"10th and 90th percentile of measured / forecast "
            + "time, leave-one-source-out, life calibrate --backends --measurements %s\"", b.basis().id(), b.stack(),
            b.phase().id(), b.rows(), b.lo(), b.hi(), String.join(" ", files)));
      }
      life.io.Commit.writeLines(intervals, out);
      out.forEach(pw::println);
      var cover = life.validate.IntervalFit.coverageBySource(loso);
      pw.printf(Locale.ROOT, "80 %% intervals made without each row's source cover %.1f %% of %d rows%n",
          life.validate.IntervalFit.pct(cover.values()), cover.size());
      pw.printf(Locale.ROOT, "-> %s%n", intervals);
    }
    pw.flush();
    return 0;
  }

  @Override
  public Integer call() throws Exception {
    List<Measurement> ms = new ArrayList<>();
    for (String f : files) {
      ms.addAll(MeasurementReader.read(f));
    }
    HardwareCatalog catalog = hw.catalog();
    if (backends == (hardware != null)) {
      throw new UsageError("give --hardware ID or --backends");
    }
    if (intervals != null && !backends) {
      throw new UsageError("--intervals needs --backends (it refits the stacks' defaults without each source)");
    }
    if (backends) {
      return fitBackends(catalog, ms);
    }
    double w = priorWeight != null ? priorWeight : Calibrator.PRIOR_WEIGHT;
    if (!(w >= 0 && w < 1e3)) {
      throw new UsageError("--prior-weight must be a number ≥ 0 (0: no prior; default "
          + Calibrator.PRIOR_WEIGHT + "), got " + priorWeight);
    }
    life.scenario.EfficiencyRule prior = strictPrior
        ? life.validate.BackendDefaults.leaveOut(life.validate.BackendDefaults.fit(catalog, ms), hardware)
        : Efficiency.defaults(false);
    Calibrator.Fit fit = folds != null
        ? Calibrator.crossValidate(catalog, hardware, backend, ms, folds, seed, prior, w)
        : Calibrator.fit(catalog, hardware, backend, ms, holdout, seed, prior, w);
    String judged = folds != null ? folds + "-fold cross-validated" : "held-out";
    HardwareSpec h = fit.device();
    life.stack.Efficiencies d = fit.eff();
    String how = String.format(Locale.ROOT, HardwareSpec.CALIBRATED + " on %d rows of %s (%s MAPE %.1f %% on "
        + "%d rows; before %.1f %%); peaks, bandwidth and capacity from: %s", fit.trainRows(), String.join(" ",
        files), judged, fit.test().mapePct(), fit.testRows(), fit.before().mapePct(), h.source());
    Path file = out != null ? out : Path.of(hardware + "-profile.csv");
    HardwareCatalog.write(List.of(new HardwareCatalog.Entry(h.withSource(how),
        life.stack.Efficiencies.Overrides.all(d, "profile:" + hardware))), file);
    PrintWriter pw = spec.commandLine().getOut();
    pw.printf(Locale.ROOT, "%s: compute_eff %.3f, mem_eff %.3f, dispatch_us %.2f, sequence_us %.2f, step_us %.1f, "
        + "context_ns %.2f, gqa_ns %.2f%s%n", hardware, d.computeEff(), d.memEff(), d.dispatchSeconds() * 1e6,
        d.sequenceSeconds() * 1e6, d.stepSeconds() * 1e6, d.contextSeconds() * 1e9, d.gqaSeconds() * 1e9,
        d.decodeComputeEff() > 0
            ? String.format(Locale.ROOT, "; decode: compute_eff %.3f, mem_eff %.3f (per phase: lower BIC)",
                d.decodeComputeEff(), d.decodeMemEff()) : "");
    pw.printf(Locale.ROOT, "MAPE before %.1f %% (all %d rows), fitted %.1f %% (%d training rows), %s %.1f %% "
        + "(%d rows; %s on them: %.1f %%)%n", fit.before().mapePct(), folds != null ? fit.trainRows()
        : fit.trainRows() + fit.testRows(), fit.train().mapePct(), fit.trainRows(), judged, fit.test().mapePct(),
        fit.testRows(), strictPrior ? "backend defaults fitted without " + hardware : "backend defaults",
        fit.testDefaults().mapePct());
    if (fit.testDefaults().mapePct() < fit.test().mapePct()) {
      pw.printf(Locale.ROOT, "note: the backend defaults forecast the %s rows better than this fit (%.1f %% vs "
          + "%.1f %%), so forecasts without the profile are the better ones here (the runs are too few or too noisy "
          + "to improve on the defaults, or, for a device in the shipped datasets, the defaults were fitted partly "
          + "on these rows)%n", judged, fit.testDefaults().mapePct(), fit.test().mapePct());
    }
    pw.printf(Locale.ROOT, "profile -> %s%n", file);
    pw.flush();
    return 0;
  }
}
