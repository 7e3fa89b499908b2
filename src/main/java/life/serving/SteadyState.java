package life.serving;

import life.forecast.Forecaster;
import life.forecast.StepTimer;

/**
 * Throughput and latencies of one replica at a steady request rate without simulating it: a fixed point of the
 * continuous-batching step (our model, docs/serving.md), for sweeps, where a simulation per point is too slow.
 *
 * <p>Requests of {@code P} prompt and {@code O} output tokens arrive at rate λ. In steady state the engine runs
 * steps of mean length τ holding B decoding sequences, B = λ·(O − 1)·τ (Little's law over the decode phase). Each
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
  private final StepTimer timer;
  private final long kvTokens;
  /** Cached step times of b decodes (index b) and of the prefill's extra cost at b decodes; NaN until computed. */
  private final double[] decodeStep;
  private final double[] prefillExtra;
  private final int[] prefillSteps;
  /** Seconds of a prefill with no decode beside it (decodeAt(0) is 0 then). */
  private double prefillAlone;
  private final long[] oneChunk = new long[1];
  private final long[] onePast = new long[1];
  private final boolean[] oneSamples = new boolean[1];

  /** The model of {@code f} under {@code e} for requests of {@code prompt} and {@code output} tokens (means). */
  public SteadyState(Forecaster f, Engine e, double prompt, double output) {
    if (!(prompt >= 1 && output >= 1)) {
      throw new IllegalArgumentException("prompt and output must be at least 1 token");
    }
    this.e = e;
    this.prompt = prompt;
    this.output = output;
    this.timer = f.stepTimer(e.maxBatchedTokens());
    long blocks = Simulator.kvBlocks(f, e);
    this.kvTokens = blocks >= Long.MAX_VALUE / 8 ? Long.MAX_VALUE / 8 : blocks * e.blockTokens();
    int cap = Math.min(e.maxSeqs(), e.maxBatchedTokens()) + 2;
    decodeStep = new double[cap];
    prefillExtra = new double[cap];
    prefillSteps = new int[cap];
    java.util.Arrays.fill(decodeStep, Double.NaN);
  }

  /**
   * Figures at one rate. Times in milliseconds; NaN when saturated.
   *
   * @param rate requests per second offered
   * @param throughputTps output tokens per second served (the offered λ·O below saturation)
   * @param meanBatch mean decoding sequences B
   */
  public record Estimate(double rate, boolean saturated, double throughputTps, double meanBatch, double ttftP50Ms,
      double ttftP90Ms, double tpotP50Ms, double tpotP90Ms, double e2eP50Ms, double slotLoad, String why) {}

  /** The steady state at {@code rate} requests per second. */
  public Estimate at(double rate) {
    double tau = decode(1);
    double b = 0;
    double[] avg = new double[2];
    for (int i = 0; i < 200; i++) {
      b = rate * (output - 1) * tau;
      if (b > e.maxSeqs()) {
        return saturated(rate, b, "more running sequences than max_seqs " + e.maxSeqs());
      }
      if (b * (prompt + output / 2.0) > kvTokens) {
        return saturated(rate, b, "running sequences overflow the KV cache (" + kvTokens + " tokens)");
      }
      averaged(b, avg);
      double load = rate * avg[1];
      if (load >= 1) {
        return saturated(rate, b, "prefills take all the time");
      }
      double next = avg[0] / (1 - load);
      boolean done = Math.abs(next - tau) <= 1e-9 * tau;
      tau = next;
      if (done) {
        break;
      }
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
    double interrupts = rate * (output - 1) * tau;
    double tpot50 = step + extra * poissonQuantile(0.5, interrupts) / Math.max(1, output - 1);
    double tpot90 = step + extra * poissonQuantile(0.9, interrupts) / Math.max(1, output - 1);
    // The engine idles while nothing runs (no decoding sequence, no prefill): an arrival then starts at once.
    double idle = Math.exp(-b) * Math.max(0, 1 - rate * extra);
    double alone = decodeAt(0) + prefillAlone;
    double ttft50 = ttftQuantile(0.5, rate, step, extra, chunks, p, prefillStep, idle, alone);
    double ttft90 = ttftQuantile(0.9, rate, step, extra, chunks, p, prefillStep, idle, alone);
    double service = ttft50 + (output - 1) * tau;
    double slotLoad = rate * service / e.maxSeqs();
    double queue50 = slotWait(0.5, rate, service);
    double queue90 = slotWait(0.9, rate, service);
    if (Double.isInfinite(queue50)) {
      return saturated(rate, b, "every one of the max_seqs " + e.maxSeqs() + " slots is busy");
    }
    ttft50 += queue50;
    ttft90 += queue90;
    double e2e = ttft50 + (output - 1) * tau;
    return new Estimate(rate, false, rate * output, b, ttft50 * 1e3, ttft90 * 1e3, tpot50 * 1e3, tpot90 * 1e3,
        e2e * 1e3, slotLoad, "");
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
    for (int it = 0; it < 50; it++) {
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
    if (b < 1e-9) {
      out[0] = decodeAt(1);
      out[1] = extra(1);
      return;
    }
    double lo = Math.max(1, Math.floor(b - 6 * Math.sqrt(b) - 2));
    double hi = Math.ceil(b + 6 * Math.sqrt(b) + 3);
    double logB = Math.log(b);
    double t = 0;
    double x = 0;
    double mass = 0;
    int step = (int) Math.max(1, (hi - lo) / 48);
    for (long k = (long) lo; k <= hi; k += step) {
      double w = Math.exp(k * logB - b - logFactorial(k)) * step;
      int kk = (int) Math.min(k, e.maxSeqs());
      t += w * decodeAt(kk);
      x += w * extra(kk);
      mass += w;
    }
    out[0] = t / mass;
    out[1] = x / mass;
  }

  private static double logFactorial(long k) {
    return org.apache.commons.math3.special.Gamma.logGamma(k + 1.0);
  }

  private Estimate saturated(double rate, double b, String why) {
    return new Estimate(rate, true, Double.NaN, b, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, why);
  }

  /**
   * The largest rate whose p90 TTFT and TPOT meet {@code slo} (0: no objective), found by bisection on the steady
   * state to 0.1 %; 0 when even a trickle of requests misses them.
   */
  public double maxRate(Simulator.Slo slo) {
    double lo = 0;
    double hi = 1;
    while (meets(hi, slo) && hi < 1e9) {
      lo = hi;
      hi *= 2;
    }
    if (lo == 0) {
      double tiny = 1e-6;
      if (!meets(tiny, slo)) {
        return 0;
      }
      lo = tiny;
    }
    while (hi - lo > 1e-3 * lo) {
      double mid = (lo + hi) / 2;
      if (meets(mid, slo)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private boolean meets(double rate, Simulator.Slo slo) {
    Estimate x = at(rate);
    return !x.saturated() && (slo.ttftMs() == 0 || x.ttftP90Ms() <= slo.ttftMs())
        && (slo.tpotMs() == 0 || x.tpotP90Ms() <= slo.tpotMs());
  }

  /** Seconds of a step of {@code b} decodes at the mean cached length, linear between whole batches. */
  private double decode(double b) {
    int lo = (int) Math.floor(b);
    double f = b - lo;
    double t = decodeAt(lo);
    return f == 0 ? t : t + f * (decodeAt(lo + 1) - t);
  }

  private double decodeAt(int b) {
    b = Math.min(b, decodeStep.length - 1);
    if (Double.isNaN(decodeStep[b])) {
      long past = Math.round(prompt + output / 2.0);
      decodeStep[b] = b == 0 ? 0 : timer.seconds(b, past * b, 0, null, null, null);
      // The prefill's chunks (of the budget less the decodes) and what they add to steps of b decodes.
      long budget = Math.max(1, e.maxBatchedTokens() - b);
      long p = Math.round(prompt);
      double extra = 0;
      int n = 0;
      for (long done = 0; done < p; done += budget) {
        onePast[0] = done;
        oneChunk[0] = Math.min(budget, p - done);
        oneSamples[0] = done + oneChunk[0] == p;
        extra += timer.seconds(b, past * b, 1, onePast, oneChunk, oneSamples) - decodeStep[b];
        n++;
      }
      prefillExtra[b] = extra;
      prefillSteps[b] = n;
      if (b == 0) {
        prefillAlone = extra;
      }
    }
    return decodeStep[b];
  }

  /** Seconds a prefill adds to the steps it shares with {@code b} decodes. */
  private double extra(double b) {
    int lo = (int) Math.floor(b);
    decodeAt(lo);
    decodeAt(Math.min(lo + 1, decodeStep.length - 1));
    double f = b - lo;
    double a = prefillExtra[Math.min(lo, decodeStep.length - 1)];
    return a + f * (prefillExtra[Math.min(lo + 1, decodeStep.length - 1)] - a);
  }

  private int chunks(double b) {
    int lo = Math.min((int) Math.floor(b), decodeStep.length - 1);
    decodeAt(lo);
    return prefillSteps[lo];
  }
}
