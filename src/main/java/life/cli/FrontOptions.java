package life.cli;

import java.util.List;
import life.report.Derived;
import life.report.Objective;
import life.report.Pareto;
import life.report.ResultTable;
import picocli.CommandLine.Option;

/** The options that define Pareto fronts, shared by {@code life pareto} and {@code life report}. */
final class FrontOptions {
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

  Pareto.Options options(ResultTable t) {
    List<Objective> list;
    if (objectives != null) {
      list = Objective.parseList(objectives, Pareto.numericColumns(t));
    } else if (t.manifest().objectives.isEmpty()) {
      throw new IllegalArgumentException("the sweep file has no objectives: give --objectives COL:min|max,...");
    } else {
      try {
        list = Objective.parseList(String.join(",", t.manifest().objectives), Pareto.numericColumns(t));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(t.dir().resolve("manifest.json") + ": field 'objectives': "
            + e.getMessage() + "; or give --objectives COL:min|max,...", e);
      }
    }
    return new Pareto.Options(list, by, where, new Derived(amortizeYears, usdPerKwh));
  }
}
