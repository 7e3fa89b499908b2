package life.serving;

import life.forecast.Forecaster;
import life.forecast.StepTimer;

/**
 * Throughput and latencies of one replica at a steady request rate without simulating it: a fixed point of the
 * continuous-batching step (our model, docs/serving.md), for sweeps, where a simulation per point is too slow.
 *
 * <p>Requests of {@code P} prompt and {@code O} output tokens arrive at rate λ. In steady state the engine runs
 * steps of mean length τ holding B decoding sequences, B = λ·(O − 1)/E·τ (Little's law over the decode phase, E the
 * tokens a step yields: 1, or more under speculative decoding). Each
 * prompt adds its chunks to some steps, costing Δ(B) beyond a step of B decodes alone (chunks of up to the token
 * budget less B; the weights are already read). Over a long window, time = steps · T(B) + prefills · Δ(B), so
 * {@code τ = T(B) / (1 − λ·Δ(B))}: iterated from B = 1 it converges in a few rounds while λ·Δ &lt; 1; at λ·Δ ≥ 1, or
 * when B exceeds the cap on sequences or the KV cache, the replica is saturated.
 *
 * <p>TPOT is τ. TTFT is the wait for the running step to end, a residual of mean τ/2 (half of a step of prefill
 * length taken with the probability it holds one), then the step(s) of the request's own prefill, shared with the
 * prefills that arrived in the same wait. Its 90th percentile takes the residual at 0.9 of a step and the Poisson 90th
 * percentile of the prefills sharing the step; TPOT's adds the share of steps holding a prefill. Checked against the
 * simulator on a grid ({@code SteadyStateTest}).
 */
public final class SteadyState {
  private final Engine e;
  private final double prompt;
  private final double output;
  private final long kvTokens;
  /** Cached step times of b decodes (index b) and of the prefill's extra cost at b decodes; NaN until computed. */
  private final double[] decodeStep;
  private final double[] prefillExtra;
  private final int[] prefillSteps;
  /** Decode steps of a request: O − 1, over the expected tokens a speculative step yields. */
  private final double decodeSteps;
  /** The step and prefill extra averaged over a Poisson batch of mean b ({@link #averaged}), by whole b. */
  private final double[] avgT;
  private final double[] avgX;
  /** Seconds of a prefill with no decode beside it. */
  private final double prefillAlone;
  /** Requests per second of one request at a time: where {@link #maxRate} starts. */
  private final double oneRequestRate;

