package life.serving;

import java.util.Arrays;
import java.util.List;
import life.forecast.Forecaster;
import life.forecast.StepTimer;
import life.spec.HardwareSpec;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * A discrete-event simulation of one serving replica under continuous batching: seeded, deterministic, one event per
 * engine step.
 *
 * <p>The scheduler is vLLM V1's ({@code vllm/v1/core/sched/scheduler.py}; TensorRT-LLM's in-flight batching and
 * llama.cpp's server slots work alike). Every step has a token budget. Running sequences come first, in the order
 * they were admitted: each asks for the tokens it has not computed (one for a decode, the rest of its prompt, or a
 * chunk of it, for a prefill). Each gets KV-cache blocks for them; when none are free the last admitted running
 * sequence is preempted by recompute (its blocks freed, its computed tokens forgotten, back to the head of the
 * queue). Then, if nothing was preempted, waiting requests are admitted first come first served while the budget, the
 * cap on running sequences and free blocks allow. The step's time is the forecaster's ({@link StepTimer}); a sequence
 * whose computed tokens reach its known tokens samples one more.
 *
 * <p>The KV cache holds {@code floor((fraction · memory − weights − activations) / block bytes)} blocks per device,
 * activations being those of one step of the full token budget. A request that could never fit (its prompt and output
 * need more blocks than the cache has, or, without chunked prefill, its prompt exceeds the budget) is rejected on
 * arrival and counted, not queued forever.
 */
public final class Simulator {
  private Simulator() {}

  /** Latency objectives a request must meet to count towards goodput; 0 for none. */
  public record Slo(double ttftMs, double tpotMs) {
    public static final Slo NONE = new Slo(0, 0);

    public Slo {
      if (ttftMs < 0 || tpotMs < 0 || Double.isNaN(ttftMs) || Double.isNaN(tpotMs)) {
        throw new IllegalArgumentException("--slo-ttft-ms and --slo-tpot-ms must be at least 0");
      }
    }

    boolean met(double ttftS, double tpotS) {
      return (ttftMs == 0 || ttftS * 1e3 <= ttftMs) && (tpotMs == 0 || Double.isNaN(tpotS) || tpotS * 1e3 <= tpotMs);
    }
  }

  /** Percentiles of one latency, in milliseconds (NaN when no request has it). */
  public record Latency(double meanMs, double p50Ms, double p90Ms, double p99Ms) {
    static Latency of(double[] seconds, int n) {
      if (n == 0) {
        return new Latency(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
      }
      double[] v = Arrays.copyOf(seconds, n);
      Arrays.sort(v);
      // numpy's default (linear between closest ranks), as vLLM's benchmark reports them.
      Percentile p = new Percentile().withEstimationType(Percentile.EstimationType.R_7);
      p.setData(v);
      double sum = 0;
      for (double x : v) {
        sum += x;
      }
      return new Latency(sum / n * 1e3, p.evaluate(50) * 1e3, p.evaluate(90) * 1e3, p.evaluate(99) * 1e3);
    }
  }

