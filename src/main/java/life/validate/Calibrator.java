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
 * through a logistic map and dispatch non-negative through an exponential one. The least squares carry a weak prior
 * toward the spec-only efficiencies (ridge residuals in the same parameters), so a fit on a few runs cannot wander far
 * from what the specifications and backend defaults say. A random hold-out split or K-fold cross-validation (fixed
 * seed) measures the error on rows the fit never saw.
 */
public final class Calibrator {
  /**
   * A fit and its errors: before fitting (catalog and device-kind efficiencies, all rows), on the training rows, on
   * the held-out rows, and on the same held-out rows with the backend defaults (the spec-only forecast it must beat).
   */
  public record Fit(HardwareSpec device, life.stack.Efficiencies eff, int trainRows, int testRows, ErrorStats before, ErrorStats train,
      ErrorStats test, ErrorStats testDefaults) {}

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
    return fit(catalog, deviceId, backend, all, holdout, seed, Efficiency.defaults(false), PRIOR_WEIGHT);
  }

  /**
   * As {@link #fit(HardwareCatalog, String, String, List, double, long)}, shrinking toward the efficiencies
   * {@code prior} gives the device (the spec-only forecast's) with weight {@code priorWeight} (0: no prior).
   */
  public static Fit fit(HardwareCatalog catalog, String deviceId, String backend, List<Measurement> all, double holdout,
      long seed, life.scenario.EfficiencyRule prior, double priorWeight) {
    if (!(holdout >= 0 && holdout < 1)) {
      throw new IllegalArgumentException("--holdout must be in [0, 1), got " + holdout);
    }
    Usable u = usable(catalog, deviceId, backend, all, seed);
    List<Measurement> mine = u.rows();
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
    life.stack.Efficiencies fitted = fitRows(catalog, deviceId, backend, train, prior, priorWeight);
    Validator after = new Validator(profiled(catalog, deviceId, fitted), Validator.PLAIN);
    return new Fit(catalog.resolve(deviceId), fitted, train.size(), test.size(), u.before(), ErrorStats.of(after.run(train)),
        ErrorStats.of(after.run(test)), ErrorStats.of(new Validator(catalog, prior).run(test)));
  }

  /**
   * K-fold cross-validation: the device's usable rows split at random ({@code seed}) into {@code folds} parts, each
   * forecast by a fit on the others; the returned device is fitted on every row, and its test errors are those of
   * every row forecast by the fold that left it out (the right judge of a fit on a few runs, where a single hold-out
   * split leaves one or two rows to judge by).
   */
  public static Fit crossValidate(HardwareCatalog catalog, String deviceId, String backend, List<Measurement> all,
      int folds, long seed, life.scenario.EfficiencyRule prior, double priorWeight) {
    Usable u = usable(catalog, deviceId, backend, all, seed);
    List<Measurement> mine = u.rows();
    if (folds < 2 || folds > mine.size()) {
      throw new IllegalArgumentException("--folds must be in [2, " + mine.size() + "] (the usable rows of "
          + deviceId + "), got " + folds);
    }
    if (mine.size() - (mine.size() + folds - 1) / folds < 3) {
      throw new IllegalArgumentException("device " + deviceId + ": " + mine.size() + " usable rows leave fewer than 3 "
          + "training rows in a fold of " + folds + "; use more rows or more folds");
    }
    List<Validator.Outcome> held = new ArrayList<>();
    for (int f = 0; f < folds; f++) {
      List<Measurement> test = new ArrayList<>();
      List<Measurement> train = new ArrayList<>();
      for (int i = 0; i < mine.size(); i++) {
        (i % folds == f ? test : train).add(mine.get(i));
      }
      life.stack.Efficiencies fold = fitRows(catalog, deviceId, backend, train, prior, priorWeight);
      held.addAll(new Validator(profiled(catalog, deviceId, fold), Validator.PLAIN).run(test));
    }
    life.stack.Efficiencies fitted = fitRows(catalog, deviceId, backend, mine, prior, priorWeight);
    Validator after = new Validator(profiled(catalog, deviceId, fitted), Validator.PLAIN);
    return new Fit(catalog.resolve(deviceId), fitted, mine.size(), mine.size(), u.before(), ErrorStats.of(after.run(mine)), ErrorStats.of(held),
        ErrorStats.of(new Validator(catalog, prior).run(mine)));
  }

  /** {@code catalog} with {@code deviceId} carrying the fitted {@code eff} as a calibrated profile would. */
  private static HardwareCatalog profiled(HardwareCatalog catalog, String deviceId, life.stack.Efficiencies eff) {
    return catalog.withDevice(catalog.resolve(deviceId), life.stack.Efficiencies.Overrides.all(eff, "profile:"
        + deviceId));
  }

  /**
   * The device's rows (of one backend when not null) that can be forecast, in a random order ({@code seed}), and
   * their error with the catalog and device-kind efficiencies (the forecasts that told them usable).
   */
  private record Usable(List<Measurement> rows, ErrorStats before) {}

  private static Usable usable(HardwareCatalog catalog, String deviceId, String backend, List<Measurement> all,
      long seed) {
    catalog.resolve(deviceId);
    List<Measurement> mine = new ArrayList<>();
    List<Validator.Outcome> forecasts = new ArrayList<>();
    Validator plain = new Validator(catalog, Validator.PLAIN);
    for (Measurement m : all) {
      if (m.hardware().equals(deviceId) && (backend == null || m.stackName().equals(backend))) {
        Validator.Outcome o = plain.outcome(m);
        if (o.supported()) {
          mine.add(m);
          forecasts.add(o);
        }
      }
    }
    if (mine.size() < 3) {
      java.util.Set<String> backends = new java.util.TreeSet<>();
      all.stream().filter(m -> m.hardware().equals(deviceId)).forEach(m -> backends.add(m.stackName()));
      throw new IllegalArgumentException("device " + deviceId + (backend == null ? "" : " under " + backend)
          + " has " + mine.size() + " usable measurements; calibration needs at least 3 (its rows' backends: "
          + (backends.isEmpty() ? "none" : String.join(", ", backends)) + ")");
    }
    java.util.Collections.shuffle(mine, new Random(seed));
    return new Usable(mine, ErrorStats.of(forecasts));
  }

  /** The device fitted to {@code train}, every row on it. */
  private static life.stack.Efficiencies fitRows(HardwareCatalog catalog, String deviceId, String backend,
      List<Measurement> train, life.scenario.EfficiencyRule prior, double priorWeight) {
    HardwareSpec base = catalog.resolve(deviceId);
    // Every training row is on this device, so the shared fit over them is this device's fit. The fit shrinks toward
    // the spec-only forecast's efficiencies (the backend's defaults on this device kind, else the kind's): a weak
    // prior that a few rows override where they disagree, and that keeps a fit on three to ten rows from drifting to
    // values that fit those rows and nothing else. Each parameter is fitted only where the data supports it, judged
    // by the Bayesian information criterion of the training rows' log errors, and held at the prior's value
    // otherwise: the compute efficiency (batch-1 decode barely loads the matrix units), the host cost per sequence
    // (only on rows of several batch sizes), the host cost per engine step, the cost per sequence and cached token
    // (only on rows of several batch sizes, where it outgrows the per-sequence cost and the cache's bytes), the
    // grouped-query cost per query head, layer and cached token (only on rows with grouped-query decode), and
    // decode's own compute and memory efficiency.
    String stackName = backend != null ? backend : mostCommonBackend(train);
    double[] priorAt = priorParams(prior.apply(base, catalog.fit(deviceId), stackName.equals("none")
        ? life.stack.Stack.NONE : life.stack.Stacks.parse(stackName)));
    boolean sequence = train.stream().mapToInt(Measurement::batch).distinct().count() > 1;
    boolean grouped = train.stream().anyMatch(Calibrator::groupedDecode);
    double[] chosen = null;
    double chosenBic = Double.POSITIVE_INFINITY;
    for (boolean fixedCompute : new boolean[] {false, true}) {
      for (boolean step : new boolean[] {false, true}) {
        for (boolean context : sequence ? new boolean[] {false, true} : new boolean[] {false}) {
          for (boolean gqa : grouped ? new boolean[] {false, true} : new boolean[] {false}) {
            Hosts hosts = new Hosts(sequence, step, context, gqa);
            java.util.function.UnaryOperator<double[]> expand = p -> {
              double[] q = p.clone();
              q[0] = fixedCompute ? priorAt[0] : p[0];
              q[3] = sequence ? p[3] : priorAt[3];
              q[4] = step ? p[4] : priorAt[4];
              q[5] = context ? p[5] : priorAt[5];
              q[6] = gqa ? p[6] : priorAt[6];
              return q;
            };
            int k = 3 + hosts.count() - (fixedCompute ? 1 : 0);
            java.util.function.Function<double[], double[]> res = p -> {
              double[] q = expand.apply(p);
              return concat(sharedResiduals(catalog, train, q), priorResiduals(q, priorAt, priorWeight));
            };
            double[] start = gridStart(res, hosts);
            double[] one = expand.apply(minimize(res, betterStart(res, start, priorAt), hosts));
            double[] perPhase = java.util.Arrays.copyOf(one, PARAMS + 2);
            perPhase[PARAMS] = one[0];
            perPhase[PARAMS + 1] = one[1];
            double[] two = expand.apply(minimize(res, perPhase, hosts));
            for (double[] p : List.of(one, two)) {
              double b = bic(sharedResiduals(catalog, train, p), p.length > PARAMS ? k + 2 : k);
              if (b < chosenBic) {
                chosenBic = b;
                chosen = p;
              }
            }
          }
        }
      }
    }
    return shared(chosen).efficiencies().withOrigin("profile:" + deviceId);
  }

  /**
   * Whether a row has decode steps of a model with grouped-query layers ({@link
   * life.ops.ModelGraph#groupedQueryHeads()}, the forecast's own test), the rows that tell the grouped-query cost per
   * cached token ({@link life.stack.Efficiencies#gqaSeconds()}) apart.
   */
  private static boolean groupedDecode(Measurement m) {
    if (m.metric().equals("prefill_tps") || m.metric().equals("ttft")) {
      return false;
    }
    return life.ops.GraphBuilder.build(life.catalog.ModelCatalog.builtIn().resolve(m.model()),
        life.ops.GraphOptions.defaults(life.spec.DType.FP16)).groupedQueryHeads() > 0;
  }

  /**
   * Efficiencies shared by a group of devices (one backend on one device kind), or one device's; decode's own
   * compute and memory efficiency are 0 where the prefill's serve both phases.
   */
  public record Shared(double computeEff, double memEff, double dispatchUs, double sequenceUs, double stepUs,
      double contextNs, double gqaNs, double decodeComputeEff, double decodeMemEff) {
    public life.stack.Efficiencies efficiencies() {
      return new life.stack.Efficiencies(computeEff, memEff, decodeComputeEff, decodeMemEff, dispatchUs * 1e-6,
          sequenceUs * 1e-6, stepUs * 1e-6, contextNs * 1e-9, gqaNs * 1e-9, "fit");
    }
  }

  /**
   * Which costs beyond the roofline a fit frees (the others held: at the prior's value in a calibration, at none in
   * a backend fit): per sequence, per engine step, per sequence and cached token, and per query head, layer and
   * cached token of a grouped-query decode step (calibration only).
   */
  public record Hosts(boolean sequence, boolean step, boolean context, boolean gqa) {
    public Hosts(boolean sequence, boolean step, boolean context) {
      this(sequence, step, context, false);
    }

    int count() {
      return (sequence ? 1 : 0) + (step ? 1 : 0) + (context ? 1 : 0) + (gqa ? 1 : 0);
    }
  }

  /**
   * Parameters of one fit: compute and memory efficiency (logit), dispatch (log µs), host costs per sequence, per
   * step, per sequence and cached token, and per grouped query head, layer and cached token (softplus scales); a
   * per-phase fit appends decode's two efficiencies.
   */
  private static final int PARAMS = 7;

  /** Weight of the prior's residuals: one unit of log-odds off the prior costs as much as a row 10 % off. */
  public static final double PRIOR_WEIGHT = 0.1;

  /** Parameters of a device's efficiencies (logit, logit, log µs, host-cost parameters). */
  private static double[] priorParams(life.stack.Efficiencies h) {
    return new double[] {logit(h.computeEff()), logit(h.memEff()), Math.log(Math.max(h.dispatchSeconds() * 1e6, 0.01)),
        hostParam(h.sequenceSeconds() * 1e6, SEQUENCE_SCALE_US), hostParam(h.stepSeconds() * 1e6, STEP_SCALE_US),
        hostParam(h.contextSeconds() * 1e9, CONTEXT_SCALE_NS), hostParam(h.gqaSeconds() * 1e9, GQA_SCALE_NS)};
  }

  /**
   * Distance of parameters {@code q} from the prior: efficiencies in log-odds, dispatch in log µs, host costs in
   * log(µs + a wide scale: 100 µs per sequence, 1 ms per step; log(ns + 10) per sequence and cached token), since
   * devices and stacks differ in them by milliseconds (0 to 4.5 ms per step among the backend defaults); decode's
   * efficiencies from the prior's.
   */
  private static double[] priorResiduals(double[] q, double[] prior, double w) {
    double[] r = new double[q.length];
    r[0] = w * (q[0] - prior[0]);
    r[1] = w * (q[1] - prior[1]);
    r[2] = w * (q[2] - prior[2]);
    r[3] = w * (Math.log(hostUs(q[3], SEQUENCE_SCALE_US) + 100) - Math.log(hostUs(prior[3], SEQUENCE_SCALE_US) + 100));
    r[4] = w * (Math.log(hostUs(q[4], STEP_SCALE_US) + 1000) - Math.log(hostUs(prior[4], STEP_SCALE_US) + 1000));
    r[5] = w * (Math.log(hostUs(q[5], CONTEXT_SCALE_NS) + 10) - Math.log(hostUs(prior[5], CONTEXT_SCALE_NS) + 10));
    r[6] = w * (Math.log(hostUs(q[6], GQA_SCALE_NS) + 1) - Math.log(hostUs(prior[6], GQA_SCALE_NS) + 1));
    if (q.length > PARAMS) {
      r[PARAMS] = w * (q[PARAMS] - prior[0]);
      r[PARAMS + 1] = w * (q[PARAMS + 1] - prior[1]);
    }
    return r;
  }

  private static double[] concat(double[] a, double[] b) {
    double[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** The prior's point where it fits better than the grid's {@code start}. */
  private static double[] betterStart(java.util.function.Function<double[], double[]> res, double[] start,
      double[] prior) {
    return sumSq(res.apply(prior)) < sumSq(res.apply(start)) ? prior.clone() : start;
  }

  private static String mostCommonBackend(List<Measurement> ms) {
    return ms.stream().collect(java.util.stream.Collectors.groupingBy(Measurement::stackName,
        java.util.stream.Collectors.counting())).entrySet().stream().max(java.util.Map.Entry.comparingByValue())
        .orElseThrow().getKey();
  }

  /** Bayesian information criterion of a least-squares fit with {@code k} parameters and residuals {@code r}. */
  private static double bic(double[] r, int k) {
    int n = r.length;
    return n * Math.log(Math.max(sumSq(r), 1e-300) / n) + k * Math.log(n);
  }

  /**
   * Fits one set of efficiencies shared by every device of {@code ms} (least squares on log errors): compute and
   * memory efficiency and dispatch overhead, plus the host costs {@code hosts} frees (the others 0), with the
   * compute efficiency held at {@code computeEff} unless it is NaN: for
   * groups whose rows barely load the matrix units (batch-1 decode), where a free compute efficiency is not
   * identified and wanders to values that stand in for something else and do not carry over to another device.
   */
  public static Shared fitShared(HardwareCatalog catalog, List<Measurement> ms, Hosts hosts, double computeEff) {
    double fixedCompute = Double.isNaN(computeEff) ? Double.NaN : logit(computeEff);
    java.util.function.UnaryOperator<double[]> expand = p -> new double[] {
        Double.isNaN(fixedCompute) ? p[0] : fixedCompute, p[1], p[2], hosts.sequence() ? p[3] : NO_HOST,
        hosts.step() ? p[4] : NO_HOST, hosts.context() ? p[5] : NO_HOST, NO_HOST};
    java.util.function.Function<double[], double[]> res = p -> sharedResiduals(catalog, ms, expand.apply(p));
    List<Measurement> few = spread(ms, GRID_ROWS);
    java.util.function.Function<double[], double[]> coarse = p -> sharedResiduals(catalog, few, expand.apply(p));
    return shared(expand.apply(minimize(res, gridStart(coarse, hosts), hosts)));
  }

  /**
   * Rows the grid search of a start point is judged on, at most: the grid only picks where Levenberg-Marquardt
   * starts, on every row, so an even spread of the rows serves it as well as all of them at a fraction of the cost.
   */
  static final int GRID_ROWS = 240;

  /** At most {@code n} of {@code ms}, evenly spread over the list (every row when there are not more). */
  static List<Measurement> spread(List<Measurement> ms, int n) {
    if (ms.size() <= n) {
      return ms;
    }
    List<Measurement> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(ms.get((int) ((long) i * ms.size() / n)));
    }
    return out;
  }

  private static Shared shared(double[] p) {
    return new Shared(Math.max(1e-4, sigmoid(p[0])), Math.max(1e-4, sigmoid(p[1])), Math.min(Math.exp(p[2]), 1e5),
        Math.min(hostUs(p[3], SEQUENCE_SCALE_US), 1e5), Math.min(hostUs(p[4], STEP_SCALE_US), 1e6),
        Math.min(hostUs(p[5], CONTEXT_SCALE_NS), 1e5), Math.min(hostUs(p[6], GQA_SCALE_NS), 1e4),
        p.length > PARAMS ? Math.max(1e-4, sigmoid(p[PARAMS])) : 0,
        p.length > PARAMS + 1 ? Math.max(1e-4, sigmoid(p[PARAMS + 1])) : 0);
  }

  private static double[] sharedResiduals(HardwareCatalog catalog, List<Measurement> ms, double[] p) {
    Shared s = shared(p);
    Validator v = new Validator(catalog, (h, f, st) -> s.efficiencies());
    double[] r = new double[ms.size()];
    for (int i = 0; i < ms.size(); i++) {
      Validator.Outcome o = v.outcome(ms.get(i));
      r[i] = o.supported() ? Math.log(o.predicted() / ms.get(i).canonicalValue()) : 0;
    }
    return r;
  }

  /** The parameter of no host overhead (scale · softplus(−30), nothing next to a kernel launch). */
  private static final double NO_HOST = -30;

  /**
   * Scales of the host costs' parameters: per sequence (tens of µs), per engine step (hundreds of µs), per sequence
   * and cached token (ns: tens of µs per thousand tokens).
   */
  private static final double SEQUENCE_SCALE_US = 10;
  private static final double STEP_SCALE_US = 100;
  private static final double CONTEXT_SCALE_NS = 10;
  /** Scale of the grouped-query cost per query head, layer and cached token (ns; 1.8–2.5 on the MI300X). */
  private static final double GQA_SCALE_NS = 1;

  /** A host cost in µs from its parameter: scale · softplus(p), smooth and non-negative. */
  private static double hostUs(double p, double scale) {
    return scale * (p > 30 ? p : Math.log1p(Math.exp(p)));
  }

  /** The parameter of {@code us} µs of a host cost of scale {@code scale} (the inverse of {@link #hostUs}). */
  private static double hostParam(double us, double scale) {
    double x = us / scale;
    return x <= 0 ? NO_HOST : x > 30 ? x : Math.log(Math.expm1(x));
  }

  /**
   * Levenberg-Marquardt from {@code start} (and, when fitting the host costs, also from the same point with 10 µs
   * per sequence, 1 ms per step or 20 ns per sequence and cached token, since their gradients vanish near zero); the
   * best of the start and the optima.
   */
  private static double[] minimize(java.util.function.Function<double[], double[]> res, double[] start,
      Hosts hosts) {
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
    if (hosts.sequence()) {
      double[] s2 = start.clone();
      s2[3] = hostParam(10, SEQUENCE_SCALE_US);
      starts.add(s2);
    }
    if (hosts.step()) {
      double[] s3 = start.clone();
      s3[4] = hostParam(1000, STEP_SCALE_US);
      starts.add(s3);
    }
    if (hosts.context()) {
      double[] s4 = start.clone();
      s4[5] = hostParam(20, CONTEXT_SCALE_NS);
      starts.add(s4);
    }
    if (hosts.gqa()) {
      double[] s5 = start.clone();
      s5[6] = hostParam(2, GQA_SCALE_NS);
      starts.add(s5);
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
   * The best point of a coarse grid over compute efficiency, memory efficiency (both 0.01 … 1, log-spaced),
   * dispatch overhead (0.3 … 300 µs); where fitted, the host cost per engine step (0.3 … 3 ms) with the memory
   * efficiency around that point: Levenberg-Marquardt starts there, since the roofline's max makes the error
   * surface piecewise and a poor start can stall in a flat region.
   */
  private static double[] gridStart(java.util.function.Function<double[], double[]> residuals, Hosts hosts) {
    double[] effs = {0.01, 0.02, 0.04, 0.07, 0.12, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 0.99};
    double[] disp = {0.3, 1, 3, 10, 30, 100, 300};
    double[] seq = {0, 10, 30, 100};
    double[] best = null;
    double bestErr = Double.POSITIVE_INFINITY;
    for (double ce : effs) {
      for (double me : effs) {
        for (double d : disp) {
          double[] p = {logit(ce), logit(me), Math.log(d), NO_HOST, NO_HOST, NO_HOST, NO_HOST};
          double e = sumSq(residuals.apply(p));
          if (e < bestErr) {
            bestErr = e;
            best = p;
          }
        }
      }
    }
    // A host cost per engine step trades against memory efficiency: searched with it, around the best point.
    double[] base = best.clone();
    for (double st : hosts.step() ? new double[] {300, 1000, 3000} : new double[0]) {
      for (double me : effs) {
        double[] p = base.clone();
        p[1] = logit(me);
        p[4] = hostParam(st, STEP_SCALE_US);
        double e = sumSq(residuals.apply(p));
        if (e < bestErr) {
          bestErr = e;
          best = p;
        }
      }
    }
    // Host overhead per sequence only matters at larger batches: searched around the best efficiencies.
    double[] around = best.clone();
    for (double sq : hosts.sequence() ? seq : new double[0]) {
      double[] p = around.clone();
      p[3] = hostParam(sq, SEQUENCE_SCALE_US);
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
