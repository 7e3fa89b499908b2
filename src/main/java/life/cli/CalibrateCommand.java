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

  @Option(names = "--hardware", required = true, paramLabel = "ID", description = "Device to calibrate.")
  String hardware;

  @Mixin HardwareOptions hw = new HardwareOptions();

  @Option(names = "--holdout", defaultValue = "0.5",
      description = "Share of the device's rows kept out of the fit to measure its error (default ${DEFAULT-VALUE}).")
  double holdout;

  @Option(names = "--seed", defaultValue = "12345", description = "Seed of the hold-out split.")
  long seed;

  @Option(names = "--out", paramLabel = "FILE", description = "Profile file (default: <hardware>-profile.csv).")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<Measurement> ms = new ArrayList<>();
    for (String f : files) {
      ms.addAll(MeasurementReader.read(f));
    }
    HardwareCatalog catalog = hw.catalog();
    Calibrator.Fit fit = Calibrator.fit(catalog, hardware, ms, holdout, seed);
    HardwareSpec d = fit.device();
    String how = String.format(Locale.ROOT, "calibrated by life calibrate on %d rows of %s (held-out MAPE %.1f %% on "
        + "%d rows; before %.1f %%); peaks, bandwidth and capacity from: %s", fit.trainRows(), String.join(" ",
        files), fit.test().mapePct(), fit.testRows(), fit.before().mapePct(), d.source());
    Path file = out != null ? out : Path.of(hardware + "-profile.csv");
    HardwareCatalog.write(List.of(d.withSource(how)), file);
    PrintWriter pw = spec.commandLine().getOut();
    pw.printf(Locale.ROOT, "%s: compute_eff %.3f, mem_eff %.3f, dispatch_us %.2f%n", hardware, d.computeEff(),
        d.memEff(), d.dispatchSeconds() * 1e6);
    pw.printf(Locale.ROOT, "MAPE before %.1f %% (all %d rows), fitted %.1f %% (%d training rows), held-out %.1f %% "
        + "(%d rows)%n", fit.before().mapePct(), fit.trainRows() + fit.testRows(), fit.train().mapePct(),
        fit.trainRows(), fit.test().mapePct(), fit.testRows());
    pw.printf(Locale.ROOT, "profile -> %s%n", file);
    pw.flush();
    return 0;
  }
}
