package life.forecast;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import life.ops.ModelGraph;
import life.ops.OpCost;
import life.ops.Operator;
import life.ops.Parallelism;
import life.ops.Span;
import life.spec.HardwareSpec;
import life.stack.Efficiencies;
import life.stack.Stack;
import life.stack.StackSettings;

/**
 * Turns a model graph into times on one device: the roofline combine of {@link Overlap}, and sums over a request's
 * calls in closed form.
 *
 * <p>Closed-form sums (our derivation, docs/method.md): decode step j ∈ [1, output − 1] is a call with past
 * {@code prompt + j − 1} and present 1; chunk j of a chunked prefill is a call with past {@code j·c} and present c.
 * For a fixed present length every operator's ops and bytes are affine in the past length between breakpoints (the
 * sliding windows, scaled by the KV keep ratio, and past 0, where the inline LoRA merge runs). Each roofline term is
 * then the max of two affine functions of the call index, whose sum has a closed form split at the crossing. The few
 * calls inside a window's transition zone (at most one per chunk) are evaluated directly. The cost of a forecast is
 * O(operators), whatever the output length and the number of chunks.
 *
 * <p>A forecaster is immutable and thread-safe; build one per (model graph, device, efficiencies, stack, overlap) and
 * reuse it. Outside tests, {@code life.scenario} builds them.
 */
public final class Forecaster {
  private final ModelGraph graph;
  private final HardwareSpec hw;
  private final Efficiencies eff;
  private final Stack stack;
  /** {@link Stack#id()}, made once: every forecast carries it. */
  private final String stackId;
  final Overlap overlap;
  final Operator[] ops;
  final double[] mult;
  final double[] secPerOp;
  /** Seconds per byte of each operator: memory's rate, or the link's for collectives. */
  final double[] secPerByte;
  /** The same two for decode steps (calls of one token that sample), where a profile has per-phase efficiencies. */
  final double[] secPerOpDecode;
  final double[] secPerByteDecode;
  final double dispatchSec;
  final double sequenceSec;
  final double stepSec;
  /** Seconds per sequence and cached token of a sampling call ({@link Efficiencies#contextSeconds()}). */
  final double contextSec;
  /**
   * Seconds per sequence and cached token of a decode step from {@link Efficiencies#gqaSeconds()}: its rate times
   * the query heads of the graph's grouped-query layers ({@link ModelGraph#groupedQueryHeads()}).
   */
  final double gqaSec;
  private final List<Span> spans;
  /** Bytes of weights per device. */
  private final double weightBytes;
  /** Devices a layer split spreads the weights and KV cache over (1 otherwise). */
  private final int split;
  /** What this forecaster derives from its graph alone, shared with the forecasters of it at other efficiencies. */
  private final Shape shape;
  private final ConcurrentHashMap<Long, Table> tables;
  /** Decode tables (present 1, sampling) by batch size, the hot lookup, without boxing. */
  private final java.util.concurrent.atomic.AtomicReferenceArray<Table> decodeTables;
  private final Function<Long, Table> tableMaker = this::table;
  private volatile Table lastTable;
  /** Speculative decoding ({@link Speculation#NONE}: none) and, for a draft model, its forecaster. */
  final Speculation spec;
  final Forecaster draft;
  /** Disaggregated prefill and decode ({@link Disaggregation#NONE}: one pool). */
  final Disaggregation disagg;

  /** A forecaster with no serving stack (the raw roofline at {@code eff}). */
  public Forecaster(ModelGraph graph, HardwareSpec hw, Efficiencies eff, Overlap overlap) {
    this(graph, hw, eff, Stack.NONE, overlap);
  }

  /**
   * The same model, device, stack and overlap with other efficiencies: the graph is shared, not rebuilt (fitting
   * efficiencies forecasts the same rows under thousands of candidates).
   */
  public Forecaster withEfficiencies(Efficiencies e) {
    return new Forecaster(shape, hw, e, stack, overlap, spec, draft == null ? null : draft.withEfficiencies(e),
        disagg);
  }

  /**
   * The operators of a graph with their layer counts, the spans of its layer groups, its weight bytes and
   * grouped-query heads, and its cost tables (ops and bytes of calls, affine in the cached length between
   * breakpoints), which depend on the graph alone: calibration forecasts one graph under thousands of efficiencies.
   */
  private static final class Shape {
    final ModelGraph graph;
    final Operator[] ops;
    final double[] mult;
    final List<Span> spans;
    final double weightBytes;
    final double groupedQueryHeads;
    final ConcurrentHashMap<Long, Table> tables = new ConcurrentHashMap<>();
    final java.util.concurrent.atomic.AtomicReferenceArray<Table> decodeTables =
        new java.util.concurrent.atomic.AtomicReferenceArray<>(1024);

