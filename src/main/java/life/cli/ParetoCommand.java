package life.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import life.report.Pareto;
import life.report.ResultTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code life pareto DIR}: exact non-dominated rows per group of a sweep's results. */
@Command(name = "pareto", mixinStandardHelpOptions = true,
    description = "Pareto frontiers of a sweep result folder: writes pareto.csv and pareto.parquet into it.")
final class ParetoCommand extends FrontCommand {
  @Option(names = "--out", paramLabel = "DIR", description = "Where to write pareto.csv/.parquet (default: DIR).")
  Path out;

  @Override
  Path target() {
    return out != null ? out : dir;
  }

  @Override
  void run(ResultTable t) throws Exception {
    Pareto.Result r = Pareto.compute(t, front.options(t));
    Pareto.write(t, r, target());
    PrintWriter pw = spec.commandLine().getOut();
    pw.printf(Locale.ROOT, "%d rows read, %d kept by --where, %d groups, %d frontier rows -> %s%n", r.rowsRead(),
        r.rowsKept(), r.fronts().size(), r.frontRows(), (out != null ? out : dir).resolve("pareto.csv"));
  }
}