  /** The model of {@code f} under {@code e} for requests of {@code prompt} and {@code output} tokens (means). */
  public SteadyState(Forecaster f, Engine e, double prompt, double output) {
    if (!(prompt >= 1 && output >= 1)) {
      throw new IllegalArgumentException("prompt and output must be at least 1 token");
    }
    this.e = e;
    this.prompt = prompt;
    this.output = output;
    this.decodeSteps = Math.max(0, output - 1) / f.speculation().tokensPerStep();
    StepTimer timer = f.uncachedStepTimer();
    long blocks = Simulator.kvBlocks(f, e);
    this.kvTokens = blocks >= Long.MAX_VALUE / 8 ? Long.MAX_VALUE / 8 : blocks * e.blockTokens();
    int cap = Math.min(e.maxSeqs(), e.maxBatchedTokens()) + 2;
    decodeStep = new double[cap];
    prefillExtra = new double[cap];
    prefillSteps = new int[cap];
    // Every batch's step, exact on a grid (each batch up to EXACT_BELOW, then ratio 5/4, refined where the midpoint of
    // an interval is off its interpolation by more than 0.5 %: a kernel switch such as vLLM's paged-attention V1/V2)
    // and interpolated between: the model is immutable from here on, so one instance serves every thread of a sweep.
    boolean[] exact = new boolean[cap];
    long nextGrid = 0;
    int last = 0;
    for (int b = 0; b < cap; b++) {
      if (b <= EXACT_BELOW || b == cap - 1 || b >= nextGrid) {
        exact(timer, b);
        exact[b] = true;
        if (b > last + 1) {
          refine(timer, exact, last, b);
        }
        last = b;
        nextGrid = Math.max(b + 1, (long) Math.ceil(b * 5.0 / 4));
      }
    }
    int below = 0;
    int above = 0;
    for (int b = 0; b < cap; b++) {
      if (exact[b]) {
        below = b;
        continue;
      }
      if (above <= b) {
        above = b + 1;
        while (!exact[above]) {
          above++;
        }
      }
      double w = (double) (b - below) / (above - below);
      decodeStep[b] = decodeStep[below] + w * (decodeStep[above] - decodeStep[below]);
      prefillExtra[b] = prefillExtra[below] + w * (prefillExtra[above] - prefillExtra[below]);
      prefillSteps[b] = prefillSteps[below];
    }
    prefillAlone = prefillExtra[0];
    avgT = new double[cap];
    avgX = new double[cap];
    double[] out = new double[2];
    int prev = 0;
    for (int b = 0; b < cap; b++) {
      if (exact[b] || b == cap - 1) {
        mixture(b, out);
        avgT[b] = out[0];
        avgX[b] = out[1];
        for (int k = prev + 1; k < b; k++) {
          double w = (double) (k - prev) / (b - prev);
          avgT[k] = avgT[prev] + w * (avgT[b] - avgT[prev]);
          avgX[k] = avgX[prev] + w * (avgX[b] - avgX[prev]);
        }
        prev = b;
      }
    }
    oneRequestRate = 1 / (prefillAlone + decodeSteps * decodeStep[1]);
  }

  /** Batches up to this many are evaluated exactly; above, on a geometric grid of ratio 5/4. */
  private static final int EXACT_BELOW = 8;
  /** Splits the interval (g0, g1) of exact batches where its midpoint is off the interpolation by more than 0.5 %. */
  private void refine(StepTimer timer, boolean[] exact, int g0, int g1) {
    if (g1 - g0 <= 1) {
      return;
    }
    int m = (g0 + g1) / 2;
    exact(timer, m);
    exact[m] = true;
    double w = (double) (m - g0) / (g1 - g0);
    double t = decodeStep[g0] + w * (decodeStep[g1] - decodeStep[g0]);
    double x = prefillExtra[g0] + w * (prefillExtra[g1] - prefillExtra[g0]);
    if (Math.abs(t - decodeStep[m]) > 0.005 * decodeStep[m] || Math.abs(x - prefillExtra[m]) > 0.005
        * Math.abs(prefillExtra[m]) || prefillSteps[g0] != prefillSteps[g1]) {
      refine(timer, exact, g0, m);
      refine(timer, exact, m, g1);
    }
  }



  /**
   * Figures at one rate. Times in milliseconds; NaN when saturated.
   *
   * @param rate requests per second offered
   * @param throughputTps output tokens per second served (the offered λ·O below saturation)
   * @param meanBatch mean decoding sequences B
   * @param slotLoad arrival rate × a request's service time / max_seqs: above 0.5 the cap on sequences binds and the
   *     model is less accurate (its slot wait is Erlang's C)
   * @param busy share of time the replica runs steps
   */
  public record Estimate(double rate, boolean saturated, double throughputTps, double meanBatch, double ttftP50Ms,
      double ttftP90Ms, double tpotP50Ms, double tpotP90Ms, double e2eP50Ms, double slotLoad, double busy,
      String why) {}

  /** The steady state at {@code rate} requests per second. */
  public Estimate at(double rate) {
    return estimate(rate);
  }

  /**
   * Mean step seconds τ at {@code rate} with B decoding sequences, {@code avg} set to the averaged step and prefill
   * extra; infinite where prefills take all the time.
   */
  private double tau(double rate, double b, double[] avg) {
    averaged(b, avg);
    double load = rate * avg[1];
    return load >= 1 ? Double.POSITIVE_INFINITY : avg[0] / (1 - load);
  }