  /**
   * What a run measured.
   *
   * @param durationS from time 0 to the last completion
   * @param throughputTps output tokens of completed requests per second of the duration
   * @param requestsPerS completed requests per second of the duration
   * @param goodputRps completed requests that met the SLOs, per second
   * @param ttft time to first token, from arrival
   * @param tpot time per output token after the first, per request: (E2E − TTFT) / (output − 1)
   * @param e2e arrival to last token
   * @param meanBatch sequences in a step, weighted by the step's time
   * @param meanInFlight requests arrived and not finished (queued or running), averaged over the duration
   * @param meanKvUsage share of the cache's blocks in use, weighted by step time; {@code peakKvUsage} its largest
   * @param busyShare share of the duration the replica spent running steps
   * @param kvBlocks blocks the cache holds; {@code blockTokens} tokens per block
   * @param saturated the engine falls behind the offered rate: over the arrivals after the first quarter, fewer than
   *     90 % as many requests completed as arrived (only for arrivals at a rate)
   */
  public record Result(int requests, int completed, int rejected, double durationS, long outputTokens,
      double throughputTps, double requestsPerS, double goodputRps, Latency ttft, Latency tpot, Latency e2e,
      double meanBatch, double meanInFlight, double meanKvUsage, double peakKvUsage, long preemptions, long steps,
      double busyShare, long kvBlocks, int blockTokens, boolean saturated) {
    /**
     * The figures under their output names ({@code life serve --format json}, sweep columns): units in every name,
     * times in milliseconds.
     */
    public java.util.Map<String, Object> values() {
      java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("throughput_tps", throughputTps);
      m.put("requests_per_s", requestsPerS);
      m.put("goodput_rps", goodputRps);
      m.put("ttft_mean_ms", ttft.meanMs());
      m.put("ttft_p50_ms", ttft.p50Ms());
      m.put("ttft_p90_ms", ttft.p90Ms());
      m.put("ttft_p99_ms", ttft.p99Ms());
      m.put("tpot_mean_ms", tpot.meanMs());
      m.put("tpot_p50_ms", tpot.p50Ms());
      m.put("tpot_p90_ms", tpot.p90Ms());
      m.put("tpot_p99_ms", tpot.p99Ms());
      m.put("e2e_mean_ms", e2e.meanMs());
      m.put("e2e_p50_ms", e2e.p50Ms());
      m.put("e2e_p90_ms", e2e.p90Ms());
      m.put("e2e_p99_ms", e2e.p99Ms());
      m.put("mean_batch", meanBatch);
      m.put("mean_in_flight", meanInFlight);
      m.put("kv_usage_mean", meanKvUsage);
      m.put("kv_usage_peak", peakKvUsage);
      m.put("preemptions", preemptions);
      m.put("requests", requests);
      m.put("completed", completed);
      m.put("rejected", rejected);
      m.put("output_tokens", outputTokens);
      m.put("duration_s", durationS);
      m.put("steps", steps);
      m.put("busy_share", busyShare);
      m.put("kv_blocks", kvBlocks);
      m.put("kv_block_tokens", blockTokens);
      m.put("saturated", saturated);
      return m;
    }
  }

  /**
   * Runs {@code w} on one replica of {@code f}'s model and devices under {@code e}.
   *
   * @throws IllegalArgumentException when the weights and one step's activations leave no room for a cache block
   */
  public static Result run(Forecaster f, Engine e, Workload w, Slo slo) {
    if (f.disaggregation().active()) {
      return Disaggregated.run(f, e, w, slo);
    }
    int clients = w.arrivals() instanceof Arrivals.Concurrency c ? c.clients() : 0;
    return new Run(f, e, w.items(), clients, w.seed(), w.arrivals() instanceof Arrivals.Poisson, slo, false)
        .simulate();
  }

