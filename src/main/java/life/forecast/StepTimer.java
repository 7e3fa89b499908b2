package life.forecast;

import java.util.Arrays;
import life.ops.OpCost;
import life.ops.Operator;

/**
 * Seconds of one engine step of continuous batching: the running sequences' decode tokens, each at its own context,
 * and prompt chunks, run as one call (vLLM's and TensorRT-LLM's scheduler; llama.cpp's server batches its slots the
 * same way).
 *
 * <p>Our split of the forecaster's operators (docs/serving.md): an operator whose cost does not depend on the cached
 * length (linears, experts, norms, element-wise, embedding, collectives) runs once over all {@code T} tokens of the
 * step, so the weights are read once; the LM head runs over the {@code S} sequences that sample. An operator that
 * reads the cache (attention products, scores, flash attention, the KV append, the inline LoRA merge of a first call)
 * runs per part: the decodes as one batch at their mean cached length (exact where its cost is affine in that length,
 * as it is outside a sliding window's transition), and each chunk at its own. Host costs are those of a sampling
 * call: per step, per sampling sequence and per cached token. Steps with no prompt tokens use the decode efficiencies,
 * the others the prefill ones.
 *
 * <p>So a step of B decodes at one cached length p costs exactly {@link Forecaster#callSeconds(long, long, int)
 * callSeconds(p, 1, B)}, and one chunk alone costs {@link Forecaster#callSeconds(long, long, int, boolean)} of that
 * chunk. Not thread-safe: it caches the token part by step size; make one per simulation.
 */
public final class StepTimer {
  private final Forecaster f;
  private final Operator[] ops;
  /** Indices of the operators that read or write the cache. */
  private final int[] contextual;
  /** Indices of the other operators that run on every token, and of those that run only on sampling sequences. */
  private final int[] tokenwise;
  private final int[] sampling;
  /** Cached token-part times [decode-only, mixed] by tokens: roofline, compute, memory, dispatch seconds. */
  private final double[][] tokenTime = new double[2][];
  private final double[][] tokenCompute = new double[2][];
  private final double[][] tokenMemory = new double[2][];

  StepTimer(Forecaster f, int maxTokens, boolean cache) {
    this(f, cache ? maxTokens : 0);
    if (maxTokens < 1) {
      throw new IllegalArgumentException("a step holds at least 1 token, got " + maxTokens);
    }
  }

  StepTimer(Forecaster f, int maxTokens) {
    if (maxTokens < 0) {
      throw new IllegalArgumentException("a step holds at least 1 token, got " + maxTokens);
    }
    this.f = f;
    this.ops = f.ops;
    int[] c = new int[ops.length];
    int[] t = new int[ops.length];
    int[] s = new int[ops.length];
    int nc = 0;
    int nt = 0;
    int ns = 0;
    for (int i = 0; i < ops.length; i++) {
      Operator o = ops[i];
      if (o instanceof Operator.AttentionBmm || o instanceof Operator.ScoreOp || o instanceof Operator.FlashAttention
          || o instanceof Operator.KvAppend || o instanceof Operator.LoraMerge) {
        c[nc++] = i;
      } else if (o.sampling()) {
        s[ns++] = i;
      } else {
        t[nt++] = i;
      }
    }
    contextual = Arrays.copyOf(c, nc);
    tokenwise = Arrays.copyOf(t, nt);
    sampling = Arrays.copyOf(s, ns);
    this.maxTokens = maxTokens;
    for (int k = 0; k < 2; k++) {
      tokenTime[k] = new double[0];
      tokenCompute[k] = new double[0];
      tokenMemory[k] = new double[0];
    }
  }

  /** Steps of up to this many tokens have their token part cached (grown on demand); 0: nothing is cached. */
  private final int maxTokens;

  /** Grows the caches of kind {@code k} to hold {@code n} tokens. */
  private void grow(int k, int n) {
    int size = (int) Math.min(maxTokens + 1L, Math.max(64, Math.max(n + 1L, 2L * tokenTime[k].length)));
    int old = tokenTime[k].length;
    tokenTime[k] = Arrays.copyOf(tokenTime[k], size);
    tokenCompute[k] = Arrays.copyOf(tokenCompute[k], size);
    tokenMemory[k] = Arrays.copyOf(tokenMemory[k], size);
    Arrays.fill(tokenTime[k], old, size, Double.NaN);
  }

