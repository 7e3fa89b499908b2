package life.forecast;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import life.ops.ModelGraph;
import life.ops.OpCost;
import life.ops.Operator;
import life.spec.HardwareSpec;

/**
 * Turns a model graph into times on one device: the roofline combine of {@link Overlap}, the prefill as one call and
 * the decode in closed form.
 *
 * <p>Closed-form decode (our derivation, see DESIGN.md): decode step j ∈ [1, output − 1] is a call with past
 * {@code prompt + j − 1} and present 1. Every operator's ops and bytes are affine in the past length between the
 * sliding-window breakpoints, so its roofline time is the max of two affine functions, whose sum over a range of
 * integers has a closed form split at the crossing point. The cost of a forecast is therefore O(operators), whatever
 * the output length.
 *
 * <p>A forecaster is immutable and thread-safe; build one per (model graph, device, overlap) and reuse it.
 */
public final class Forecaster {
  private final ModelGraph graph;
  private final HardwareSpec hw;
  private final Overlap overlap;
  private final Operator[] ops;
  private final double[] mult;
  private final double[] secPerOp;
  private final double[] dispatchSec;
  private final double secPerByte;
  private final long[] cuts;
  private final double weightBytes;
  private final java.util.concurrent.ConcurrentHashMap<Integer, DecodeTable> tables =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.function.Function<Integer, DecodeTable> tableMaker = this::table;
  private volatile DecodeTable lastTable;

  public Forecaster(ModelGraph graph, HardwareSpec hw, Overlap overlap) {
    this.graph = graph;
    this.hw = hw;
    this.overlap = overlap;
    Device d = new Device(hw);
    List<Operator> list = new ArrayList<>();
    List<Double> m = new ArrayList<>();
    graph.head().forEach(o -> {
      list.add(o);
      m.add(1.0);
    });
    TreeSet<Long> windows = new TreeSet<>();
    for (ModelGraph.LayerGroup g : graph.groups()) {
      for (Operator o : g.ops()) {
        list.add(o);
        m.add((double) g.count());
      }
      if (g.window() > 0) {
        windows.add((long) g.window());
      }
    }
    graph.tail().forEach(o -> {
      list.add(o);
      m.add(1.0);
    });
    int n = list.size();
    ops = list.toArray(new Operator[0]);
    mult = new double[n];
    secPerOp = new double[n];
    dispatchSec = new double[n];
    secPerByte = 1.0 / d.bytesPerSecond();
    for (int i = 0; i < n; i++) {
      mult[i] = m.get(i);
      secPerOp[i] = 1.0 / d.opsPerSecond(ops[i]);
      dispatchSec[i] = d.dispatchSeconds();
    }
    cuts = windows.stream().mapToLong(Long::longValue).toArray();
    weightBytes = graph.weightBytes();
  }

  public ModelGraph graph() {
    return graph;
  }

  public HardwareSpec hardware() {
    return hw;
  }

  /** Total work of one call over all operators and layers. */
  public OpCost stepCost(long past, long present, int batch) {
    double o = 0;
    double r = 0;
    double w = 0;
    double disp = 0;
    for (int i = 0; i < ops.length; i++) {
      OpCost c = ops[i].cost(past, present, batch);
      o += mult[i] * c.ops();
      r += mult[i] * c.bytesRead();
      w += mult[i] * c.bytesWritten();
      disp += mult[i] * c.dispatches();
    }
    return new OpCost(o, r, w, disp);
  }

  /** Seconds of one call (a prefill, or one decode step). */
  public double callSeconds(long past, long present, int batch) {
    return call(past, present, batch).time;
  }

  /** Time, work and transient memory of one call. */
  private static final class Call {
    double time;
    double compute;
    double memory;
    double ops;
    double bytes;
    double transientBytes;
  }

  private Call call(long past, long present, int b) {
    Call k = new Call();
    double t = 0;
    double disp = 0;
    for (int i = 0; i < ops.length; i++) {
      OpCost c = ops[i].cost(past, present, b);
      double ci = c.ops() * secPerOp[i];
      double mi = c.bytes() * secPerByte;
      k.compute += mult[i] * ci;
      k.memory += mult[i] * mi;
      t += mult[i] * Math.max(ci, mi);
      disp += mult[i] * c.dispatches() * dispatchSec[i];
      k.ops += mult[i] * c.ops();
      k.bytes += mult[i] * c.bytes();
      k.transientBytes = Math.max(k.transientBytes, ops[i].transientBytes(c, past, present, b));
    }
    k.time = (overlap == Overlap.PHASE ? Math.max(k.compute, k.memory) : t) + disp;
    return k;
  }