  /** Blocks of KV cache one replica holds under {@code e} (a run's {@link Result#kvBlocks}). */
  public static long kvBlocks(Forecaster f, Engine e) {
    HardwareSpec hw = f.hardware();
    double blockBytes = f.kvCacheBytesPerDevice(e.blockTokens());
    double activations = f.uncachedStepTimer().transientBytes(e.maxBatchedTokens());
    double free = e.memoryFraction() * hw.memBytes() - f.weightBytesPerDevice() - activations;
    if (hw.memBytes() <= 0) {
      throw new IllegalArgumentException(hw.id() + " states no memory capacity (mem_gib), so its KV cache cannot be "
          + "sized");
    }
    if (blockBytes <= 0) {
      return Long.MAX_VALUE / 4;
    }
    if (free < blockBytes) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
          "%s does not fit on %s: weights %.1f GiB and activations %.1f GiB leave no KV cache in %.0f %% of %.1f GiB",
          f.graph().spec().id(), hw.id(), f.weightBytesPerDevice() / HardwareSpec.GIB, activations / HardwareSpec.GIB,
          e.memoryFraction() * 100, hw.memBytes() / HardwareSpec.GIB));
    }
    return (long) Math.floor(free / blockBytes);
  }

  /**
   * A run's figures from each request's arrival, first token and last token ({@code rejected} ones counted apart);
   * {@code inFlight} is the time integral of requests in flight, or NaN to take it from the requests' sojourns.
   */
  static Result summarize(double[] arrival, double[] first, double[] finish, int[] output, boolean[] rejected, Slo slo,
      boolean atRate, double end, double inFlight, long steps, long preemptions, double meanBatch, double meanKv,
      double peakKv, double busyTime, long kvBlocks, int blockTokens) {
    int n = arrival.length;
    double[] ttft = new double[n];
    double[] tpot = new double[n];
    double[] e2e = new double[n];
    int c = 0;
    int ct = 0;
    int good = 0;
    long outTokens = 0;
    double sojourn = 0;
    for (int r = 0; r < n; r++) {
      if (rejected[r]) {
        continue;
      }
      double t1 = first[r] - arrival[r];
      double tp = output[r] > 1 ? (finish[r] - first[r]) / (output[r] - 1) : Double.NaN;
      ttft[c] = t1;
      e2e[c++] = finish[r] - arrival[r];
      sojourn += finish[r] - arrival[r];
      if (output[r] > 1) {
        tpot[ct++] = tp;
      }
      outTokens += output[r];
      good += slo.met(t1, tp) ? 1 : 0;
    }
    double d = end > 0 ? end : Double.NaN;
    return new Result(n, c, n - c, end, outTokens, outTokens / d, c / d, good / d, Latency.of(ttft, c),
        Latency.of(tpot, ct), Latency.of(e2e, c), meanBatch, (Double.isNaN(inFlight) ? sojourn : inFlight) / d, meanKv,
        peakKv, preemptions, steps, busyTime / d, kvBlocks, blockTokens, atRate && saturated(arrival, finish,
        rejected));
  }

  /**
   * Whether a run at a rate fell behind: over the arrivals after the first quarter, fewer than 90 % as many requests
   * completed as arrived.
   */
  static boolean saturated(double[] arrival, double[] finish, boolean[] rejected) {
    int n = arrival.length;
    if (n < 8) {
      return false;
    }
    double[] sorted = arrival.clone();
    Arrays.sort(sorted);
    double from = sorted[n / 4];
    double to = sorted[n - 1];
    int arrived = n - 1 - n / 4;
    int completed = 0;
    for (int r = 0; r < n; r++) {
      completed += !rejected[r] && finish[r] > from && finish[r] <= to ? 1 : 0;
    }
    return to > from && completed < 0.9 * arrived;
  }

  /** One run's state: per-request arrays indexed by request id, and the running list in admission order. */
  static final class Run {
    final Engine e;
    /** Arrivals are at a rate (saturation can be judged). */
    final boolean atRate;
    final long seed;
    /** Requests arrive with their prompt's KV cache (a decode instance of a disaggregated service). */
    final boolean[] pending;
    final Slo slo;
    final StepTimer timer;
    final int n;
    final int bt;
    final long totalBlocks;
    final double[] arrival;
    final int[] prompt;
    final int[] output;
    final int[] computed;
    final int[] generated;
    final long[] blocks;
    final double[] firstToken;
    final double[] finish;
    final boolean[] rejected;
    /** Waiting queue as a ring buffer (head may be pushed to by preemption). */
    final int[] queue;
    int qHead;
    int qSize;
    final int[] running;
    int runningSize;
    long freeBlocks;
    /** Next request to arrive (in arrival order; a closed loop releases them as clients finish). */
    int next;
    /** Closed loop: requests released so far (their arrival times are set). */
    int released;
    final boolean closed;
    final int[] schedId;
    final int[] schedTokens;
    /** Speculative decoding: tokens drafted per decode step (0: none), and the draws of their acceptance. */
    final life.forecast.Speculation spec;
    final int drafted;
    final org.apache.commons.math3.random.RandomGenerator accept;
    final long[] chunkPast;
    final long[] chunkTokens;
    final boolean[] chunkSamples;

    /**
     * A replica serving {@code items} (in arrival order); {@code clients} &gt; 0 for a closed loop (arrival times then
     * set as clients finish); {@code prefilled}: each request arrives with its prompt cached and its first token made.
     */
    Run(Forecaster f, Engine e, List<Workload.Item> items, int clients, long seed, boolean atRate, Slo slo,
        boolean prefilled) {
      this.e = e;
      this.atRate = atRate;
      this.seed = seed;
      this.slo = slo;
      this.timer = f.stepTimer(e.maxBatchedTokens());
      this.bt = e.blockTokens();
      this.totalBlocks = kvBlocks(f, e);
      n = items.size();
      arrival = new double[n];
      prompt = new int[n];
      output = new int[n];
      for (int i = 0; i < n; i++) {
        Workload.Item it = items.get(i);
        arrival[i] = it.arrivalS();
        prompt[i] = (int) it.promptTokens();
        output[i] = (int) it.outputTokens();
      }
      computed = new int[n];
      generated = new int[n];
      blocks = new long[n];
      firstToken = new double[n];
      finish = new double[n];
      rejected = new boolean[n];
      queue = new int[n];
      int cap = Math.min(e.maxSeqs(), n);
      running = new int[cap];
      schedId = new int[cap];
      schedTokens = new int[cap];
      chunkPast = new long[cap];
      chunkTokens = new long[cap];
      chunkSamples = new boolean[cap];
      freeBlocks = totalBlocks;
      closed = clients > 0;
      pending = new boolean[n];
      java.util.Arrays.fill(pending, prefilled);
      spec = f.speculation();
      drafted = spec.active() ? spec.k() : 0;
      accept = new org.apache.commons.math3.random.Well19937c(seed ^ 0x2545F4914F6CDD1DL);
      if (1 + drafted > e.maxBatchedTokens()) {
        throw new IllegalArgumentException("--max-batched-tokens " + e.maxBatchedTokens() + " is below a speculative "
            + "step's " + (1 + drafted) + " tokens per sequence");
      }
      released = closed ? Math.min(clients, n) : n;
    }

    long blocksFor(long tokens) {
      return (tokens + bt - 1) / bt;
    }

    int known(int r) {
      return prompt[r] + generated[r];
    }

    void pushBack(int r) {
      queue[(qHead + qSize) % n] = r;
      qSize++;
    }

    void pushFront(int r) {
      qHead = (qHead - 1 + n) % n;
      queue[qHead] = r;
      qSize++;
    }

    int popFront() {
      int r = queue[qHead];
      qHead = (qHead + 1) % n;
      qSize--;
      return r;
    }

    /** Frees {@code r}'s blocks and forgets its computed tokens (recompute on readmission). */
    void preempt(int r) {
      freeBlocks += blocks[r];
      blocks[r] = 0;
      computed[r] = 0;
      pushFront(r);
    }

    Result simulate() {
      double now = 0;
      int done = 0;
      long steps = 0;
      long preemptions = 0;
      double inFlight = 0;
      double batchTime = 0;
      double kvTime = 0;
      double busy = 0;
      double peakKv = 0;
      while (done < n) {
        // Arrivals up to now join the queue; one that can never fit is rejected.
        while (next < released && arrival[next] <= now) {
          int r = next++;
          inFlight += now - arrival[r];
          long full = blocksFor((long) prompt[r] + output[r]);
          if (full > totalBlocks || (!e.chunkedPrefill() && prompt[r] > e.maxBatchedTokens())) {
            rejected[r] = true;
            finish[r] = now;
            done++;
            release(now);
          } else {
            pushBack(r);
          }
        }
        if (runningSize == 0 && qSize == 0) {
          if (next < released) {
            now = Math.max(now, arrival[next]);
            continue;
          }
          if (done < n) {
            throw new IllegalStateException("simulation stalled with " + (n - done) + " requests unserved");
          }
          break;
        }
        // Schedule running sequences first, in admission order, then admit waiting ones.
        int budget = e.maxBatchedTokens();
        int scheduled = 0;
        boolean preempted = false;
        int i = 0;
        while (i < runningSize && budget > 0) {
          int r = running[i];
          boolean decode = computed[r] > 0 && known(r) - computed[r] == 1;
          int tokens = decode ? 1 + drafted : Math.min(known(r) - computed[r], budget);
          if (tokens > budget) {
            break;
          }
          long need = blocksFor((long) computed[r] + tokens) - blocks[r];
          while (need > freeBlocks) {
            int victim = running[--runningSize];
            preempt(victim);
            preemptions++;
            preempted = true;
            if (victim == r) {
              break;
            }
          }
          if (i >= runningSize) {
            break;
          }
          freeBlocks -= need;
          blocks[r] += need;
          schedId[scheduled] = r;
          schedTokens[scheduled++] = tokens;
          budget -= tokens;
          i++;
        }
        if (!preempted) {
          while (qSize > 0 && runningSize < running.length && budget > 0) {
            int r = queue[qHead];
            // A request that arrives prefilled holds its prompt and first token, and decodes from its first step.
            int c0 = pending[r] ? prompt[r] : computed[r];
            int want = pending[r] ? 1 : known(r) - computed[r];
            boolean decode = c0 > 0 && want == 1;
            int tokens = decode ? 1 + drafted : Math.min(want, budget);
            if (tokens > budget || (!e.chunkedPrefill() && tokens < want)) {
              break;
            }
            long need = blocksFor((long) c0 + tokens) - blocks[r];
            if (need > freeBlocks) {
              break;
            }
            if (pending[r]) {
              pending[r] = false;
              computed[r] = prompt[r];
              generated[r] = 1;
            }
            popFront();
            freeBlocks -= need;
            blocks[r] += need;
            running[runningSize++] = r;
            schedId[scheduled] = r;
            schedTokens[scheduled++] = tokens;
            budget -= tokens;
          }
        }
        if (scheduled == 0) {
          throw new IllegalStateException("no sequence could be scheduled: " + qSize + " waiting, " + runningSize
              + " running, " + freeBlocks + " of " + totalBlocks + " blocks free");
        }
        int decodes = 0;
        long decodePast = 0;
        int chunks = 0;
        for (int k = 0; k < scheduled; k++) {
          int r = schedId[k];
          int tokens = schedTokens[k];
          if (computed[r] > 0 && computed[r] + 1 == known(r)) {
            decodes++;
            decodePast += computed[r];
          } else {
            chunkPast[chunks] = computed[r];
            chunkTokens[chunks] = tokens;
            chunkSamples[chunks++] = computed[r] + tokens == known(r);
          }
        }
        double dt = timer.seconds(decodes, decodePast, chunks, chunkPast, chunkTokens, chunkSamples);
        if (!(dt > 0) || Double.isInfinite(dt)) {
          throw new IllegalStateException("a step took " + dt + " s");
        }
        inFlight += (qSize + runningSize) * dt;
        batchTime += scheduled * dt;
        double used = (double) (totalBlocks - freeBlocks) / totalBlocks;
        kvTime += used * dt;
        peakKv = Math.max(peakKv, used);
        busy += dt;
        now += dt;
        steps++;
        // Tokens computed; sequences that computed all they know sample one more.
        boolean anyDone = false;
        for (int k = 0; k < scheduled; k++) {
          int r = schedId[k];
          if (drafted > 0 && computed[r] > 0 && computed[r] + 1 == known(r)) {
            // A speculative step keeps the drafted tokens up to the first rejected one, and the target's token there.
            int emitted = Math.min(1 + spec.accepted(accept.nextDouble()), output[r] - generated[r]);
            computed[r] += emitted;
            generated[r] += emitted - 1;
          } else {
            computed[r] += schedTokens[k];
          }
          if (computed[r] == known(r)) {
            generated[r]++;
            if (generated[r] == 1) {
              firstToken[r] = now;
            }
            if (generated[r] == output[r]) {
              finish[r] = now;
              freeBlocks += blocks[r];
              blocks[r] = 0;
              computed[r] = -1;
              anyDone = true;
              done++;
              release(now);
            }
          }
        }
        if (anyDone) {
          int k = 0;
          for (int j = 0; j < runningSize; j++) {
            if (computed[running[j]] >= 0) {
              running[k++] = running[j];
            }
          }
          runningSize = k;
        }
      }
      return result(now, steps, preemptions, inFlight, batchTime, kvTime, busy, peakKv);
    }

    /** In a closed loop, a finished (or rejected) request lets its client send the next one now. */
    void release(double now) {
      if (closed && released < n) {
        arrival[released++] = now;
      }
    }

    Result result(double end, long steps, long preemptions, double inFlight, double batchTime, double kvTime,
        double busy, double peakKv) {
      return summarize(arrival, firstToken, finish, output, rejected, slo, atRate, end, inFlight, steps, preemptions,
          busy > 0 ? batchTime / busy : 0, busy > 0 ? kvTime / busy : 0, peakKv, busy, totalBlocks, bt);
    }
  }
}