    Shape(ModelGraph graph) {
      this.graph = graph;
      List<Operator> list = new ArrayList<>(graph.head());
      List<Double> m = new ArrayList<>();
      graph.head().forEach(o -> m.add(1.0));
      List<Span> s = new ArrayList<>();
      for (ModelGraph.LayerGroup g : graph.groups()) {
        for (Operator o : g.ops()) {
          list.add(o);
          m.add((double) g.count());
        }
        s.add(g.span());
      }
      list.addAll(graph.tail());
      graph.tail().forEach(o -> m.add(1.0));
      spans = List.copyOf(s);
      ops = list.toArray(new Operator[0]);
      mult = new double[ops.length];
      for (int i = 0; i < ops.length; i++) {
        mult[i] = m.get(i);
      }
      weightBytes = graph.weightBytes();
      groupedQueryHeads = graph.groupedQueryHeads();
    }
  }

  /**
   * This forecaster decoding speculatively ({@link Speculation}); {@code draftModel} is the draft model's forecaster on
   * the same devices and stack for {@code draft}, null for the head methods.
   */
  public Forecaster withSpeculation(Speculation s, Forecaster draftModel) {
    if (s.method().equals("draft") != (draftModel != null)) {
      throw new IllegalArgumentException("a draft model's forecaster is needed for draft speculation, and only there");
    }
    return new Forecaster(shape, hw, eff, stack, overlap, s, draftModel, disagg);
  }

  /**
   * This forecaster serving disaggregated: prompts on {@code d.prefill()} instances, decoding on {@code d.decode()}
   * others, each prompt's KV cache sent between them ({@link #kvTransferSeconds}).
   */
  public Forecaster withDisaggregation(Disaggregation d) {
    if (d.active() && d.linkGbps() == 0 && hw.linkBytesPerSecond() <= 0) {
      throw new IllegalArgumentException("hardware " + hw.id() + " has no link_gbps figure: give the KV link's speed "
          + "as P:D@GBPS");
    }
    return new Forecaster(shape, hw, eff, stack, overlap, spec, draft, d);
  }

  public Disaggregation disaggregation() {
    return disagg;
  }

  /** Seconds to send the KV cache of {@code tokens} tokens of one sequence from a prefill to a decode instance. */
  public double kvTransferSeconds(long tokens) {
    double rate = disagg.linkGbps() > 0 ? disagg.linkGbps() * 1e9 : hw.linkBytesPerSecond();
    return disagg.active() ? kvCacheBytesPerDevice(tokens) / rate : 0;
  }

  public Speculation speculation() {
    return spec;
  }

  /**
   * A forecaster of {@code graph} (already built with {@code stack}'s conventions) on {@code hw} at {@code eff};
   * {@code stack} also decides whether a batch too large for memory runs in waves.
   */
  public Forecaster(ModelGraph graph, HardwareSpec hw, Efficiencies eff, Stack stack, Overlap overlap) {
    this(new Shape(graph), hw, eff, stack, overlap, Speculation.NONE, null, Disaggregation.NONE);
  }

  private Forecaster(Shape shape, HardwareSpec hw, Efficiencies eff, Stack stack, Overlap overlap,
      Speculation spec, Forecaster draft, Disaggregation disagg) {
    this.spec = spec;
    this.draft = draft;
    this.disagg = disagg;
    this.shape = shape;
    this.graph = shape.graph;
    this.tables = shape.tables;
    this.decodeTables = shape.decodeTables;
    this.hw = hw;
    this.eff = eff;
    this.stack = stack;
    this.stackId = stack.id();
    this.overlap = overlap;
    Device d = new Device(hw, eff, stack.settings().matrixUnitsOn(hw.id()));
    spans = shape.spans;
    ops = shape.ops;
    mult = shape.mult;
    int n = ops.length;
    secPerOp = new double[n];
    secPerByte = new double[n];
    secPerOpDecode = new double[n];
    secPerByteDecode = new double[n];
    double opScale = eff.computeEff() / eff.decodeComputeEffOrSame();
    double byteScale = eff.memEff() / eff.decodeMemEffOrSame();
    dispatchSec = d.dispatchSeconds();
    sequenceSec = eff.sequenceSeconds();
    stepSec = eff.stepSeconds();
    contextSec = eff.contextSeconds();
    gqaSec = shape.groupedQueryHeads * eff.gqaSeconds();
    for (int i = 0; i < n; i++) {
      secPerOp[i] = 1.0 / d.opsPerSecond(ops[i]);
      secPerByte[i] = 1.0 / (ops[i].link() ? d.linkBytesPerSecond(graph.options().parallel().devices())
          : d.bytesPerSecond());
      secPerOpDecode[i] = secPerOp[i] * opScale;
      secPerByteDecode[i] = secPerByte[i] * byteScale;
    }
    // A layer split spreads the weights and the KV cache over the devices; memory figures are per device.
    Parallelism par = graph.options().parallel();
    split = par.layerSplit() ? par.devices() : 1;
    weightBytes = shape.weightBytes / split;
  }