  /** The forecast of {@code r}. */
  public Forecast forecast(Request r) {
    long l = r.prompt();
    int b = r.batch();
    Call prefill = call(0, l, b);
    double ttft = prefill.time;
    double act = prefill.transientBytes;
    Bound prefillBound = prefill.compute > prefill.memory ? Bound.COMPUTE : Bound.MEMORY;

    long steps = r.output() - 1;
    Sums s = steps > 0 ? decode(l, l + steps - 1, b) : decode(l, l, b);
    long n = Math.max(steps, 1);
    double tpot = s.time / n;
    double e2e = ttft + (steps > 0 ? s.time : 0);
    double kv = graph.kvCacheBytes(l + r.output()) * b;
    double mem = weightBytes + kv + act;
    double g = HardwareSpec.GIB;
    return new Forecast(graph.spec().id(), hw.id(), l, r.output(), b, ttft * 1e3, tpot * 1e3, 1.0 / tpot,
        (double) b * r.output() / e2e, e2e * 1e3, mem / g, weightBytes / g, kv / g, act / g,
        hw.memBytes() > 0 && mem <= hw.memBytes(), prefillBound, s.compute > s.memory ? Bound.COMPUTE : Bound.MEMORY,
        prefill.ops / 1e9, prefill.bytes / 1e9, s.ops / n / 1e9, s.bytes / n / 1e9, s.dispatches / n);
  }

  /** Per-operator rows of the prefill and of the mean decode step of {@code r}. */
  public List<OpTiming> breakdown(Request r) {
    List<OpTiming> rows = new ArrayList<>();
    long l = r.prompt();
    int b = r.batch();
    long steps = Math.max(r.output() - 1, 1);
    long p1 = l + steps - 1;
    for (int i = 0; i < ops.length; i++) {
      OpCost c = ops[i].cost(0, l, b);
      double ci = c.ops() * secPerOp[i];
      double mi = c.bytes() * secPerByte;
      double time = mult[i] * (Math.max(ci, mi) + c.dispatches() * dispatchSec[i]);
      rows.add(new OpTiming("prefill", layersOf(i), ops[i].name(), ops[i].opClass(), (int) mult[i],
          mult[i] * c.ops() / 1e9, mult[i] * c.bytes() / 1e9, time * 1e3, ci > mi ? Bound.COMPUTE : Bound.MEMORY));
    }
    for (int i = 0; i < ops.length; i++) {
      Sums s = new Sums();
      for (long[] seg : segments(l, p1)) {
        accumulate(s, i, seg[0], seg[1], b);
      }
      rows.add(new OpTiming("decode", layersOf(i), ops[i].name(), ops[i].opClass(), (int) mult[i], s.ops / steps / 1e9,
          s.bytes / steps / 1e9, s.time / steps * 1e3, s.compute > s.memory ? Bound.COMPUTE : Bound.MEMORY));
    }
    return rows;
  }

  private String layersOf(int i) {
    int k = graph.head().size();
    if (i < k) {
      return "model";
    }
    int gi = 0;
    for (ModelGraph.LayerGroup g : graph.groups()) {
      if (i < k + g.ops().size()) {
        return graph.groups().size() == 1 ? "layer" : "layer-kind-" + gi + (g.window() > 0 ? "-swa" : "");
      }
      k += g.ops().size();
      gi++;
    }
    return "model";
  }

  /** Totals over decode steps with past in [p0, p1], present 1. */
  private static final class Sums {
    double time;
    double compute;
    double memory;
    double ops;
    double bytes;
    double dispatches;
  }

  private List<long[]> segments(long p0, long p1) {
    List<long[]> out = new ArrayList<>(cuts.length + 1);
    long s = p0;
    for (long c : cuts) {
      if (c > s && c <= p1) {
        out.add(new long[] {s, c - 1});
        s = c;
      }
    }
    out.add(new long[] {s, p1});
    return out;
  }

  private Sums decode(long p0, long p1, int b) {
    DecodeTable t = lastTable;
    if (t == null || t.batch != b) {
      t = tables.computeIfAbsent(b, tableMaker);
      lastTable = t;
    }
    Sums acc = new Sums();
    for (int r = 0; r < t.lo.length; r++) {
      long s = Math.max(p0, t.lo[r]);
      long e = Math.min(p1, t.hi[r]);
      if (s > e) {
        continue;
      }
      long n = e - s + 1;
      double off = s - t.lo[r];
      double[] o0 = t.ops0[r];
      double[] od = t.opsSlope[r];
      double[] b0 = t.bytes0[r];
      double[] bd = t.bytesSlope[r];
      if (overlap == Overlap.OPERATOR) {
        for (int i = 0; i < ops.length; i++) {
          double ops = o0[i] + od[i] * off;
          double bytes = b0[i] + bd[i] * off;
          double a = ops * secPerOp[i];
          double da = od[i] * secPerOp[i];
          double m = bytes * secPerByte;
          double dm = bd[i] * secPerByte;
          double k = mult[i];
          acc.time += k * (sumMax(a, da, m, dm, n) + n * t.dispatches[i] * dispatchSec[i]);
          acc.compute += k * linear(a, da, n);
          acc.memory += k * linear(m, dm, n);
          acc.ops += k * linear(ops, od[i], n);
          acc.bytes += k * linear(bytes, bd[i], n);
          acc.dispatches += k * n * t.dispatches[i];
        }
      } else {
        double a = 0;
        double da = 0;
        double m = 0;
        double dm = 0;
        double disp = 0;
        for (int i = 0; i < ops.length; i++) {
          double k = mult[i];
          double ops = o0[i] + od[i] * off;
          double bytes = b0[i] + bd[i] * off;
          a += k * ops * secPerOp[i];
          da += k * od[i] * secPerOp[i];
          m += k * bytes * secPerByte;
          dm += k * bd[i] * secPerByte;
          disp += k * t.dispatches[i] * dispatchSec[i];
          acc.ops += k * linear(ops, od[i], n);
          acc.bytes += k * linear(bytes, bd[i], n);
          acc.dispatches += k * n * t.dispatches[i];
        }
        acc.time += sumMax(a, da, m, dm, n) + n * disp;
        acc.compute += linear(a, da, n);
        acc.memory += linear(m, dm, n);
      }
    }
    return acc;
  }

