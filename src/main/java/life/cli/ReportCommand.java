package life.cli;

import java.util.Locale;
import life.report.Report;
import life.report.ResultTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code life report DIR}: the self-contained HTML report and summary.csv of a sweep's results. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Write report.html (self-contained, opens offline) and summary.csv into a sweep result folder.")
final class ReportCommand extends FrontCommand {
  @Option(names = "--top", defaultValue = "5", description = "Rows of each group's recommendation table.")
  int top;

  @Override
  void run(ResultTable t) throws Exception {
    if (top <= 0) {
      throw new UsageError("--top must be positive, got " + top);
    }
    int charts = Report.write(t, front.options(t), top, dir);
    spec.commandLine().getOut().printf(Locale.ROOT, "%d charts -> %s and %s%n", charts, dir.resolve("report.html"),
        dir.resolve("summary.csv"));
  }
}