  /**
   * Seconds of one step.
   *
   * @param decodes sequences that decode one token each
   * @param decodePast their cached tokens, summed
   * @param chunks prompt chunks in the step (entries 0 … chunks − 1 of the arrays)
   * @param chunkPast tokens each chunk's sequence has cached before it
   * @param chunkTokens tokens of each chunk
   * @param chunkSamples whether each chunk ends its prompt, so its sequence samples a token
   */
  public double seconds(int decodes, long decodePast, int chunks, long[] chunkPast, long[] chunkTokens,
      boolean[] chunkSamples) {
    // Under speculative decoding each decoding sequence verifies k drafted tokens and the one after them, every one
    // through the LM head, after the drafter ran.
    int present = f.spec.active() ? f.spec.k() + 1 : 1;
    long tokens = (long) decodes * present;
    long samplers = (long) decodes * present;
    for (int j = 0; j < chunks; j++) {
      tokens += chunkTokens[j];
      samplers += chunkSamples[j] ? 1 : 0;
    }
    if (tokens == 0) {
      return 0;
    }
    boolean mixed = chunks > 0 || (present > 1 && decodes > 0);
    int k = mixed ? 1 : 0;
    double[] spo = mixed ? f.secPerOp : f.secPerOpDecode;
    double[] spb = mixed ? f.secPerByte : f.secPerByteDecode;
    Roofline acc = new Roofline();
    if (tokens <= maxTokens) {
      int n = (int) tokens;
      if (n >= tokenTime[k].length) {
        grow(k, n);
      }
      if (Double.isNaN(tokenTime[k][n])) {
        Roofline r = tokenPart(n, spo, spb);
        tokenCompute[k][n] = r.compute;
        tokenMemory[k][n] = r.memory;
        tokenTime[k][n] = r.time;
      }
      acc.time = tokenTime[k][n];
      acc.compute = tokenCompute[k][n];
      acc.memory = tokenMemory[k][n];
    } else {
      Roofline r = tokenPart(tokens, spo, spb);
      acc.time = r.time;
      acc.compute = r.compute;
      acc.memory = r.memory;
    }
    if (samplers > 0) {
      for (int i : sampling) {
        acc.dispatches += f.mult[i] * acc.add(ops[i].cost(1, 1, (int) Math.min(samplers, Integer.MAX_VALUE)), spo[i],
            spb[i], f.mult[i]);
      }
    }
    long meanPast = decodes > 0 ? Math.round((double) decodePast / decodes) : 0;
    for (int i : contextual) {
      double m = f.mult[i];
      double d = 0;
      if (decodes > 0) {
        d = acc.add(ops[i].cost(meanPast, present, decodes), present == 1 ? f.secPerOpDecode[i] : f.secPerOp[i],
            present == 1 ? f.secPerByteDecode[i] : f.secPerByte[i], m);
      }
      for (int j = 0; j < chunks; j++) {
        d = Math.max(d, acc.add(ops[i].cost(chunkPast[j], chunkTokens[j], 1), f.secPerOp[i], f.secPerByte[i], m));
      }
      acc.dispatches += m * d;
    }
    double host = 0;
    if (samplers > 0) {
      double context = (decodePast + (double) decodes * present) * (f.contextSec + (present == 1 ? f.gqaSec : 0));
      for (int j = 0; j < chunks; j++) {
        if (chunkSamples[j]) {
          context += (chunkPast[j] + chunkTokens[j]) * f.contextSec;
        }
      }
      host = f.stepSec + (samplers - (long) decodes * (present - 1)) * f.sequenceSec + context;
    }
    double drafting = present > 1 && decodes > 0 ? f.draftSeconds(meanPast, decodes) : 0;
    if (f.draft != null) {
      // A draft model prefills the prompts too, in its own calls.
      for (int j = 0; j < chunks; j++) {
        drafting += f.draft.callSeconds(chunkPast[j], chunkTokens[j], 1, chunkSamples[j]);
      }
    }
    return (f.overlap == Overlap.PHASE ? Math.max(acc.compute, acc.memory) : acc.time) + acc.dispatches * f.dispatchSec
        + host + drafting;
  }

  /** Sums of a step's operator costs: per-operator rooflines, compute and memory times, and dispatches. */
  private static final class Roofline {
    double time;
    double compute;
    double memory;
    double dispatches;

    /** Adds {@code m} times an operator's cost at these seconds per op and per byte; returns its dispatches. */
    double add(OpCost c, double secPerOp, double secPerByte, double m) {
      double ci = c.ops() * secPerOp;
      double mi = c.bytes() * secPerByte;
      compute += m * ci;
      memory += m * mi;
      time += m * Math.max(ci, mi);
      return c.dispatches();
    }
  }

  /**
   * Roofline, compute and memory seconds of the token-wise operators over {@code tokens} tokens, their dispatches
   * included in the roofline term.
   */
  private Roofline tokenPart(long tokens, double[] spo, double[] spb) {
    Roofline r = new Roofline();
    for (int i : tokenwise) {
      r.dispatches += f.mult[i] * r.add(ops[i].cost(1, tokens, 1), spo[i], spb[i], f.mult[i]);
    }
    // The dispatches ride on the roofline term; PHASE overlap adds them to max(compute, memory) the same way.
    double ds = r.dispatches * f.dispatchSec;
    r.time += ds;
    r.compute += ds;
    r.memory += ds;
    r.dispatches = 0;
    return r;
  }

  /**
   * Bytes of activations a step of {@code tokens} prompt tokens holds at its peak: what an engine reserves beside
   * weights and cache (vLLM profiles a step of its token budget at start-up).
   */
  public double transientBytes(long tokens) {
    double peak = 0;
    for (int i = 0; i < ops.length; i++) {
      OpCost c = ops[i].cost(0, tokens, 1);
      peak = Math.max(peak, ops[i].transientBytes(c, 0, tokens, 1));
    }
    return peak;
  }
}
