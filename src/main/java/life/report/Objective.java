package life.report;

import java.util.ArrayList;
import java.util.List;

/** One Pareto objective: a numeric column (or derived metric) to minimize or maximize. */
public record Objective(String column, boolean maximize) {
  /** Parses {@code col:min,col:max,...}, checking every column against {@code valid}. */
  public static List<Objective> parseList(String spec, List<String> valid) {
    List<Objective> out = new ArrayList<>();
    for (String part : spec.split("\\s*,\\s*")) {
      String[] p = part.trim().split(":");
      if (p.length != 2 || !(p[1].equals("min") || p[1].equals("max"))) {
        throw new IllegalArgumentException("objective '" + part + "' must be column:min or column:max");
      }
      if (!valid.contains(p[0])) {
        throw new IllegalArgumentException("unknown objective column '" + p[0] + "' (valid: " + String.join(", ", valid)
            + ")");
      }
      out.add(new Objective(p[0], p[1].equals("max")));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("give at least one objective");
    }
    return out;
  }

  /** The value to minimize: maximized objectives negated; a missing value (NaN) is the worst possible. */
  public double cost(double v) {
    if (Double.isNaN(v)) {
      return Double.POSITIVE_INFINITY;
    }
    return maximize ? -v : v;
  }

  @Override
  public String toString() {
    return column + (maximize ? ":max" : ":min");
  }
}
