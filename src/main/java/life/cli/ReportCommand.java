package life.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import life.report.Report;
import life.report.ResultTable;
import picocli.CommandLine.Command;
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

  @Option(names = "--objectives", paramLabel = "COL:min|max,...", description = "Objectives (default: the sweep's).")
  String objectives;

  @Option(names = "--by", paramLabel = "COL,...", split = ",", description = "Group columns: one front per group.")
  List<String> by = List.of();

  @Option(names = "--where", paramLabel = "EXPR", description = "Keep only rows where EXPR holds, e.g. fits.")
  String where;

  @Option(names = "--top", defaultValue = "5", description = "Rows of each group's recommendation table.")
  int top;

  @Option(names = "--amortize-years", defaultValue = "3", description = "For cost_per_mtok_usd (default 3).")
  double amortizeYears;

  @Option(names = "--usd-per-kwh", defaultValue = "0.15", description = "For cost_per_mtok_usd (default 0.15).")
  double usdPerKwh;

  @Override
  public Integer call() throws Exception {
    if (top <= 0) {
      throw new IllegalArgumentException("--top must be positive, got " + top);
    }
    ResultTable t = ResultTable.open(dir);
    int charts = Report.write(t, ParetoCommand.options(t, objectives, by, where, amortizeYears, usdPerKwh), top, dir);
    spec.commandLine().getOut().printf(Locale.ROOT, "%d charts -> %s and %s%n", charts, dir.resolve("report.html"),
        dir.resolve("summary.csv"));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