  /**
   * B at {@code rate}: the smallest fixed point of B = λ·(O − 1)/E·τ(B), by iteration from an idle replica, then, where
   * that converges slowly (near saturation), by bisection between the last iterate and the first B above the fixed
   * point. NaN when there is none below the caps (max_seqs and the KV cache), {@code why[0]} saying which.
   */
  private double batchAt(double rate, double[] avg, String[] why) {
    double kvCap = kvTokens / (prompt + output / 2.0);
    double cap = Math.min(e.maxSeqs(), kvCap);
    double k = rate * decodeSteps;
    if (k == 0) {
      return 0;
    }
    double b = 0;
    for (int i = 0; i < 4; i++) {
      double next = k * tau(rate, b, avg);
      if (!(next <= cap)) {
        break;
      }
      if (Math.abs(next - b) <= 1e-6 * Math.max(next, 1e-9)) {
        return next;
      }
      b = next;
    }
    // g(B) = λ·(O − 1)·τ(B) − B is positive below the fixed point; bracket it, then Illinois regula falsi.
    double lo = b;
    double glo = k * tau(rate, lo, avg) - lo;
    double hi = Math.min(cap, Math.max(2 * lo, lo + 1));
    double ghi = k * tau(rate, hi, avg) - hi;
    while (ghi > 0) {
      if (hi >= cap) {
        why[0] = Double.isInfinite(ghi) ? "prefills take all the time"
            : cap == e.maxSeqs() ? "more running sequences than max_seqs " + e.maxSeqs()
            : "running sequences overflow the KV cache (" + kvTokens + " tokens)";
        return Double.NaN;
      }
      lo = hi;
      glo = ghi;
      hi = Math.min(cap, 2 * hi);
      ghi = k * tau(rate, hi, avg) - hi;
    }
    int side = 0;
    for (int i = 0; i < 60 && hi - lo > 1e-6 * hi; i++) {
      double m = Double.isInfinite(glo) ? (lo + hi) / 2 : hi - ghi * (hi - lo) / (ghi - glo);
      if (!(m > lo && m < hi)) {
        m = (lo + hi) / 2;
      }
      double gm = k * tau(rate, m, avg) - m;
      if (Math.abs(gm) <= 1e-7 * m) {
        return m;
      }
      if (gm > 0) {
        lo = m;
        glo = gm;
        if (side == 1) {
          ghi /= 2;
        }
        side = 1;
      } else {
        hi = m;
        ghi = gm;
        if (side == -1) {
          glo /= 2;
        }
        side = -1;
      }
    }
    return hi;
  }

  private Estimate estimate(double rate) {
    double[] avg = new double[2];
    String[] why = new String[1];
    double b = batchAt(rate, avg, why);
    if (Double.isNaN(b)) {
      return saturated(rate, Double.NaN, why[0]);
    }
    double tau = tau(rate, b, avg);
    if (Double.isInfinite(tau)) {
      return saturated(rate, b, "prefills take all the time");
    }
    double step = avg[0];
    double extra = avg[1];
    int chunks = chunks(Math.max(1, b));
    // Steps that hold prefills: those after a step in which a request arrived; their mean count of prefills.
    double arrivals = rate * tau;
    double p = -Math.expm1(-arrivals);
    double perPrefillStep = p > 0 ? arrivals / p : 1;
    double prefillStep = step + extra * perPrefillStep;
    // A request's decode steps are τ̄ each, plus Δ for each prefill that arrives while it decodes (Poisson).
    double interrupts = rate * decodeSteps * tau;
    double perToken = decodeSteps / Math.max(1, output - 1);
    double tpot50 = step * perToken + extra * poissonQuantile(0.5, interrupts) / Math.max(1, output - 1);
    double tpot90 = step * perToken + extra * poissonQuantile(0.9, interrupts) / Math.max(1, output - 1);
    // The engine idles while nothing runs (no decoding sequence, no prefill): an arrival then starts at once.
    double idle = Math.exp(-b) * Math.max(0, 1 - rate * extra);
    double alone = decodeAt(0) + prefillAlone;
    double ttft50 = ttftQuantile(0.5, rate, step, extra, chunks, p, prefillStep, idle, alone);
    double ttft90 = ttftQuantile(0.9, rate, step, extra, chunks, p, prefillStep, idle, alone);
    double service = ttft50 + decodeSteps * tau;
    double slotLoad = rate * service / e.maxSeqs();
    double queue50 = slotWait(0.5, rate, service);
    double queue90 = slotWait(0.9, rate, service);
    if (Double.isInfinite(queue50)) {
      return saturated(rate, b, "every one of the max_seqs " + e.maxSeqs() + " slots is busy");
    }
    ttft50 += queue50;
    ttft90 += queue90;
    double e2e = ttft50 + decodeSteps * tau;
    return new Estimate(rate, false, rate * output, b, ttft50 * 1e3, ttft90 * 1e3, tpot50 * 1e3, tpot90 * 1e3,
        e2e * 1e3, slotLoad, 1 - idle, "");
  }