  /**
   * Decode costs of one batch size as affine functions of the past length, one piece per region between
   * sliding-window breakpoints: {@code x(p) = x0 + slope·(p − lo)} for p in [lo, hi]. Built once per batch size
   * from two evaluations per operator and region, then shared by every forecast of this forecaster.
   */
  private static final class DecodeTable {
    int batch;
    long[] lo;
    long[] hi;
    double[][] ops0;
    double[][] opsSlope;
    double[][] bytes0;
    double[][] bytesSlope;
    double[] dispatches;
  }

  private DecodeTable table(int b) {
    int regions = cuts.length + 1;
    DecodeTable t = new DecodeTable();
    t.batch = b;
    t.lo = new long[regions];
    t.hi = new long[regions];
    t.ops0 = new double[regions][ops.length];
    t.opsSlope = new double[regions][ops.length];
    t.bytes0 = new double[regions][ops.length];
    t.bytesSlope = new double[regions][ops.length];
    t.dispatches = new double[ops.length];
    for (int r = 0; r < regions; r++) {
      t.lo[r] = r == 0 ? 0 : cuts[r - 1];
      t.hi[r] = r < cuts.length ? cuts[r] - 1 : Long.MAX_VALUE;
      for (int i = 0; i < ops.length; i++) {
        OpCost c0 = ops[i].cost(t.lo[r], 1, b);
        OpCost c1 = t.hi[r] > t.lo[r] ? ops[i].cost(t.lo[r] + 1, 1, b) : c0;
        t.ops0[r][i] = c0.ops();
        t.opsSlope[r][i] = c1.ops() - c0.ops();
        t.bytes0[r][i] = c0.bytes();
        t.bytesSlope[r][i] = c1.bytes() - c0.bytes();
        t.dispatches[i] = c0.dispatches();
      }
    }
    return t;
  }

  /** Adds operator i's closed-form sums over decode steps with past in [s, e]. */
  private void accumulate(Sums acc, int i, long s, long e, int b) {
    long n = e - s + 1;
    OpCost c0 = ops[i].cost(s, 1, b);
    OpCost c1 = n > 1 ? ops[i].cost(s + 1, 1, b) : c0;
    double a = c0.ops() * secPerOp[i];
    double da = (c1.ops() - c0.ops()) * secPerOp[i];
    double m = c0.bytes() * secPerByte;
    double dm = (c1.bytes() - c0.bytes()) * secPerByte;
    double k = mult[i];
    acc.time += k * (sumMax(a, da, m, dm, n) + n * c0.dispatches() * dispatchSec[i]);
    acc.compute += k * linear(a, da, n);
    acc.memory += k * linear(m, dm, n);
    acc.ops += k * linear(c0.ops(), c1.ops() - c0.ops(), n);
    acc.bytes += k * linear(c0.bytes(), c1.bytes() - c0.bytes(), n);
    acc.dispatches += k * n * c0.dispatches();
  }

  /** Σ_{q=0}^{n−1} (x + y·q). */
  static double linear(double x, double y, long n) {
    return n * x + y * ((double) n * (n - 1) / 2.0);
  }

  /** Σ_{q=0}^{n−1} max(a + b·q, c + d·q), split at the crossing of the two lines. */
  static double sumMax(double a, double b, double c, double d, long n) {
    if (n <= 0) {
      return 0;
    }
    double h0 = a - c;
    double hs = b - d;
    if (hs == 0) {
      return h0 >= 0 ? linear(a, b, n) : linear(c, d, n);
    }
    double cross = -h0 / hs;
    long k;
    if (hs > 0) {
      // first line on top from q >= cross
      k = (long) Math.max(0, Math.min(n, Math.ceil(cross)));
      return linear(c, d, k) + (linear(a, b, n) - linear(a, b, k));
    }
    // first line on top for q <= cross
    k = (long) Math.max(0, Math.min(n, Math.floor(cross) + 1));
    return linear(a, b, k) + (linear(c, d, n) - linear(c, d, k));
  }
}
