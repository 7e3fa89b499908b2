package life.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import life.stack.Intervals;
import life.stack.Intervals.Band;
import life.stack.Intervals.Basis;
import life.stack.Intervals.Phase;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * Forecast intervals from held-out residuals ({@link Intervals}): for each basis of the forecasts (a stack's fitted
 * defaults, or the device kind's), the 10th and 90th percentile of measured / forecast time per stack, per engine
 * and over every stack, each in its phase and in any phase, each kept with at least {@link Intervals#MIN_ROWS} rows. Their coverage is checked the same way the forecasts are: each source's rows against
 * bands made without that source.
 */
public final class IntervalFit {
  private IntervalFit() {}

  /** The phase a metric times. */
  public static Phase phase(String metric) {
    return switch (metric) {
      case "ttft", "prefill_tps" -> Phase.PREFILL;
      case "tpot", "decode_tps" -> Phase.DECODE;
      default -> Phase.REQUEST;
    };
  }

  /** Measured time / forecast time of a forecast row (a rate's ratio inverted). */
  public static double timeRatio(Validator.Outcome o) {
    double r = o.predicted() / o.m().canonicalValue();
    return o.m().metric().endsWith("_tps") ? r : 1 / r;
  }

  /** The basis of an outcome's forecast. */
  public static Basis basis(Validator.Outcome o) {
    return Basis.of(o.efficiencies());
  }

  /** Bands from held-out outcomes (unsupported ones are skipped). */
  public static List<Band> fit(List<Validator.Outcome> heldOut) {
    Map<String, List<Double>> by = new TreeMap<>();
    for (Validator.Outcome o : heldOut) {
      if (!o.supported() || !(o.predicted() > 0)) {
        continue;
      }
      String stack = o.m().stackName();
      double t = timeRatio(o);
      List<String> stacks = new ArrayList<>(List.of(stack, "*"));
      if (stack.contains("/")) {
        stacks.add(stack.substring(0, stack.indexOf('/')) + "/*");
      }
      for (Phase p : new Phase[] {phase(o.m().metric()), Phase.ANY}) {
        for (String k : stacks) {
          by.computeIfAbsent(basis(o).id() + "|" + k + "|" + p.id(), x -> new ArrayList<>()).add(t);
        }
      }
    }
    List<Band> out = new ArrayList<>();
    for (Map.Entry<String, List<Double>> e : by.entrySet()) {
      List<Double> v = e.getValue();
      if (v.size() < Intervals.MIN_ROWS) {
        continue;
      }
      double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
      String[] k = e.getKey().split("\\|");
      Percentile pc = new Percentile();
      out.add(new Band(Basis.parse(k[0]), k[1], Phase.parse(k[2]), a.length, pc.evaluate(a, 10), pc.evaluate(a, 90)));
    }
    return out;
  }

  /** Whether a held-out outcome's measured value lies in the 80 % interval of its forecast under {@code bands}. */
  public static boolean covered(Validator.Outcome o, List<Band> bands) {
    Band b = Intervals.of(bands, basis(o), o.m().stackName(), phase(o.m().metric()));
    if (b == null) {
      return false;
    }
    double t = timeRatio(o);
    return t >= b.lo() && t <= b.hi();
  }

  /**
   * For each supported held-out outcome, whether the interval of bands fitted without its source covers it (the
   * honest coverage: a source's own residuals never set its interval); in the order of {@code heldOut}, unsupported
   * outcomes left out.
   */
  public static Map<Validator.Outcome, Boolean> coverageBySource(List<Validator.Outcome> heldOut) {
    Map<String, List<Validator.Outcome>> bySource = new LinkedHashMap<>();
    heldOut.stream().filter(Validator.Outcome::supported)
        .forEach(o -> bySource.computeIfAbsent(HeldOut.source(o.m()), k -> new ArrayList<>()).add(o));
    Map<Validator.Outcome, Boolean> out = new java.util.IdentityHashMap<>();
    Map<String, List<Band>> folds = new HashMap<>();
    for (String s : bySource.keySet()) {
      folds.put(s, fit(heldOut.stream().filter(o -> !HeldOut.source(o.m()).equals(s)).toList()));
    }
    for (Map.Entry<String, List<Validator.Outcome>> e : bySource.entrySet()) {
      List<Band> bands = folds.get(e.getKey());
      e.getValue().forEach(o -> out.put(o, covered(o, bands)));
    }
    return out;
  }

  /** Share of {@code flags} that are true, in percent. */
  public static double pct(java.util.Collection<Boolean> flags) {
    return flags.isEmpty() ? Double.NaN : 100.0 * flags.stream().filter(b -> b).count() / flags.size();
  }
}
