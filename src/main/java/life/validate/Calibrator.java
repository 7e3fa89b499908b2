package life.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import life.catalog.HardwareCatalog;
import life.spec.HardwareSpec;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresBuilder;
import org.apache.commons.math3.fitting.leastsquares.LevenbergMarquardtOptimizer;
import org.apache.commons.math3.fitting.leastsquares.MultivariateJacobianFunction;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.util.Pair;

/**
 * Fits a device's efficiencies to its measurements: compute efficiency (which bounds compute-heavy prefill), memory
 * efficiency (which bounds decode) and the per-kernel dispatch overhead, by least squares on log errors
 * (Levenberg-Marquardt, commons-math3), so that fast and slow metrics weigh alike. Efficiencies are kept in (0, 1]
 * through a logistic map and dispatch non-negative through an exponential one. A random hold-out split (fixed seed)
 * measures the error on rows the fit never saw.
 */
public final class Calibrator {
  /** A fit and its errors. */
  public record Fit(HardwareSpec device, int trainRows, int testRows, ErrorStats before, ErrorStats train,
      ErrorStats test) {}

  private Calibrator() {}

  /**
   * Fits {@code deviceId}'s efficiencies on a {@code 1 − holdout} share of its supported measurements and reports
   * the error on the rest (and on the training rows, and before fitting).
   */
  public static Fit fit(HardwareCatalog catalog, String deviceId, List<Measurement> all, double holdout, long seed) {
    return fit(catalog, deviceId, null, all, holdout, seed);
  }

  /** As {@link #fit(HardwareCatalog, String, List, double, long)}, on the rows of one backend when not null. */
  public static Fit fit(HardwareCatalog catalog, String deviceId, String backend, List<Measurement> all,
      double holdout, long seed) {
    if (!(holdout >= 0 && holdout < 1)) {
      throw new IllegalArgumentException("--holdout must be in [0, 1), got " + holdout);
    }
    HardwareSpec base = catalog.resolve(deviceId);
    List<Measurement> mine = new ArrayList<>();
    Validator plain = new Validator(catalog, (h, b) -> h);
    for (Measurement m : all) {
      if (m.hardware().equals(deviceId) && (backend == null || m.backend().equals(backend))
          && plain.outcome(m).supported()) {
        mine.add(m);
      }
    }
    if (mine.size() < 3) {
      throw new IllegalArgumentException("device " + deviceId + (backend == null ? "" : " under " + backend)
          + " has " + mine.size() + " usable measurements; calibration needs at least 3");
    }
    java.util.Collections.shuffle(mine, new Random(seed));
    int testN = (int) Math.round(mine.size() * holdout);
    if (holdout > 0 && testN == 0) {
      testN = 1;
    }
    List<Measurement> test = mine.subList(0, testN);
    List<Measurement> train = mine.subList(testN, mine.size());
    if (train.size() < 3) {
      throw new IllegalArgumentException("device " + deviceId + ": " + train.size() + " training rows after the "
          + "hold-out; lower --holdout");
    }
    // Every training row is on this device, so the shared fit over them is this device's fit. Each parameter only
    // where the data supports it, judged by the Bayesian information criterion of the training rows' log errors:
    // the compute efficiency fitted or held at the device kind's (batch-1 decode barely loads the matrix units), the
    // host cost per sequence only on rows of several batch sizes, and decode's own compute and memory efficiency.
    boolean sequence = train.stream().mapToInt(Measurement::batch).distinct().count() > 1;
    double kindCompute = logit(base.kind().defaultComputeEff());
    double[] chosen = null;
    double chosenBic = Double.POSITIVE_INFINITY;
    for (boolean fixedCompute : new boolean[] {false, true}) {
      java.util.function.UnaryOperator<double[]> expand = p -> {
        double[] q = p.clone();
        q[0] = fixedCompute ? kindCompute : p[0];
        q[3] = sequence ? p[3] : NO_SEQUENCE;
        return q;
      };
      int k = 4 - (fixedCompute ? 1 : 0) - (sequence ? 0 : 1);
      java.util.function.Function<double[], double[]> res = p -> sharedResiduals(catalog, train, expand.apply(p));
      double[] four = expand.apply(minimize(res, gridStart(res, sequence), sequence));
      double[] six = expand.apply(minimize(res, new double[] {four[0], four[1], four[2], four[3], four[0], four[1]},
          sequence));
      for (double[] p : List.of(four, six)) {
        double b = bic(sharedResiduals(catalog, train, p), p.length == 6 ? k + 2 : k);
        if (b < chosenBic) {
          chosenBic = b;
          chosen = p;
        }
      }
    }
    HardwareSpec fitted = shared(chosen).applyTo(base);
    Validator before = new Validator(catalog, (h, b) -> h);
    Validator after = new Validator(catalog.withDevice(fitted), (h, b) -> h);
    return new Fit(fitted, train.size(), test.size(), ErrorStats.of(before.run(mine)), ErrorStats.of(after.run(train)),
        ErrorStats.of(after.run(test)));
  }