  public ModelGraph graph() {
    return graph;
  }

  public HardwareSpec hardware() {
    return hw;
  }

  public Efficiencies efficiencies() {
    return eff;
  }

  public Stack stack() {
    return stack;
  }

  /** Bytes of the model's weights, all devices together ({@link ModelGraph#weightBytes}, summed once). */
  public double graphWeightBytes() {
    return shape.weightBytes;
  }

  /** Bytes of weights each device holds. */
  public double weightBytesPerDevice() {
    return weightBytes;
  }

  /** KV-cache bytes each device holds for one sequence of {@code tokens} tokens. */
  public double kvCacheBytesPerDevice(long tokens) {
    return graph.kvCacheBytes(tokens) / split;
  }

  /**
   * A timer of continuous-batching engine steps ({@link StepTimer}) for steps of at most {@code maxTokens} tokens; one
   * per simulation (it caches and is not thread-safe).
   */
  public StepTimer stepTimer(int maxTokens) {
    return new StepTimer(this, maxTokens, true);
  }

  /** A timer of engine steps that caches nothing: for a caller that times each step size once. */
  public StepTimer uncachedStepTimer() {
    return new StepTimer(this, 1, false);
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

  /** Seconds of one call that samples a token (a whole prefill, a last prefill chunk, or a decode step). */
  public double callSeconds(long past, long present, int batch) {
    return callSeconds(past, present, batch, true);
  }

  /** Seconds of one call; a prefill chunk that is not the last one does not sample ({@link Operator#sampling}). */
  public double callSeconds(long past, long present, int batch, boolean sampling) {
    Sums s = new Sums();
    direct(s, past, present, batch, sampling);
    return s.time;
  }

  /** Time, work and transient memory summed over calls. */
  private static final class Sums {
    double time;
    double compute;
    double memory;
    double ops;
    double bytes;
    double dispatches;
    double transientBytes;
  }

  /**
   * Sums of one phase's calls per operator, without the operator's layer count: ops, bytes, its roofline time with
   * its dispatches, and its compute and memory times (the per-operator rows of {@link #breakdown}).
   */
  private static final class PerOp {
    final double[] ops;
    final double[] bytes;
    final double[] time;
    final double[] compute;
    final double[] memory;

    PerOp(int n) {
      ops = new double[n];
      bytes = new double[n];
      time = new double[n];
      compute = new double[n];
      memory = new double[n];
    }
  }

  /** Adds one call, evaluated operator by operator. */
  private void direct(Sums k, long past, long present, int b, boolean sampling) {
    direct(k, past, present, b, sampling, null);
  }

  /** Adds one call, evaluated operator by operator, and each operator's share to {@code per} (when not null). */
  private void direct(Sums k, long past, long present, int b, boolean sampling, PerOp per) {
    boolean decode = present == 1 && sampling;
    double[] secPerOp = decode ? secPerOpDecode : this.secPerOp;
    double[] secPerByte = decode ? secPerByteDecode : this.secPerByte;
    double t = 0;
    double tc = 0;
    double tm = 0;
    double disp = 0;
    for (int i = 0; i < ops.length; i++) {
      if (!sampling && ops[i].sampling()) {
        continue;
      }
      OpCost c = ops[i].cost(past, present, b);
      double ci = c.ops() * secPerOp[i];
      double mi = c.bytes() * secPerByte[i];
      tc += mult[i] * ci;
      tm += mult[i] * mi;
      t += mult[i] * Math.max(ci, mi);
      disp += mult[i] * c.dispatches();
      if (per != null) {
        per.ops[i] += c.ops();
        per.bytes[i] += c.bytes();
        per.time[i] += Math.max(ci, mi) + c.dispatches() * dispatchSec;
        per.compute[i] += ci;
        per.memory[i] += mi;
      }
      k.ops += mult[i] * c.ops();
      k.bytes += mult[i] * c.bytes();
      k.transientBytes = Math.max(k.transientBytes, ops[i].transientBytes(c, past, present, b));
    }
    k.compute += tc;
    k.memory += tm;
    k.dispatches += disp;
    double host = sampling ? b * sequenceSec + stepSec + b * (past + present) * perContextToken(decode) : 0;
    k.time += (overlap == Overlap.PHASE ? Math.max(tc, tm) : t) + disp * dispatchSec + host;
  }

  /** Seconds of {@code steps} decode steps, the first with {@code past} cached tokens (closed form). */
  public double decodeSeconds(long past, long steps, int batch) {
    Sums s = new Sums();
    progression(s, past, 1, steps, 1, batch, true);
    return s.time;
  }

  /** Prefill sums of one request shape, shared by the requests that differ only in their output length. */
  private record PrefillKey(long prompt, int batch, long chunk, long context, long pipeline) {}

  private final ConcurrentHashMap<PrefillKey, Sums> prefills = new ConcurrentHashMap<>();
  private static final int PREFILL_CACHE = 4096;

  private Sums prefill(Request r) {
    PrefillKey key = new PrefillKey(r.prompt(), r.batch(), r.chunkSize(), r.context(), r.pipelineChunks());
    Sums s = prefills.get(key);
    if (s == null) {
      s = computePrefill(r);
      if (prefills.size() >= PREFILL_CACHE) {
        prefills.clear();
      }
      prefills.put(key, s);
    }
    return s;
  }

  private Sums computePrefill(Request r) {
    return prefillSums(r.context(), r.prompt(), r.batch(), r.chunkSize(), r.pipelineChunks());
  }

  /**
   * Seconds to prefill {@code prompt} tokens of each of {@code batch} sequences after {@code past} cached ones, in
   * chunks of {@code chunk} tokens (0: one call), the last chunk sampling a token (closed form over the chunks).
   */
  public double prefillSeconds(long past, long prompt, int batch, long chunk) {
    return prefillSeconds(past, prompt, batch, chunk, 0);
  }

  /**
   * As {@link #prefillSeconds(long, long, int, long)}, where a layer split pipelines at most {@code pipelineChunks}
   * consecutive chunks at a time (0: all of them; llama.cpp pipelines the micro-batches of one {@code n_batch}).
   */
  public double prefillSeconds(long past, long prompt, int batch, long chunk, long pipelineChunks) {
    return prefillSums(past, prompt, batch, chunk <= 0 ? prompt : Math.min(chunk, prompt), pipelineChunks).time;
  }

  private Sums prefillSums(long past, long l, int b, long c, long pipelineChunks) {
    Sums prefill = new Sums();
    if (l == 0) {
      return prefill;
    }
    long full = l / c;
    long rest = l - full * c;
    // Every chunk but the last skips the sampling operators (the LM head).
    long quiet = rest > 0 ? full : full - 1;
    progression(prefill, past, c, quiet, c, b, false);
    direct(prefill, past + quiet * c, rest > 0 ? rest : c, b, true);
    if (rest > 0 && full > 0) {
      Sums lastFull = new Sums();
      direct(lastFull, past + (full - 1) * c, c, b, false);
      prefill.transientBytes = Math.max(prefill.transientBytes, lastFull.transientBytes);
    }
    prefill.time *= pipelineFactor(quiet + 1, pipelineChunks);
    return prefill;
  }

  /**
   * A layer split over N devices runs the chunks of a prefill as a pipeline (llama.cpp's pipeline parallelism): while
   * device 2 runs chunk 1 through its layers, device 1 runs chunk 2. k chunks of time t through N equal stages take
   * {@code (k + N − 1) · t / N} instead of {@code k · t}; n chunks pipelined in groups of g take
   * {@code (n + G · (N − 1)) / (n · N)} of the sequential time, G = ⌈n / g⌉ groups (equal chunk times assumed).
   */
  private double pipelineFactor(long chunks, long group) {
    if (split == 1 || chunks <= 1) {
      return 1;
    }
    long groups = group <= 0 ? 1 : (chunks + group - 1) / group;
    return (chunks + groups * (split - 1.0)) / ((double) chunks * split);
  }

  /** The forecast of {@code r}. */
  public Forecast forecast(Request r) {
    long l = r.prompt();
    long past = r.context() + l;
    int b = r.batch();
    Sums prefill = prefill(r);
    double ttft = prefill.time;
    Bound prefillBound = prefill.compute > prefill.memory ? Bound.COMPUTE : Bound.MEMORY;

    long steps = r.output() - 1;
    Sums s = new Sums();
    progression(s, past, 1, Math.max(steps, 1), 1, b, true);
    long n = Math.max(steps, 1);
    double tpot = s.time / n;
    double e2e = ttft + (steps > 0 ? s.time : 0);
    int wave = stack.settings().waves() ? concurrentSequences(past + r.output(), b) : b;
    if (wave < b) {
      e2e = wavesSeconds(r, wave, e2e);
    }
    double kv = graph.kvCacheBytes(past + r.output()) * b / split;
    double mem = weightBytes + kv + prefill.transientBytes;
    double g = HardwareSpec.GIB;
    Forecast plain = new Forecast(graph.spec().id(), hw.id(), l, r.output(), b, r.context(), ttft * 1e3, tpot * 1e3,
        1.0 / tpot,
        (double) b * r.output() / e2e, e2e * 1e3, l > 0 ? b * l / ttft : 0, mem / g, weightBytes / g, kv / g,
        prefill.transientBytes / g, hw.memBytes() > 0 && mem <= hw.memBytes(),
        graph.spec().maxPosition() > 0 && r.context() + l + r.output() > graph.spec().maxPosition(), prefillBound,
        s.compute > s.memory ? Bound.COMPUTE : Bound.MEMORY, prefill.ops / 1e9, prefill.bytes / 1e9, s.ops / n / 1e9,
        s.bytes / n / 1e9, s.dispatches / n, stackId, eff.computeEff(), eff.memEff(), eff.dispatchSeconds() * 1e6,
        eff.origin());
    Forecast f = spec.active() && r.output() > 1 ? speculative(plain, r) : plain;
    return disagg.active() && r.output() > 1 ? transferred(f, r) : f;
  }

  /**
   * Seconds to run {@code r}'s batch to completion in waves of {@code wave} sequences, each wave prefilled and then
   * decoded to the end; {@code full} is the time of the whole batch at once, not used.
   */
  private double wavesSeconds(Request r, int wave, double full) {
    int b = r.batch();
    long waves = (b + wave - 1) / wave;
    int last = b - (int) ((waves - 1) * wave);
    double one = waveSeconds(r, wave);
    double tail = last == wave ? one : waveSeconds(r, last);
    return (waves - 1) * one + tail;
  }

  private double waveSeconds(Request r, int b) {
    double t = prefillSums(r.context(), r.prompt(), b, r.chunkSize(), r.pipelineChunks()).time;
    return t + decodeSeconds(r.context() + r.prompt(), r.output() - 1, b);
  }

  /**
   * Sequences of {@code tokens} tokens whose KV cache fits beside the weights in {@link StackSettings#MEMORY_FRACTION}
   * of the device's memory (the share serving engines give themselves by default), at least 1 and at most {@code b}.
   */
  public int concurrentSequences(long tokens, int b) {
    double capacity = hw.memBytes();
    if (capacity <= 0) {
      return b;
    }
    double free = StackSettings.MEMORY_FRACTION * capacity - weightBytes;
    double perSequence = kvCacheBytesPerDevice(tokens);
    if (perSequence <= 0) {
      return b;
    }
    return (int) Math.max(1, Math.min(b, Math.floor(free / perSequence)));
  }

  /** Seconds of the operators that run on sampling sequences (the LM head) over {@code sequences} of them. */
  public double samplingSeconds(int sequences, boolean decode) {
    double[] spo = decode ? secPerOpDecode : secPerOp;
    double[] spb = decode ? secPerByteDecode : secPerByte;
    double t = 0;
    for (int i = 0; i < ops.length; i++) {
      if (ops[i].sampling() && sequences > 0) {
        OpCost c = ops[i].cost(1, 1, sequences);
        t += mult[i] * (Math.max(c.ops() * spo[i], c.bytes() * spb[i]) + c.dispatches() * dispatchSec);
      }
    }
    return t;
  }

  /** Decoder layers of the model (every group's count). */
  public int layers() {
    int n = 0;
    for (ModelGraph.LayerGroup g : graph.groups()) {
      n += g.count();
    }
    return n;
  }

  /**
   * Seconds a speculative step spends drafting its k tokens for {@code batch} sequences with {@code past} cached:
   * k decode calls of the draft model; k of one decoder layer and the LM head (eagle, mtp); k LM heads (medusa).
   */
  public double draftSeconds(long past, int batch) {
    int k = spec.k();
    return switch (spec.method()) {
      case "draft" -> k * draft.callSeconds(past, 1, batch);
      case "eagle", "mtp" -> {
        double head = samplingSeconds(batch, true);
        yield k * ((callSeconds(past, 1, batch) - head) / Math.max(1, layers()) + head);
      }
      case "medusa" -> k * samplingSeconds(batch, true);
      default -> 0;
    };
  }

  /**
   * {@code f} served disaggregated: the first token comes from the prefill instance, then the batch's KV cache moves to
   * a decode instance before the second; E2E and throughput include the transfer.
   */
  private Forecast transferred(Forecast f, Request r) {
    double transfer = r.batch() * kvTransferSeconds(r.context() + r.prompt());
    double e2e = f.e2eMs() / 1e3 + transfer;
    return new Forecast(f.model(), f.hardware(), f.promptLen(), f.outputLen(), f.batch(), f.contextLen(), f.ttftMs(),
        f.tpotMs(), f.tps(), (double) r.batch() * r.output() / e2e, e2e * 1e3, f.prefillTps(), f.memoryGib(),
        f.weightsGib(), f.kvCacheGib(), f.activationGib(), f.fits(), f.exceedsContext(), f.prefillBound(),
        f.decodeBound(),
        f.prefillGops(), f.prefillGb(), f.decodeGopsPerStep(), f.decodeGbPerStep(), f.dispatchesPerStep(), f.stack(),
        f.computeEff(), f.memEff(), f.dispatchUs(), f.efficiencies());
  }

  /**
   * {@code f} with speculative decoding: TPOT is the mean step ({@link StepTimer}: draft, then verify of k + 1
   * positions per sequence, at the decode's mean cached length, where their costs are affine in it) over the tokens a
   * step yields; a draft model adds its prompt prefill to TTFT
   * and its weights and cache to memory.
   */
  private Forecast speculative(Forecast f, Request r) {
    int b = r.batch();
    long meanPast = Math.round(r.context() + r.prompt() + (r.output() - 2) / 2.0);
    double tpot = uncachedStepTimer().seconds(b, meanPast * b, 0, null, null, null) / spec.tokensPerStep();
    double ttft = f.ttftMs() / 1e3;
    double extraMem = 0;
    if (draft != null) {
      ttft += draft.prefillSeconds(r.context(), r.prompt(), b, r.chunkSize(), r.pipelineChunks());
      extraMem = draft.weightBytesPerDevice() + draft.kvCacheBytesPerDevice(r.context() + r.prompt() + r.output()) * b;
    }
    double e2e = ttft + (r.output() - 1) * tpot;
    double g = HardwareSpec.GIB;
    double mem = f.memoryGib() + extraMem / g;
    return new Forecast(f.model(), f.hardware(), f.promptLen(), f.outputLen(), f.batch(), f.contextLen(), ttft * 1e3,
        tpot * 1e3, 1 / tpot, (double) b * r.output() / e2e, e2e * 1e3, r.prompt() > 0 ? b * r.prompt() / ttft : 0,
        mem, f.weightsGib(), f.kvCacheGib(), f.activationGib(), hw.memBytes() > 0 && mem * g <= hw.memBytes(),
        f.exceedsContext(), f.prefillBound(), f.decodeBound(), f.prefillGops(), f.prefillGb(), f.decodeGopsPerStep(), f.decodeGbPerStep(),
        f.dispatchesPerStep(), f.stack(), f.computeEff(), f.memEff(), f.dispatchUs(), f.efficiencies());
  }

  /**
   * Per-operator rows of the prefill (all chunks) and of the mean decode step of {@code r}, summed over the calls in
   * the closed form of the forecast (O(operators) whatever the lengths); each row's time is its own roofline, so with
   * {@link Overlap#OPERATOR} the rows add up to TTFT and TPOT.
   */
  public List<OpTiming> breakdown(Request r) {
    List<OpTiming> rows = new ArrayList<>();
    int b = r.batch();
    PerOp prefill = new PerOp(ops.length);
    Sums scratch = new Sums();
    if (r.prompt() > 0) {
      long c = r.chunkSize();
      long full = r.prompt() / c;
      long rest = r.prompt() - full * c;
      long quiet = rest > 0 ? full : full - 1;
      progression(scratch, r.context(), c, quiet, c, b, false, prefill);
      direct(scratch, r.context() + quiet * c, rest > 0 ? rest : c, b, true, prefill);
    }
    PerOp decode = new PerOp(ops.length);
    long steps = Math.max(r.output() - 1, 1);
    progression(scratch, r.context() + r.prompt(), 1, steps, 1, b, true, decode);
    rows.addAll(rows("prefill", prefill, 1));
    if (sequenceSec > 0) {
      rows.add(new OpTiming("prefill", "model", "host_per_sequence", life.ops.OpClass.HOST, r.batch(), 0, 0,
          r.batch() * sequenceSec * 1e3, Bound.COMPUTE));
    }
    if (stepSec > 0) {
      rows.add(new OpTiming("prefill", "model", "host_per_step", life.ops.OpClass.HOST, 1, 0, 0, stepSec * 1e3,
          Bound.COMPUTE));
    }
    if (contextSec > 0) {
      rows.add(new OpTiming("prefill", "model", "host_per_context_token", life.ops.OpClass.HOST, r.batch(), 0, 0,
          r.batch() * (r.context() + r.prompt()) * contextSec * 1e3, Bound.COMPUTE));
    }
    rows.addAll(rows("decode", decode, steps));
    if (sequenceSec > 0) {
      rows.add(new OpTiming("decode", "model", "host_per_sequence", life.ops.OpClass.HOST, r.batch(), 0, 0,
          r.batch() * sequenceSec * 1e3, Bound.COMPUTE));
    }
    if (stepSec > 0) {
      rows.add(new OpTiming("decode", "model", "host_per_step", life.ops.OpClass.HOST, 1, 0, 0, stepSec * 1e3,
          Bound.COMPUTE));
    }
    // The mean decode step's context: prompt + j + 1 tokens for j = 0 … steps − 1.
    double meanContext = r.context() + r.prompt() + (steps + 1) / 2.0;
    if (contextSec > 0) {
      rows.add(new OpTiming("decode", "model", "host_per_context_token", life.ops.OpClass.HOST, r.batch(), 0, 0,
          r.batch() * meanContext * contextSec * 1e3, Bound.COMPUTE));
    }
    if (gqaSec > 0) {
      rows.add(new OpTiming("decode", "model", "grouped_query_per_context_token", life.ops.OpClass.BMM, r.batch(), 0,
          0, r.batch() * meanContext * gqaSec * 1e3, Bound.COMPUTE));
    }
    return rows;
  }

  /** One row per operator of a phase's sums, divided by {@code per} calls (1: the phase's total). */
  private List<OpTiming> rows(String phase, PerOp s, long per) {
    List<OpTiming> rows = new ArrayList<>();
    for (int i = 0; i < ops.length; i++) {
      double k = mult[i] / per;
      rows.add(new OpTiming(phase, layersOf(i), ops[i].name(), ops[i].opClass(), (int) mult[i], k * s.ops[i] / 1e9,
          k * s.bytes[i] / 1e9, k * s.time[i] * 1e3, s.compute[i] > s.memory[i] ? Bound.COMPUTE : Bound.MEMORY));
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

  /**
   * Costs of calls with one present length and batch as affine functions of the past length, one piece per interval
   * between breakpoints: {@code x(p) = x0 + slope·(p − lo)} on [lo, hi], or evaluated call by call ({@code direct})
   * where a window's transition makes them non-affine. Built from two evaluations per operator and piece, once per
   * (present, batch), and shared by every forecast of this forecaster.
   */
  private static final class Table {
    long present;
    int batch;
    boolean sampling;
    long[] lo;
    long[] hi;
    boolean[] direct;
    double[][] ops0;
    double[][] opsSlope;
    double[][] bytes0;
    double[][] bytesSlope;
    double[] dispatches;
  }

  private Table table(long key) {
    long present = key >>> 21;
    int b = (int) ((key >>> 1) & 0xFFFFF);
    boolean sampling = (key & 1) == 1;
    // Piece starts: past 0 alone, then each window's affine ranges p ≤ (W − n)/keep and p ≥ W/keep.
    TreeSet<Long> starts = new TreeSet<>(List.of(0L, 1L));
    List<long[]> zones = new ArrayList<>();
    for (Span s : spans) {
      if (s.window() > 0) {
        long lastA = (long) Math.floor((s.window() - present) / s.keep());
        long firstC = (long) Math.ceil(s.window() / s.keep());
        if (lastA + 1 >= 1) {
          starts.add(lastA + 1);
        }
        starts.add(firstC);
        if (lastA + 1 <= firstC - 1) {
          zones.add(new long[] {Math.max(lastA + 1, 0), firstC - 1});
        }
      }
    }
    if (graph.options().kvReads() == life.ops.KvReads.PAGED_V1 && present == 1) {
      starts.add(life.ops.KvReads.PAGED_V1_MAX_CONTEXT);
    }
    int n = starts.size();
    Table t = new Table();
    t.present = present;
    t.batch = b;
    t.sampling = sampling;
    t.lo = new long[n];
    t.hi = new long[n];
    t.direct = new boolean[n];
    t.ops0 = new double[n][ops.length];
    t.opsSlope = new double[n][ops.length];
    t.bytes0 = new double[n][ops.length];
    t.bytesSlope = new double[n][ops.length];
    t.dispatches = new double[ops.length];
    int r = 0;
    Long[] st = starts.toArray(new Long[0]);
    for (int k = 0; k < n; k++) {
      t.lo[r] = st[k];
      t.hi[r] = k + 1 < n ? st[k + 1] - 1 : Long.MAX_VALUE;
      for (long[] z : zones) {
        t.direct[r] |= t.lo[r] >= z[0] && t.lo[r] <= z[1];
      }
      for (int i = 0; i < ops.length && !t.direct[r]; i++) {
        if (!sampling && ops[i].sampling()) {
          continue;
        }
        OpCost c0 = ops[i].cost(t.lo[r], present, b);
        OpCost c1 = t.hi[r] > t.lo[r] ? ops[i].cost(t.lo[r] + 1, present, b) : c0;
        t.ops0[r][i] = c0.ops();
        t.opsSlope[r][i] = c1.ops() - c0.ops();
        t.bytes0[r][i] = c0.bytes();
        t.bytesSlope[r][i] = c1.bytes() - c0.bytes();
        if (t.lo[r] > 0) {
          t.dispatches[i] = c0.dispatches();
        }
      }
      r++;
    }
    return t;
  }

  /**
   * Adds the calls with past {@code p0 + j·stride} (j = 0 … count − 1), present {@code present}, batch {@code b}.
   */
  private void progression(Sums acc, long p0, long stride, long count, long present, int b, boolean sampling) {
    progression(acc, p0, stride, count, present, b, sampling, null);
  }

  /** As {@link #progression(Sums, long, long, long, long, int, boolean)}, each operator's share added to {@code per}. */
  private void progression(Sums acc, long p0, long stride, long count, long present, int b, boolean sampling,
      PerOp per) {
    if (count <= 0) {
      return;
    }
    Table t = present == 1 && sampling && b < 1024 ? decodeTables.get(b) : lastTable;
    if (t == null || t.present != present || t.batch != b || t.sampling != sampling) {
      if (present >= (1L << 42) || b >= (1 << 20)) {
        throw new IllegalArgumentException("present length or batch too large: " + present + ", " + b);
      }
      t = tables.computeIfAbsent((present << 21) | ((long) b << 1) | (sampling ? 1 : 0), tableMaker);
      if (present == 1 && sampling && b < 1024) {
        decodeTables.set(b, t);
      } else {
        lastTable = t;
      }
    }
    boolean decode = present == 1 && sampling;
    double[] secPerOp = decode ? secPerOpDecode : this.secPerOp;
    double[] secPerByte = decode ? secPerByteDecode : this.secPerByte;
    long pEnd = p0 + (count - 1) * stride;
    for (int r = 0; r < t.lo.length; r++) {
      if (t.hi[r] < p0 || t.lo[r] > pEnd) {
        continue;
      }
      long j0 = t.lo[r] <= p0 ? 0 : ceilDiv(t.lo[r] - p0, stride);
      long j1 = t.hi[r] >= pEnd ? count - 1 : Math.floorDiv(t.hi[r] - p0, stride);
      if (j0 > j1) {
        continue;
      }
      if (t.direct[r] || t.lo[r] == 0) {
        for (long j = j0; j <= j1; j++) {
          direct(acc, p0 + j * stride, present, b, sampling, per);
        }
        continue;
      }
      long n = j1 - j0 + 1;
      double off = p0 + j0 * stride - t.lo[r];
      double[] o0 = t.ops0[r];
      double[] od = t.opsSlope[r];
      double[] b0 = t.bytes0[r];
      double[] bd = t.bytesSlope[r];
      double a = 0;
      double da = 0;
      double m = 0;
      double dm = 0;
      double disp = 0;
      for (int i = 0; i < ops.length; i++) {
        double k = mult[i];
        double opsI = o0[i] + od[i] * off;
        double bytesI = b0[i] + bd[i] * off;
        double ai = opsI * secPerOp[i];
        double dai = od[i] * stride * secPerOp[i];
        double mi = bytesI * secPerByte[i];
        double dmi = bd[i] * stride * secPerByte[i];
        if (overlap == Overlap.OPERATOR) {
          acc.time += k * sumMax(ai, dai, mi, dmi, n);
        }
        a += k * ai;
        da += k * dai;
        m += k * mi;
        dm += k * dmi;
        disp += k * t.dispatches[i];
        acc.ops += k * linear(opsI, od[i] * stride, n);
        acc.bytes += k * linear(bytesI, bd[i] * stride, n);
        if (per != null) {
          per.ops[i] += linear(opsI, od[i] * stride, n);
          per.bytes[i] += linear(bytesI, bd[i] * stride, n);
          per.time[i] += sumMax(ai, dai, mi, dmi, n) + n * t.dispatches[i] * dispatchSec;
          per.compute[i] += linear(ai, dai, n);
          per.memory[i] += linear(mi, dmi, n);
        }
      }
      if (overlap == Overlap.PHASE) {
        acc.time += sumMax(a, da, m, dm, n);
      }
      acc.time += n * (disp * dispatchSec + (sampling ? b * sequenceSec + stepSec : 0));
      double cs = sampling ? perContextToken(decode) : 0;
      if (cs > 0) {
        acc.time += linear(b * (p0 + j0 * stride + present) * cs, b * stride * cs, n);
      }
      acc.compute += linear(a, da, n);
      acc.memory += linear(m, dm, n);
      acc.dispatches += n * disp;
    }
  }

  /** Seconds per sequence and cached token of a call that samples: decode steps also pay the grouped-query cost. */
  private double perContextToken(boolean decode) {
    return contextSec + (decode ? gqaSec : 0);
  }

  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
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
