package life.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import life.report.Derived;
import life.report.Objective;
import life.report.Pareto;
import life.report.ResultTable;
import picocli.CommandLine.Command;
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

  @Option(names = "--objectives", paramLabel = "COL:min|max,...",
      description = "Objectives, e.g. tpot_ms:min,tps:max,price_usd:min (default: the sweep file's).")
  String objectives;

  @Option(names = "--by", paramLabel = "COL,...", split = ",", description = "Group columns: one front per group.")
  List<String> by = List.of();

  @Option(names = "--where", paramLabel = "EXPR", description = "Keep only rows where EXPR holds, e.g. fits.")
  String where;

  @Option(names = "--amortize-years", defaultValue = "3",
      description = "Service life over which a device's price is spread, for cost_per_mtok_usd (default ${DEFAULT-VALUE}).")
  double amortizeYears;

  @Option(names = "--usd-per-kwh", defaultValue = "0.15",
      description = "Energy price at TDP, for cost_per_mtok_usd (default ${DEFAULT-VALUE}).")
  double usdPerKwh;

  @Option(names = "--out", paramLabel = "DIR", description = "Where to write pareto.csv/.parquet (default: DIR).")
  Path out;

  @Override
  public Integer call() throws Exception {
    ResultTable t = ResultTable.open(dir);
    Pareto.Result r = Pareto.compute(t, options(t, objectives, by, where, amortizeYears, usdPerKwh));
    Pareto.write(t, r, out != null ? out : dir);
    PrintWriter pw = spec.commandLine().getOut();
    pw.printf(Locale.ROOT, "%d rows read, %d kept by --where, %d groups, %d frontier rows -> %s%n", r.rowsRead(),
        r.rowsKept(), r.fronts().size(), r.frontRows(), (out != null ? out : dir).resolve("pareto.csv"));
    pw.flush();
    return 0;
  }

  static Pareto.Options options(ResultTable t, String objectives, List<String> by, String where, double years,
      double kwh) {
    String spec = objectives;
    if (spec == null) {
      if (t.manifest().objectives.isEmpty()) {
        throw new IllegalArgumentException("the sweep file has no objectives: give --objectives COL:min|max,...");
      }
      spec = String.join(",", t.manifest().objectives);
    }
    return new Pareto.Options(Objective.parseList(spec, Pareto.numericColumns(t)), by, where, new Derived(years, kwh));
  }
}