  /**
   * Efficiencies shared by a group of devices (one backend on one device kind), or one device's; decode's own
   * compute and memory efficiency are 0 where the prefill's serve both phases.
   */
  public record Shared(double computeEff, double memEff, double dispatchUs, double sequenceUs,
      double decodeComputeEff, double decodeMemEff) {
    public Shared(double computeEff, double memEff, double dispatchUs, double sequenceUs) {
      this(computeEff, memEff, dispatchUs, sequenceUs, 0, 0);
    }

    public HardwareSpec applyTo(HardwareSpec h) {
      return h.withEfficiency(computeEff, memEff, dispatchUs * 1e-6).withSequenceSeconds(sequenceUs * 1e-6)
          .withDecodeEfficiency(decodeComputeEff, decodeMemEff);
    }
  }

  /** Bayesian information criterion of a least-squares fit with {@code k} parameters and residuals {@code r}. */
  private static double bic(double[] r, int k) {
    int n = r.length;
    return n * Math.log(Math.max(sumSq(r), 1e-300) / n) + k * Math.log(n);
  }

  /**
   * Fits one set of efficiencies shared by every device of {@code ms} (least squares on log errors); without
   * {@code sequence} the host overhead per sequence stays 0 (three parameters instead of four), for groups where the
   * extra parameter does not pay off on held-out devices.
   */
  public static Shared fitShared(HardwareCatalog catalog, List<Measurement> ms, boolean sequence) {
    return fitShared(catalog, ms, sequence, Double.NaN);
  }

  /**
   * As {@link #fitShared(HardwareCatalog, List, boolean)}, with the compute efficiency held at {@code computeEff}
   * unless it is NaN: for groups whose rows barely load the matrix units (batch-1 decode), where a free compute
   * efficiency is not identified and wanders to values that stand in for something else and do not carry over to
   * another device.
   */
  public static Shared fitShared(HardwareCatalog catalog, List<Measurement> ms, boolean sequence,
      double computeEff) {
    double fixedCompute = Double.isNaN(computeEff) ? Double.NaN : logit(computeEff);
    java.util.function.UnaryOperator<double[]> expand = p -> new double[] {
        Double.isNaN(fixedCompute) ? p[0] : fixedCompute, p[1], p[2], sequence ? p[3] : NO_SEQUENCE};
    java.util.function.Function<double[], double[]> res = p -> sharedResiduals(catalog, ms, expand.apply(p));
    return shared(expand.apply(minimize(res, gridStart(res, sequence), sequence)));
  }

  private static Shared shared(double[] p) {
    return new Shared(Math.max(1e-4, sigmoid(p[0])), Math.max(1e-4, sigmoid(p[1])), Math.min(Math.exp(p[2]), 1e5),
        Math.min(sequenceUs(p[3]), 1e5), p.length > 4 ? Math.max(1e-4, sigmoid(p[4])) : 0,
        p.length > 5 ? Math.max(1e-4, sigmoid(p[5])) : 0);
  }

  private static double[] sharedResiduals(HardwareCatalog catalog, List<Measurement> ms, double[] p) {
    Shared s = shared(p);
    Validator v = new Validator(catalog, (h, b) -> s.applyTo(h));
    double[] r = new double[ms.size()];
    for (int i = 0; i < ms.size(); i++) {
      Validator.Outcome o = v.outcome(ms.get(i));
      r[i] = o.supported() ? Math.log(o.predicted() / ms.get(i).canonicalValue()) : 0;
    }
    return r;
  }