  /** The {@code q} quantile of a Poisson count of mean {@code m}. */
  static int poissonQuantile(double q, double m) {
    if (m <= 0) {
      return 0;
    }
    if (m > 200) {
      double z = q == 0.5 ? 0 : q == 0.9 ? 1.2816 : new org.apache.commons.math3.distribution.NormalDistribution()
          .inverseCumulativeProbability(q);
      return (int) Math.max(0, Math.round(m + z * Math.sqrt(m)));
    }
    double pk = Math.exp(-m);
    double cdf = pk;
    int k = 0;
    while (cdf < q && k < 10_000) {
      k++;
      pk *= m / k;
      cdf += pk;
    }
    return k;
  }

  /**
   * The {@code q} quantile of TTFT without waiting for a slot: an arrival lands in a step with probability in
   * proportion to the step's length (a decode step, or one holding prefills), at a uniform point of it; its prefill
   * runs in the next step(s) with those of the K others that arrived in the same step, K Poisson of mean λ·length.
   */
  private double ttftQuantile(double q, double rate, double step, double extra, int chunks, double p,
      double prefillStep, double idle, double alone) {
    double wPrefill = p * prefillStep / (p * prefillStep + (1 - p) * step);
    double base = chunks * step;
    double lo = Math.min(base, alone);
    double hi = base + prefillStep + extra * (1 + rate * prefillStep + 10 * Math.sqrt(rate * prefillStep + 1));
    for (int it = 0; it < 50 && hi - lo > 1e-4 * hi; it++) {
      double mid = (lo + hi) / 2;
      double cdf = idle * (mid >= alone ? 1 : 0) + (1 - idle) * ((1 - wPrefill) * cdfGiven(mid - base, step, rate,
          extra) + wPrefill * cdfGiven(mid - base, prefillStep, rate, extra));
      if (cdf >= q) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }

  /** P(residual + Δ·(1 + K) ≤ t) for a step of length {@code len}: residual uniform on [0, len], K Poisson(λ·len). */
  private static double cdfGiven(double t, double len, double rate, double extra) {
    double m = rate * len;
    double pk = Math.exp(-m);
    double cdf = 0;
    double mass = 0;
    for (int k = 0; k < 10_000 && mass < 1 - 1e-9; k++) {
      if (k > 0) {
        pk *= m / k;
      }
      mass += pk;
      double r = t - extra * (1 + k);
      if (r <= 0) {
        break;
      }
      cdf += pk * Math.min(1, r / len);
    }
    return cdf;
  }

  /**
   * The {@code q} quantile of the wait for one of the max_seqs slots, each held for a request's {@code service}
   * seconds: Erlang's C formula for c servers (the probability of waiting) and an exponential wait of rate
   * c/service − λ, halved for service times that barely vary (Allen and Cunneen's (1 + cv²)/2 correction, cv = 0);
   * infinite when the slots cannot keep up. Negligible where the cap is far above the running sequences.
   */
  private double slotWait(double q, double rate, double service) {
    int c = e.maxSeqs();
    double a = rate * service;
    if (a >= c) {
      return Double.POSITIVE_INFINITY;
    }
    if (c > 64 && a < 0.5 * c) {
      return 0;
    }
    // Erlang C by the stable recurrence of Erlang B.
    double bl = 1;
    for (int k = 1; k <= c; k++) {
      bl = a * bl / (k + a * bl);
    }
    double rho = a / c;
    double wait = bl / (1 - rho + rho * bl);
    if (wait <= 1 - q) {
      return 0;
    }
    return Math.log(wait / (1 - q)) / (c / service - rate) * 0.5;
  }

  /**
   * Step time of decodes and a prefill's extra cost, averaged over the running batch: decoding sequences are Poisson
   * of mean {@code b} (requests in service of an M/G/∞ system), steps only run while one is there (zero-truncated),
   * and at most max_seqs run.
   */
  private void averaged(double b, double[] out) {
    // Tabulated on the exact batches (and between them linearly: the average is smooth in b).
    if (b >= avgT.length - 1) {
      mixture(b, out);
      return;
    }
    int lo = (int) Math.floor(b);
    double w = b - lo;
    out[0] = avgT[lo] + w * (avgT[lo + 1] - avgT[lo]);
    out[1] = avgX[lo] + w * (avgX[lo + 1] - avgX[lo]);
  }

  /** {@link #averaged} computed: the Poisson mixture summed over the batches it weighs. */
  private void mixture(double b, double[] out) {
    if (b < 1e-9) {
      out[0] = decodeAt(1);
      out[1] = extra(1);
      return;
    }
    double sd = Math.sqrt(b);
    long lo = (long) Math.max(1, Math.floor(b - 4.5 * sd - 2));
    long hi = (long) Math.ceil(b + 4.5 * sd + 3);
    // Wide ranges are summed in buckets of a power of two, each evaluated at its middle: the evaluated batches stay on
    // one grid whatever b is, so the cached step times are reused.
    long width = 1;
    while ((hi - lo) / width > 48) {
      width *= 2;
    }
    double pk = Math.exp(lo * Math.log(b) - b - logFactorial(lo));
    double t = 0;
    double x = 0;
    double mass = 0;
    double bucket = 0;
    long current = lo / width;
    for (long k = lo; k <= hi; k++) {
      if (k > lo) {
        pk *= b / k;
      }
      if (k / width != current) {
        add(bucket, current, width, out);
        t += out[0];
        x += out[1];
        mass += bucket;
        bucket = 0;
        current = k / width;
      }
      bucket += pk;
    }
    add(bucket, current, width, out);
    t += out[0];
    x += out[1];
    mass += bucket;
    out[0] = t / mass;
    out[1] = x / mass;
  }

  /** Weighted step time and prefill extra of the bucket {@code index} of {@code width} batches. */
  private void add(double weight, long index, long width, double[] out) {
    int k = (int) Math.max(1, Math.min(index * width + width / 2, e.maxSeqs()));
    out[0] = weight * decodeAt(k);
    out[1] = weight * extra(k);
  }

  private static double logFactorial(long k) {
    return org.apache.commons.math3.special.Gamma.logGamma(k + 1.0);
  }

  private Estimate saturated(double rate, double b, String why) {
    return new Estimate(rate, true, Double.NaN, b, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, 1, why);
  }

  /**
   * The largest rate whose p90 TTFT and TPOT meet {@code slo} (0: no objective), to 0.1 %; 0 when even a trickle of
   * requests misses them. The margin {@code h(r) = min(1 − TTFT₉₀/SLO, 1 − TPOT₉₀/SLO)} falls with the rate (−1 once
   * saturated): bracketed by doubling from the rate of one request at a time, then found by Illinois regula falsi,
   * bisecting where the margin jumps. A pure function of this model and {@code slo}.
   */
  public double maxRate(Simulator.Slo slo) {
    double lo = 0;
    double hlo = 1;
    double hi = oneRequestRate;
    double hhi = margin(hi, slo);
    while (hhi >= 0) {
      if (hi >= 1e9) {
        return hi;
      }
      lo = hi;
      hlo = hhi;
      hi *= 2;
      hhi = margin(hi, slo);
    }
    if (lo == 0) {
      // Down from there: halve until the objectives hold, or give up at a trickle.
      while (lo == 0) {
        double r = hi / 2;
        if (r < 1e-6) {
          return margin(1e-6, slo) >= 0 ? 1e-6 : 0;
        }
        double h = margin(r, slo);
        if (h >= 0) {
          lo = r;
          hlo = h;
        } else {
          hi = r;
          hhi = h;
        }
      }
    }
    int side = 0;
    for (int i = 0; i < 100 && hi - lo > 1e-3 * lo; i++) {
      double m = hi - hhi * (hi - lo) / (hhi - hlo);
      if (!(m > lo + 1e-4 * (hi - lo) && m < hi - 1e-4 * (hi - lo)) || side == 2 || side == -2) {
        m = (lo + hi) / 2;
        side = 0;
      }
      double h = margin(m, slo);
      if (h >= 0) {
        lo = m;
        hlo = h;
        side = side > 0 ? side + 1 : 1;
        if (side == 2) {
          hhi /= 2;
        }
      } else {
        hi = m;
        hhi = h;
        side = side < 0 ? side - 1 : -1;
        if (side == -2) {
          hlo /= 2;
        }
      }
    }
    return lo;
  }

  /** How far inside the objectives the p90 latencies are at {@code rate}, as a share of them; −1 when saturated. */
  private double margin(double rate, Simulator.Slo slo) {
    Estimate x = estimate(rate);
    if (x.saturated()) {
      return -1;
    }
    double h = 1;
    if (slo.ttftMs() > 0) {
      h = Math.min(h, 1 - x.ttftP90Ms() / slo.ttftMs());
    }
    if (slo.tpotMs() > 0) {
      h = Math.min(h, 1 - x.tpotP90Ms() / slo.tpotMs());
    }
    return h;
  }

  private double decodeAt(int b) {
    return decodeStep[Math.min(b, decodeStep.length - 1)];
  }

  /** Computes the step of {@code b} decodes and what a prefill adds to it, by the forecaster. */
  private void exact(StepTimer timer, int b) {
    long past = Math.round(prompt + output / 2.0);
    decodeStep[b] = b == 0 ? 0 : timer.seconds(b, past * b, 0, null, null, null);
    // The prefill's chunks (of the budget less the decodes) and what they add to steps of b decodes.
    long budget = Math.max(1, e.maxBatchedTokens() - b);
    long p = Math.round(prompt);
    long[] chunkPast = new long[1];
    long[] chunk = new long[1];
    boolean[] samples = new boolean[1];
    double extra = 0;
    int n = 0;
    for (long done = 0; done < p; done += budget) {
      chunkPast[0] = done;
      chunk[0] = Math.min(budget, p - done);
      samples[0] = done + chunk[0] == p;
      extra += timer.seconds(b, past * b, 1, chunkPast, chunk, samples) - decodeStep[b];
      n++;
    }
    prefillExtra[b] = extra;
    prefillSteps[b] = n;
  }

  /** Seconds a prefill adds to the steps it shares with {@code b} decodes. */
  private double extra(double b) {
    int lo = (int) Math.floor(b);
    double f = b - lo;
    double a = prefillExtra[Math.min(lo, decodeStep.length - 1)];
    return a + f * (prefillExtra[Math.min(lo + 1, decodeStep.length - 1)] - a);
  }

  private int chunks(double b) {
    int lo = Math.min((int) Math.floor(b), decodeStep.length - 1);
    return prefillSteps[lo];
  }
}
