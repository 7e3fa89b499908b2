package life.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import life.catalog.HardwareCatalog;
import life.spec.HardwareSpec;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresBuilder;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresOptimizer;
import org.apache.commons.math3.fitting.leastsquares.LevenbergMarquardtOptimizer;
import org.apache.commons.math3.fitting.leastsquares.MultivariateJacobianFunction;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.RealVector;
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
    if (!(holdout >= 0 && holdout < 1)) {
      throw new IllegalArgumentException("--holdout must be in [0, 1), got " + holdout);
    }
    HardwareSpec base = catalog.resolve(deviceId);
    List<Measurement> mine = new ArrayList<>();
    Validator plain = new Validator(catalog, (h, b) -> h);
    for (Measurement m : all) {
      if (m.hardware().equals(deviceId) && plain.outcome(m).supported()) {
        mine.add(m);
      }
    }
    if (mine.size() < 3) {
      throw new IllegalArgumentException("device " + deviceId + " has " + mine.size() + " usable measurements; "
          + "calibration needs at least 3");
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
    double[] start = {logit(base.computeEff()), logit(base.memEff()), Math.log(Math.max(base.dispatchSeconds() * 1e6,
        0.1))};
    MultivariateJacobianFunction model = point -> {
      double[] p = point.toArray();
      double[] f = residuals(catalog, base, train, p);
      double[][] j = new double[f.length][p.length];
      for (int k = 0; k < p.length; k++) {
        double[] q = p.clone();
        double h = 1e-4;
        q[k] += h;
        double[] g = residuals(catalog, base, train, q);
        for (int i = 0; i < f.length; i++) {
          j[i][k] = (g[i] - f[i]) / h;
        }
      }
      return new Pair<>(new ArrayRealVector(f, false), new Array2DRowRealMatrix(j, false));
    };
    LeastSquaresOptimizer.Optimum opt = new LevenbergMarquardtOptimizer().optimize(new LeastSquaresBuilder()
        .start(start).model(model).target(new double[train.size()]).maxEvaluations(2000).maxIterations(500)
        .build());
    RealVector best = opt.getPoint();
    HardwareSpec fitted = apply(base, best.toArray());
    Validator before = new Validator(catalog, (h, b) -> h);
    Validator after = new Validator(catalog.withDevice(fitted), (h, b) -> h);
    return new Fit(fitted, train.size(), test.size(), ErrorStats.of(before.run(mine)), ErrorStats.of(after.run(train)),
        ErrorStats.of(after.run(test)));
  }

  private static double[] residuals(HardwareCatalog catalog, HardwareSpec base, List<Measurement> ms, double[] p) {
    HardwareSpec h = apply(base, p);
    Validator v = new Validator(catalog.withDevice(h), (x, b) -> x);
    double[] r = new double[ms.size()];
    for (int i = 0; i < ms.size(); i++) {
      Validator.Outcome o = v.outcome(ms.get(i));
      r[i] = o.supported() ? Math.log(o.predicted() / ms.get(i).canonicalValue()) : 0;
    }
    return r;
  }

  static HardwareSpec apply(HardwareSpec base, double[] p) {
    return base.withEfficiency(Math.max(1e-4, sigmoid(p[0])), Math.max(1e-4, sigmoid(p[1])),
        Math.min(Math.exp(p[2]), 1e5) * 1e-6);
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static double logit(double p) {
    double q = Math.min(Math.max(p, 1e-3), 0.999);
    return Math.log(q / (1 - q));
  }
}
