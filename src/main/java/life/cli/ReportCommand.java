package life.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import life.report.Report;
import life.report.ResultTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code life report DIR}: the self-contained HTML report and summary.csv of a sweep's results. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Write report.html (self-contained, opens offline) and summary.csv into a sweep result folder.")
final class ReportCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "Sweep result folder (results/<name>).")
  Path dir;

  @Mixin FrontOptions front = new FrontOptions();

  @Option(names = "--top", defaultValue = "5", description = "Rows of each group's recommendation table.")
  int top;

  @Override
  public Integer call() throws Exception {
    if (top <= 0) {
      throw new IllegalArgumentException("--top must be positive, got " + top);
    }
    ResultTable t = ResultTable.open(dir);
    int charts = Report.write(t, front.options(t), top, dir);
    spec.commandLine().getOut().printf(Locale.ROOT, "%d charts -> %s and %s%n", charts, dir.resolve("report.html"),
        dir.resolve("summary.csv"));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
