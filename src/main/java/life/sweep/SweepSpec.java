package life.sweep;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A parsed, validated sweep: its axes in declaration order (each a list of values as text, already checked), the
 * {@code where} constraints and the Pareto objectives.
 *
 * @param name sweep name (the file's {@code name}, else its file name without extension)
 * @param file where it was read from
 * @param sha256 hash of the file's bytes, recorded in manifests so a resume or merge never mixes sweeps
 * @param axes every axis, declared ones first in file order, the others after as one-value defaults
 * @param where constraints a point must satisfy to be written
 * @param objectives {@code column:min|max} pairs for the Pareto step
 * @param hardwareFiles extra device files, resolved against the sweep file's folder
 * @param intervals whether rows carry each time and rate's 80 % interval ({@link life.stack.Intervals})
 */
public record SweepSpec(String name, Path file, String sha256, List<Axis> axes, List<Constraint> where,
    List<String> objectives, List<Path> hardwareFiles, boolean intervals) {

  /** One axis: its values as canonical text, and the line it was declared on (0 for defaults). */
  public record Axis(AxisName name, List<String> values, int line) {
    public Axis {
      values = List.copyOf(values);
    }
  }

  public SweepSpec {
    axes = List.copyOf(axes);
    where = List.copyOf(where);
    objectives = List.copyOf(objectives);
    hardwareFiles = List.copyOf(hardwareFiles);
  }

  /** Number of points of the full grid (before constraints). */
  public long points() {
    long n = 1;
    for (Axis a : axes) {
      n = Math.multiplyExact(n, a.values().size());
    }
    return n;
  }

  public Map<AxisName, Integer> axisIndex() {
    java.util.EnumMap<AxisName, Integer> m = new java.util.EnumMap<>(AxisName.class);
    for (int i = 0; i < axes.size(); i++) {
      m.put(axes.get(i).name(), i);
    }
    return m;
  }
}
