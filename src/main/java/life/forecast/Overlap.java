package life.forecast;

import life.spec.Names;

/**
 * How compute and memory time combine.
 *
 * <ul>
 *   <li>{@link #OPERATOR} (default): per-operator roofline, {@code Σ_op max(ops/(ec·peak), bytes/(em·bw)) +
 *       dispatches·t_dispatch}: each kernel is bound by its own limit, none overlaps the next.
 *   <li>{@link #PHASE}: the paper's Eq. 1-3 (docs/method.md), sum each term over the phase then take the max,
 *       {@code max(Σ ops/(ec·peak), Σ bytes/(em·bw)) + Σ dispatches·t_dispatch}: compute of one kernel hides memory
 *       traffic of another. Never slower than {@link #OPERATOR}.
 * </ul>
 */
public enum Overlap {
  OPERATOR,
  PHASE;

  public String id() {
    return Names.id(this);
  }

  public static Overlap parse(String s) {
    return Names.parse(Overlap.class, s, "overlap");
  }
}
