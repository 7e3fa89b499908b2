package life.ops;

import life.spec.Check;
import life.spec.DType;

/**
 * One operator of the model graph: a pure function from a call (past tokens cached, present tokens processed, batch
 * of sequences) to its {@link OpCost}. Nothing here knows about hardware.
 *
 * <p>Formulas follow the paper's Table 1 (docs/method.md): GEMM {@code 2mkn} ops and {@code mk + kn + mn} elements
 * moved; BMM {@code 2bmkn − bmn}; element-wise {@code mn} ops, two inputs read and one output written; piece-wise
 * linear non-linearity 2 ops per element. {@code T = batch · present} is the number of tokens in the call. Weights
 * are read once per call whatever the batch (the batch shares one pass over the weights); activations and KV scale
 * with the batch.
 */
public sealed interface Operator
    permits Operator.Linear,
        Operator.LoraMerge,
        Operator.ExpertLinear,
        Operator.LmHead,
        Operator.Embedding,
        Operator.AttentionBmm,
        Operator.ScoreOp,
        Operator.FlashAttention,
        Operator.Norm,
        Operator.Rope,
        Operator.Elementwise,
        Operator.Nonlinear,
        Operator.KvAppend,
        Operator.AllReduce,
        Operator.WeightExpand {

  /** Short name shown in breakdowns ({@code q_proj}, {@code softmax}). */
  String name();

  OpClass opClass();

  /** Data type of the activations, which the operator computes in. */
  DType act();

  /** Data type whose dense peak bounds the compute time. */
  default DType computeType() {
    return act();
  }

  /** True when the operator runs on matrix units (tensor cores, AMX, NPU arrays); false for vector work. */
  default boolean matrix() {
    return false;
  }

  /** Parameters held in memory (all experts for MoE; zero for a tied LM head). */
  default double residentParams() {
    return 0;
  }

  /** Bytes of those parameters. */
  default double residentBytes() {
    return 0;
  }

  /** Work of one call. */
  OpCost cost(long past, long present, int batch);

  /**
   * True when the operator's bytes cross the link between devices (collectives of a tensor-parallel model), timed at
   * the link's bandwidth rather than memory's.
   */
  default boolean link() {
    return false;
  }

  /**
   * True for operators that only run when the call samples a token (the LM head on the last position): a prefill
   * chunk other than the last one skips them.
   */
  default boolean sampling() {
    return false;
  }

  /**
   * Bytes of activations a call reads and writes: its traffic {@code c} less weights and KV cache. The largest value
   * over a prefill call bounds the transient memory the call needs.
   */
  default double transientBytes(OpCost c, long past, long present, int batch) {
    return c.bytes() - residentBytes();
  }

  /**
   * A (possibly grouped) linear layer {@code y = x·W (+ b)}: {@code groups} independent k×n matrices applied to every
   * token (groups = 1 for a plain linear, = heads for DeepSeek-MLA's per-head absorbed projections).
   * Ops {@code 2·T·g·k·n} (+ {@code T·g·n} for the bias, + {@code 2·g·k·n} to dequantize packed weights, the paper's
   * quantized Linear); reads {@code g·k·n} weights and {@code T·g·k} inputs (at the quantized width under activation
   * quantization); writes {@code T·g·n}. An unmerged LoRA adapter of rank r adds the side path {@code (x·A)·B} and its
   * add: {@code 2·T·g·r·(k + n) + T·g·n} ops, the adapter weights {@code g·r·(k + n)}, its intermediate and two
   * dispatches.
   *
   * @param compute type the GEMM runs in (the activation type, or int8/int4/fp8 under activation quantization)
   * @param dequant weights are expanded to {@code compute} on every call
   * @param loraRank rank of this linear's adapter, 0 for none
   * @param loraMode how the adapter runs (adds runtime work only when {@code UNMERGED})
   * @param copyAbove with {@code dequant}, calls of more than this many tokens read a dense copy of the weights in the
   *     activation type, made by a {@link WeightExpand} kernel before them ({@link WeightFormat#copyAboveTokens}), and
   *     do not dequantize themselves; 0 never
   */
  record Linear(String name, long in, long out, int groups, boolean bias, double weightBytes, DType act,
      DType compute, boolean dequant, int loraRank, Lora.Mode loraMode, int copyAbove) implements Operator {
    public Linear {
      Check.positive(name + ".in", in);
      Check.positive(name + ".out", out);
      Check.positive(name + ".groups", groups);
      Check.positive(name + ".weight_bytes", weightBytes);
    }

    /** A linear of the decoder with the options' weight format, activation quantization and LoRA. */
    public static Linear of(String name, long in, long out, boolean bias, GraphOptions o) {
      return grouped(name, in, out, 1, bias, o);
    }

    /** {@code groups} k×n matrices with the options' weight format (absorbed per-head projections). */
    public static Linear grouped(String name, long in, long out, int groups, boolean bias, GraphOptions o) {
      boolean adapted = o.lora().adapts(name);
      return new Linear(name, in, out, groups, bias, o.weightBytes(), o.act(), o.actQuant().computeType(o.act()),
          o.dequantize(), adapted ? o.lora().rank() : 0, o.lora().mode(), o.weights().copyAboveTokens());
    }

    @Override
    public OpClass opClass() {
      return OpClass.GEMM;
    }

    @Override
    public DType computeType() {
      return compute;
    }

    @Override
    public boolean matrix() {
      return true;
    }

    private boolean sidePath() {
      return loraRank > 0 && loraMode == Lora.Mode.UNMERGED;
    }

    private double adapterParams() {
      return loraRank > 0 && loraMode != Lora.Mode.MERGED ? (double) groups * loraRank * (in + out) : 0;
    }

    @Override
    public double residentParams() {
      return (double) groups * in * out + (bias ? (double) groups * out : 0) + adapterParams();
    }

    @Override
    public double residentBytes() {
      return (double) groups * in * out * weightBytes + (bias ? (double) groups * out * act.bytes() : 0)
          + adapterParams() * act.bytes();
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double t = (double) batch * present;
      double g = groups;
      double a = act.bytes();
      double inBytes = compute == act ? a : Math.min(a, compute.bytes());
      // Above copyAbove tokens a WeightExpand kernel has dequantized the weights: the GEMM reads the dense copy.
      boolean copied = expanded(t);
      double ops = 2.0 * t * g * in * out + (bias ? t * g * out : 0) + (dequant && !copied ? 2.0 * g * in * out : 0);
      double read = g * in * out * (copied ? a : weightBytes) + (bias ? g * out * a : 0) + t * g * in * inBytes;
      double write = t * g * out * a;
      double dispatches = 1;
      if (sidePath()) {
        double r = loraRank;
        ops += 2.0 * t * g * r * (in + out) + t * g * out;
        read += g * r * (in + out) * a + t * g * (in + r + out) * a;
        write += t * g * (r + out) * a;
        dispatches += 2;
      }
      return new OpCost(ops, read, write, dispatches);
    }

    /** Whether a call of {@code tokens} tokens reads a dense copy made by a {@link WeightExpand} kernel. */
    public boolean expanded(double tokens) {
      return dequant && copyAbove > 0 && tokens > copyAbove;
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      return c.bytes() - (double) groups * in * out * (expanded((double) batch * present) ? act.bytes() : weightBytes);
    }
  }

  /**
   * The kernel that expands a linear's packed weights into a dense copy in the activation type before a dense GEMM,
   * on calls of more than {@code above} tokens (llama.cpp's CUDA backend before int8 MMQ became its default: dequantize,
   * then cuBLAS). {@code 2·g·k·n} ops, reads the packed weights, writes the copy; nothing on smaller calls, where the
   * linear dequantizes inside its own kernel.
   */
  record WeightExpand(String name, long in, long out, int groups, double weightBytes, DType act, int above)
      implements Operator {
    /** The expansion of {@code l}'s weights. */
    public static WeightExpand of(Linear l) {
      return new WeightExpand(l.name() + "_expand", l.in(), l.out(), l.groups(), l.weightBytes(), l.act(),
          l.copyAbove());
    }

    @Override
    public OpClass opClass() {
      return OpClass.ELEMENTWISE;
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      if ((double) batch * present <= above) {
        return new OpCost(0, 0, 0, 0);
      }
      double kn = (double) groups * in * out;
      return new OpCost(2 * kn, kn * weightBytes, kn * act.bytes(), 1);
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      return c.bytesWritten();
    }
  }

  /**
   * Merging LoRA adapters into their weights once per request ({@code inline} mode, the paper's Eq. 7):
   * {@code W + B·A} for every adapted linear, {@code Σ k·n·(2r + 2)} ops (docs/method.md: 1670.8 GOPs for
   * Llama-2-7B at r = 128), reading W, A and B and writing W. It runs in the request's first call (past 0) only.
   */
  record LoraMerge(double sumKn, double sumKplusN, int linears, int rank, double weightBytes, DType act)
      implements Operator {
    @Override
    public String name() {
      return "lora_merge";
    }

    @Override
    public OpClass opClass() {
      return OpClass.GEMM;
    }

    @Override
    public boolean matrix() {
      return true;
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      if (past > 0) {
        return new OpCost(0, 0, 0, 0);
      }
      double ops = sumKn * (2.0 * rank + 2);
      double read = sumKn * weightBytes + sumKplusN * rank * act.bytes();
      return new OpCost(ops, read, sumKn * weightBytes, 2.0 * linears);
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      return 0;
    }
  }

  /**
   * The routed experts' copies of one MoE linear: each token runs {@code active} of {@code experts} k×n matrices.
   * Weight bytes read per call are those of the distinct experts touched by the call's T tokens, in expectation
   * under uniform routing: {@code E·(1 − (1 − a/E)^T)} experts. With {@code routesAlike} the batch's sequences are
   * copies of one prompt decoded alike: only one sequence's {@code present} tokens count toward the experts touched.
   *
   * <p>With {@code hostRouted} the host routes (llama.cpp's {@code mul_mat_id} in its 2024 builds, CUDA, ROCm and
   * SYCL): it copies the expert ids back and waits for them (two dispatch latencies), then launches one GEMM per
   * touched expert; a call of several tokens also gathers each expert's input rows into a contiguous fp32 buffer and
   * scatters its output rows back (two more kernels per expert, moving {@code T·a·(k+n)} fp32 values twice).
   */
  record ExpertLinear(String name, int experts, int active, long in, long out, double weightBytes, DType act,
      DType compute, boolean dequant, boolean hostRouted, boolean routesAlike) implements Operator {
    public ExpertLinear {
      Check.positive(name + ".experts", experts);
      Check.positive(name + ".active", active);
      Check.positive(name + ".in", in);
      Check.positive(name + ".out", out);
    }

    /** The experts' linear with the options' weight format and activation quantization. */
    public static ExpertLinear of(String name, int experts, int active, long in, long out, GraphOptions o) {
      return new ExpertLinear(name, experts, active, in, out, o.weightBytes(), o.act(),
          o.actQuant().computeType(o.act()), o.dequantize(), o.expertLoop(), o.routesAlike());
    }

    /** Expected number of distinct experts that {@code tokens} tokens are routed to. */
    public double expectedExpertsTouched(double tokens) {
      return experts * (1.0 - Math.pow(1.0 - (double) active / experts, tokens));
    }

    @Override
    public OpClass opClass() {
      return OpClass.GEMM;
    }

    @Override
    public DType computeType() {
      return compute;
    }

    @Override
    public boolean matrix() {
      return true;
    }

    @Override
    public double residentParams() {
      return (double) experts * in * out;
    }

    @Override
    public double residentBytes() {
      return residentParams() * weightBytes;
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double t = (double) batch * present;
      double touched = expectedExpertsTouched(routesAlike ? present : t);
      double ops = 2.0 * t * active * in * out + (dequant ? 2.0 * touched * in * out : 0);
      double inBytes = compute == act ? act.bytes() : Math.min(act.bytes(), compute.bytes());
      double read = touched * in * out * weightBytes + t * active * in * inBytes;
      double write = t * active * out * act.bytes();
      if (!hostRouted) {
        return new OpCost(ops, read, write, 1);
      }
      if (t <= 1) {
        return new OpCost(ops, read, write, 2 + touched);
      }
      double staged = t * active * (in + out) * DType.FP32.bytes();
      return new OpCost(ops, read + staged, write + staged, 2 + 3 * touched);
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      return (double) batch * present * active * (in + out) * act.bytes();
    }
  }

  /**
   * The output projection to vocabulary logits. Runs on the last token of each sequence in prefill (what a generator
   * needs), or on every prompt token when {@code allTokens} (the paper's counting, docs/method.md). With tied
   * embeddings it holds no parameters of its own but still reads the matrix.
   */
  record LmHead(long hidden, long vocab, boolean bias, boolean tied, boolean allTokens, double weightBytes,
      boolean dequant, DType act) implements Operator {
    @Override
    public String name() {
      return "lm_head";
    }

    @Override
    public boolean sampling() {
      return !allTokens;
    }

    @Override
    public OpClass opClass() {
      return OpClass.LM_HEAD;
    }

    @Override
    public boolean matrix() {
      return true;
    }

    @Override
    public double residentParams() {
      return (tied ? 0 : (double) hidden * vocab) + (bias ? vocab : 0);
    }

    @Override
    public double residentBytes() {
      return (tied ? 0 : (double) hidden * vocab * weightBytes) + (bias ? vocab * act.bytes() : 0);
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double t = allTokens ? (double) batch * present : batch;
      double ops = 2.0 * t * hidden * vocab + (bias ? t * vocab : 0) + (dequant ? 2.0 * hidden * vocab : 0);
      double read = (double) hidden * vocab * weightBytes + (bias ? vocab * act.bytes() : 0) + t * hidden * act.bytes();
      return new OpCost(ops, read, t * vocab * act.bytes(), 1);
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      double t = allTokens ? (double) batch * present : batch;
      return t * (hidden + vocab) * act.bytes();
    }
  }

  /**
   * Token (and learned position) embedding lookup. Reads the looked-up rows; with {@code fullTable} the whole table,
   * as the paper's Table 1 charges ({@code vocab·hidden + hidden}, 1 op). A learned position table adds one
   * element-wise add per element.
   */
  record Embedding(long vocab, long hidden, long positions, boolean fullTable, double weightBytes, DType act)
      implements Operator {
    @Override
    public String name() {
      return "embedding";
    }

    @Override
    public OpClass opClass() {
      return OpClass.EMBEDDING;
    }

    @Override
    public double residentParams() {
      return (double) (vocab + positions) * hidden;
    }

    @Override
    public double residentBytes() {
      return residentParams() * weightBytes;
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double t = (double) batch * present;
      int tables = positions > 0 ? 2 : 1;
      double read = fullTable ? residentBytes() + hidden * act.bytes() : tables * t * hidden * weightBytes;
      double ops = 1 + (positions > 0 ? t * hidden : 0);
      return new OpCost(ops, read, t * hidden * act.bytes(), tables);
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      return (double) batch * present * hidden * act.bytes();
    }
  }

  /** Which product of attention a {@link AttentionBmm} computes. */
  enum BmmKind {
    /** Scores S = Q·Kᵀ. */
    QK,
    /** Context O = P·V. */
    PV
  }

  /**
   * One batched matrix product of attention, per head: {@code QK} (m = present, k = dim, n = keys) or {@code PV}
   * (m = present, k = keys, n = dim), with {@code 2bmkn − bmn} ops (Table 1). Under causal counting only the visible
   * scores are computed (see {@link Span#scores}). K or V is read once per KV head (GQA/MQA share it across
   * their query group), or once per query head in the decode calls {@code kvReads} says so; for MLA the cached latent
   * is read as a single KV head of width {@code dim}. The scores are written or read in {@code scores} (fp32 for
   * llama.cpp without flash attention).
   */
  record AttentionBmm(String name, BmmKind kind, int heads, int kvHeads, int dim, Span span, DType act,
      double kvBytes, DType scores, KvReads kvReads) implements Operator {
    public AttentionBmm {
      Check.positive(name + ".heads", heads);
      Check.positive(name + ".kv_heads", kvHeads);
      Check.positive(name + ".dim", dim);
    }

    @Override
    public OpClass opClass() {
      return OpClass.BMM;
    }

    @Override
    public boolean matrix() {
      return true;
    }

    private double kvRead(long past, long present, int batch) {
      return batch * span.keys(past, present) * readHeads(past, present, batch) * dim * kvBytes;
    }

    /** Heads whose K or V a call reads ({@link KvReads#readHeads}). */
    private int readHeads(long past, long present, int batch) {
      return kvReads.readHeads(heads, kvHeads, past, present, batch);
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double s = batch * span.scores(past, present) * heads;
      double q = (double) batch * present * heads * dim * act.bytes();
      double kv = kvRead(past, present, batch);
      double a = scores.bytes();
      if (kind == BmmKind.QK) {
        return new OpCost(2.0 * s * dim - s, q + kv, s * a, 1);
      }
      return new OpCost(2.0 * s * dim - (double) batch * present * heads * dim, s * a + kv, q, 1);
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      return c.bytes() - kvRead(past, present, batch);
    }
  }

  /**
   * Element-wise work on the attention scores of all heads: scale and mask ({@code opsPerElement} 2, also reading the
   * mask, shared by the heads) or softmax (5: max, subtract, exp, sum, divide). Reads and writes every score once.
   * Together they make ≈7 ops per score element (docs/method.md).
   */
  record ScoreOp(String name, OpClass opClass, int heads, int opsPerElement, boolean readsMask, Span span, DType act)
      implements Operator {
    @Override
    public OpCost cost(long past, long present, int batch) {
      double perHead = batch * span.scores(past, present);
      double s = perHead * heads;
      double read = (s + (readsMask ? perHead : 0)) * act.bytes();
      return new OpCost(opsPerElement * s, read, s * act.bytes(), 1);
    }
  }

  /**
   * Fused (flash) attention: QKᵀ, scale, mask, softmax and PV in one kernel. The ops of the unfused chain
   * ({@code 2·S·d_qk − S + 7·S + 2·S·d_v − T·h·d_v}) without its score traffic: reads Q, K and V (V is part of the
   * cached latent for MLA, {@code sharedKv}), writes the output. K and V are counted once per call (per KV head, or
   * per query head in the decode calls {@code kvReads} says so: vLLM's paged decode kernel); a kernel that re-reads
   * them per query block moves more on long prompts.
   */
  record FlashAttention(int heads, int kvHeads, int qkDim, int vDim, boolean sharedKv, Span span, DType act,
      double kvBytes, KvReads kvReads) implements Operator {
    @Override
    public String name() {
      return "flash_attention";
    }

    @Override
    public OpClass opClass() {
      return OpClass.BMM;
    }

    @Override
    public boolean matrix() {
      return true;
    }

    private double kvRead(long past, long present, int batch) {
      return batch * span.keys(past, present) * kvReads.readHeads(heads, kvHeads, past, present, batch)
          * (qkDim + (sharedKv ? 0 : vDim)) * kvBytes;
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double s = batch * span.scores(past, present) * heads;
      double t = (double) batch * present;
      double ops = 2.0 * s * qkDim - s + 7 * s + 2.0 * s * vDim - t * heads * vDim;
      double read = t * heads * qkDim * act.bytes() + kvRead(past, present, batch);
      return new OpCost(ops, read, t * heads * vDim * act.bytes(), 1);
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      return c.bytes() - kvRead(past, present, batch);
    }
  }

  /**
   * RMSNorm (4 ops per element: square, accumulate, scale by 1/rms, scale by weight) or LayerNorm (7: mean, subtract,
   * square, accumulate, normalise, scale, shift) over {@code width} elements per token; {@code weights} parameters
   * (a per-head norm shares one head-width vector). With {@code addends > 0} the preceding residual add (of that many
   * branch outputs: 1, or 2 for a parallel attention + MLP block) runs in the same kernel: one more op per element
   * and addend, the addends read and the new residual written too.
   */
  record Norm(String name, life.spec.ModelSpec.NormKind kind, long width, long weights, int addends, DType act)
      implements Operator {
    public static Norm of(String name, life.spec.ModelSpec.NormKind kind, long width, long weights, DType act) {
      return new Norm(name, kind, width, weights, 0, act);
    }

    @Override
    public OpClass opClass() {
      return OpClass.NORM;
    }

    @Override
    public double residentParams() {
      return kind == life.spec.ModelSpec.NormKind.LAYER ? 2.0 * weights : weights;
    }

    @Override
    public double residentBytes() {
      return residentParams() * act.bytes();
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double e = (double) batch * present * width;
      int opsPerElement = (kind == life.spec.ModelSpec.NormKind.LAYER ? 7 : 4) + addends;
      double in = (1 + addends) * e * act.bytes();
      double out = (addends > 0 ? 2 : 1) * e * act.bytes();
      return new OpCost(opsPerElement * e, in + residentBytes(), out, 1);
    }
  }

  /**
   * Rotary position embedding of queries and keys: {@code x·cos + rotate(x)·sin}, 3 ops per rotated element, reading
   * the rotated elements and one cos and one sin row per token.
   */
  record Rope(long rotatedPerToken, int rotaryDim, DType act) implements Operator {
    @Override
    public String name() {
      return "rope";
    }

    @Override
    public OpClass opClass() {
      return OpClass.ROPE;
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double t = (double) batch * present;
      double e = t * rotatedPerToken;
      return new OpCost(3 * e, (e + 2 * t * rotaryDim) * act.bytes(), e * act.bytes(), 1);
    }
  }

  /**
   * An element-wise operator over {@code width} elements per token with {@code inputs} operands (residual add,
   * gate multiply, expert combine, or a fused activation-and-multiply).
   */
  record Elementwise(String name, long width, int inputs, int opsPerElement, DType act) implements Operator {
    @Override
    public OpClass opClass() {
      return OpClass.ELEMENTWISE;
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double e = (double) batch * present * width;
      return new OpCost(opsPerElement * e, inputs * e * act.bytes(), e * act.bytes(), 1);
    }
  }

  /** An activation function (SiLU, GELU, ReLU) as a piece-wise-linear approximation: 2 ops per element (Table 1). */
  record Nonlinear(String name, long width, DType act) implements Operator {
    @Override
    public OpClass opClass() {
      return OpClass.NONLINEAR;
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double e = (double) batch * present * width;
      return new OpCost(2 * e, e * act.bytes(), e * act.bytes(), 1);
    }
  }

  /**
   * Storing the call's keys and values into the KV cache: {@code tokenBytes} per token and sequence (at the KV cache's
   * width). {@link KvStore#APPEND} writes the present tokens; {@link KvStore#REWRITE} (the paper's counting) writes the
   * layer's whole cache each call, which is what makes the paper's decode traffic grow by 2× KV bytes per token
   * (docs/method.md); {@link KvStore#CONCAT} ({@code torch.cat}) reads the cached tokens and the present ones and
   * writes them all. With {@code fused} an append happens in the producing kernel (RoPE): no read, no dispatch.
   */
  record KvAppend(double tokenBytes, KvStore store, boolean fused, Span span, DType act) implements Operator {
    public KvAppend {
      java.util.Objects.requireNonNull(store, "store");
    }

    @Override
    public String name() {
      return "kv_append";
    }

    @Override
    public OpClass opClass() {
      return OpClass.KV_CACHE;
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double in = (double) batch * present * tokenBytes;
      double all = (double) batch * span.keys(past, present) * tokenBytes;
      return switch (store) {
        case APPEND -> new OpCost(0, fused ? 0 : in, in, fused ? 0 : 1);
        case REWRITE -> new OpCost(0, fused ? 0 : in, all, fused ? 0 : 1);
        case CONCAT -> new OpCost(0, all, all, 1);
      };
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      return 0;
    }
  }

  /**
   * Ring all-reduce of the partial sums of a tensor-parallel layer's output across {@code devices}: each device sends
   * and receives {@code 2(N−1)/N} of the {@code T · width} activations in {@code 2(N−1)} steps and adds the
   * {@code (N−1)/N} share it reduces (Patarasuk and Yuan 2009, "Bandwidth optimal all-reduce algorithms"; the α-β cost
   * {@code 2(N−1)·α + 2(N−1)/N · bytes/β} of Thakur et al. 2005). The bytes are link bytes ({@link #link}); each step
   * costs one dispatch (α), or the whole collective one where it runs as one kernel ({@code oneKernel},
   * {@link Fusion#ALLREDUCE}).
   */
  record AllReduce(String name, long width, int devices, DType act, boolean oneKernel) implements Operator {
    public AllReduce {
      Check.positive("devices", devices);
    }

    @Override
    public OpClass opClass() {
      return OpClass.COMM;
    }

    @Override
    public boolean link() {
      return true;
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double elements = (double) batch * present * width;
      double share = (devices - 1.0) / devices;
      double dispatches = oneKernel ? 1 : 2.0 * (devices - 1);
      return new OpCost(share * elements, 2 * share * elements * act.bytes(), 0, dispatches);
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      return 0;
    }
  }
}