  /** The parameter of no host overhead per sequence (10 · softplus(−30) µs, nothing next to a kernel launch). */
  private static final double NO_SEQUENCE = -30;

  /** Host overhead per sequence in µs from its parameter: 10 · softplus(p), smooth and non-negative. */
  private static double sequenceUs(double p) {
    return 10 * (p > 30 ? p : Math.log1p(Math.exp(p)));
  }

  /** The parameter of {@code us} µs of host overhead per sequence (the inverse of {@link #sequenceUs}). */
  private static double sequenceParam(double us) {
    double x = us / 10;
    return x <= 0 ? NO_SEQUENCE : x > 30 ? x : Math.log(Math.expm1(x));
  }

  /**
   * Levenberg-Marquardt from {@code start} (and, when fitting the host overhead, also from the same point with
   * 10 µs of it, since the overhead's gradient vanishes near zero); the best of the start and the optima.
   */
  private static double[] minimize(java.util.function.Function<double[], double[]> res, double[] start,
      boolean sequence) {
    MultivariateJacobianFunction model = point -> {
      double[] p = point.toArray();
      double[] f = res.apply(p);
      double[][] j = new double[f.length][p.length];
      for (int k = 0; k < p.length; k++) {
        double[] q = p.clone();
        q[k] += 1e-4;
        double[] g = res.apply(q);
        for (int i = 0; i < f.length; i++) {
          j[i][k] = (g[i] - f[i]) / 1e-4;
        }
      }
      return new Pair<>(new ArrayRealVector(f, false), new Array2DRowRealMatrix(j, false));
    };
    List<double[]> starts = new ArrayList<>(List.of(start));
    if (sequence) {
      double[] s2 = start.clone();
      s2[3] = sequenceParam(10);
      starts.add(s2);
    }
    double[] best = start;
    double bestErr = sumSq(res.apply(start));
    for (double[] s : starts) {
      double[] p;
      try {
        p = new LevenbergMarquardtOptimizer().optimize(new LeastSquaresBuilder().start(s).model(model)
            .target(new double[res.apply(s).length]).maxEvaluations(2000).maxIterations(500).build()).getPoint()
            .toArray();
      } catch (org.apache.commons.math3.exception.MathIllegalStateException e) {
        continue;
      }
      double err = sumSq(res.apply(p));
      if (err < bestErr) {
        bestErr = err;
        best = p;
      }
    }
    return best;
  }

  /**
   * The best point of a coarse grid over compute efficiency, memory efficiency (both 0.01 … 1, log-spaced) and
   * dispatch overhead (0.3 … 300 µs): Levenberg-Marquardt starts there, since the roofline's max makes the error
   * surface piecewise and a poor start can stall in a flat region.
   */
  private static double[] gridStart(java.util.function.Function<double[], double[]> residuals, boolean sequence) {
    double[] effs = {0.01, 0.02, 0.04, 0.07, 0.12, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 0.99};
    double[] disp = {0.3, 1, 3, 10, 30, 100, 300};
    double[] seq = {0, 10, 30, 100};
    double[] best = null;
    double bestErr = Double.POSITIVE_INFINITY;
    for (double ce : effs) {
      for (double me : effs) {
        for (double d : disp) {
          double[] p = {logit(ce), logit(me), Math.log(d), NO_SEQUENCE};
          double e = sumSq(residuals.apply(p));
          if (e < bestErr) {
            bestErr = e;
            best = p;
          }
        }
      }
    }
    // Host overhead per sequence only matters at larger batches: searched around the best efficiencies.
    double[] around = best.clone();
    for (double sq : sequence ? seq : new double[0]) {
      double[] p = around.clone();
      p[3] = sequenceParam(sq);
      double e = sumSq(residuals.apply(p));
      if (e < bestErr) {
        bestErr = e;
        best = p;
      }
    }
    return best;
  }

  private static double sumSq(double[] r) {
    double s = 0;
    for (double x : r) {
      s += x * x;
    }
    return s;
  }


  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static double logit(double p) {
    double q = Math.min(Math.max(p, 1e-3), 0.999);
    return Math.log(q / (1 - q));
  }
}
