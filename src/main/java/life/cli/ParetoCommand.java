package life.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import life.report.Pareto;
import life.report.ResultTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code life pareto DIR}: exact non-dominated rows per group of a sweep's results. */
@Command(name = "pareto", mixinStandardHelpOptions = true,
    description = "Pareto frontiers of a sweep result folder: writes pareto.csv and pareto.parquet into it.")
final class ParetoCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "Sweep result folder (results/<name>).")
  Path dir;

  @Mixin FrontOptions front = new FrontOptions();

  @Option(names = "--out", paramLabel = "DIR", description = "Where to write pareto.csv/.parquet (default: DIR).")
  Path out;

  @Override
  public Integer call() throws Exception {
    ResultTable t = ResultTable.open(dir);
    Pareto.Result r = Pareto.compute(t, front.options(t));
    Pareto.write(t, r, out != null ? out : dir);
    PrintWriter pw = spec.commandLine().getOut();
    pw.printf(Locale.ROOT, "%d rows read, %d kept by --where, %d groups, %d frontier rows -> %s%n", r.rowsRead(),
        r.rowsKept(), r.fronts().size(), r.frontRows(), (out != null ? out : dir).resolve("pareto.csv"));
    pw.flush();
    return 0;
  }
}
