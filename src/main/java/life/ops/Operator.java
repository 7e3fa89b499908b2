package life.ops;

import life.spec.Check;
import life.spec.DType;

/**
 * One operator of the model graph: a pure function from a call (past tokens cached, present tokens processed, batch
 * of sequences) to its {@link OpCost}. Nothing here knows about hardware.
 *
 * <p>Formulas follow the paper's Table 1 (digest section 2.2): GEMM {@code 2mkn} ops and {@code mk + kn + mn} elements
 * moved; BMM {@code 2bmkn − bmn}; element-wise {@code mn} ops, two inputs read and one output written; piece-wise
 * linear non-linearity 2 ops per element. {@code T = batch · present} is the number of tokens in the call. Weights
 * are read once per call whatever the batch (the batch shares one pass over the weights); activations and KV scale
 * with the batch.
 */
public sealed interface Operator
    permits Operator.Linear,
        Operator.ExpertLinear,
        Operator.LmHead,
        Operator.Embedding,
        Operator.AttentionBmm,
        Operator.ScoreOp,
        Operator.Norm,
        Operator.Rope,
        Operator.Elementwise,
        Operator.Nonlinear,
        Operator.KvAppend {

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
   * Bytes of activations a call reads and writes: its traffic {@code c} less weights and KV cache. The largest value
   * over a prefill call bounds the transient memory the call needs.
   */
  default double transientBytes(OpCost c, long past, long present, int batch) {
    return c.bytes() - residentBytes();
  }

  /**
   * A (possibly grouped) linear layer {@code y = x·W (+ b)}: {@code groups} independent k×n matrices applied to every
   * token (groups = 1 for a plain linear, = heads for DeepSeek-MLA's per-head absorbed projections).
   * Ops {@code 2·T·g·k·n} (+ {@code T·g·n} for the bias); reads {@code g·k·n} weights and {@code T·g·k} inputs;
   * writes {@code T·g·n}.
   */
  record Linear(
      String name, long in, long out, int groups, boolean bias, double weightBytes, DType act) implements Operator {
    public Linear {
      Check.positive(name + ".in", in);
      Check.positive(name + ".out", out);
      Check.positive(name + ".groups", groups);
      Check.positive(name + ".weight_bytes", weightBytes);
    }

    public static Linear of(String name, long in, long out, boolean bias, Precision p) {
      return new Linear(name, in, out, 1, bias, p.weightBytes(), p.act());
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
    public double residentParams() {
      return (double) groups * in * out + (bias ? (double) groups * out : 0);
    }

    @Override
    public double residentBytes() {
      return (double) groups * in * out * weightBytes + (bias ? (double) groups * out * act.bytes() : 0);
    }

    @Override
    public OpCost cost(long past, long present, int batch) {
      double t = (double) batch * present;
      double ops = 2.0 * t * groups * in * out + (bias ? t * groups * out : 0);
      double read = residentBytes() + t * groups * in * act.bytes();
      double write = t * groups * out * act.bytes();
      return new OpCost(ops, read, write, 1);
    }
  }

  /**
   * The routed experts' copies of one MoE linear: each token runs {@code active} of {@code experts} k×n matrices.
   * Weight bytes read per call are those of the distinct experts touched by the call's T tokens, in expectation
   * under uniform routing: {@code E·(1 − (1 − a/E)^T)} experts.
   */
  record ExpertLinear(String name, int experts, int active, long in, long out, double weightBytes, DType act)
      implements Operator {
    public ExpertLinear {
      Check.positive(name + ".experts", experts);
      Check.positive(name + ".active", active);
      Check.positive(name + ".in", in);
      Check.positive(name + ".out", out);
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
      double ops = 2.0 * t * active * in * out;
      double read = expectedExpertsTouched(t) * in * out * weightBytes + t * active * in * act.bytes();
      double write = t * active * out * act.bytes();
      return new OpCost(ops, read, write, 1);
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      return (double) batch * present * active * (in + out) * act.bytes();
    }
  }

  /**
   * The output projection to vocabulary logits. Runs on the last token of each sequence in prefill (what a generator
   * needs), or on every prompt token when {@code allTokens} (the paper's counting, digest section 9.2). With tied
   * embeddings it holds no parameters of its own but still reads the matrix.
   */
  record LmHead(long hidden, long vocab, boolean bias, boolean tied, boolean allTokens, double weightBytes, DType act)
      implements Operator {
    @Override
    public String name() {
      return "lm_head";
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
      double ops = 2.0 * t * hidden * vocab + (bias ? t * vocab : 0);
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
   * scores are computed (see {@link Attn#scoreElements}). K or V is read once per KV head (GQA/MQA share it across
   * their query group); for MLA the cached latent is read as a single KV head of width {@code dim}.
   */
  record AttentionBmm(
      String name, BmmKind kind, int heads, int kvHeads, int dim, int window, boolean causal, DType act, double kvBytes)
      implements Operator {
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

    @Override
    public OpCost cost(long past, long present, int batch) {
      double s = batch * Attn.scoreElements(past, present, window, causal) * heads;
      double q = (double) batch * present * heads * dim * act.bytes();
      double kv = batch * Attn.keyTokens(past, present, window) * kvHeads * dim * kvBytes;
      double a = act.bytes();
      if (kind == BmmKind.QK) {
        return new OpCost(2.0 * s * dim - s, q + kv, s * a, 1);
      }
      return new OpCost(2.0 * s * dim - (double) batch * present * heads * dim, s * a + kv, q, 1);
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      return c.bytes() - batch * Attn.keyTokens(past, present, window) * kvHeads * dim * kvBytes;
    }
  }

  /**
   * Element-wise work on the attention scores of all heads: scale and mask ({@code opsPerElement} 2, also reading the
   * mask, shared by the heads) or softmax (5: max, subtract, exp, sum, divide). Reads and writes every score once.
   * Together they make the digest's ≈7 ops per score element (section 9.2).
   */
  record ScoreOp(String name, OpClass opClass, int heads, int opsPerElement, boolean readsMask, int window,
      boolean causal, DType act) implements Operator {
    @Override
    public OpCost cost(long past, long present, int batch) {
      double perHead = batch * Attn.scoreElements(past, present, window, causal);
      double s = perHead * heads;
      double read = (s + (readsMask ? perHead : 0)) * act.bytes();
      return new OpCost(opsPerElement * s, read, s * act.bytes(), 1);
    }
  }

  /**
   * RMSNorm (4 ops per element: square, accumulate, scale by 1/rms, scale by weight) or LayerNorm (7: mean, subtract,
   * square, accumulate, normalise, scale, shift) over {@code width} elements per token; {@code weights} parameters
   * (a per-head norm shares one head-width vector).
   */
  record Norm(String name, life.spec.ModelSpec.NormKind kind, long width, long weights, DType act)
      implements Operator {
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
      int opsPerElement = kind == life.spec.ModelSpec.NormKind.LAYER ? 7 : 4;
      return new OpCost(opsPerElement * e, e * act.bytes() + residentBytes(), e * act.bytes(), 1);
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
   * gate multiply, expert combine).
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
   * Storing the call's keys and values into the KV cache: {@code tokenBytes} per token and sequence. Appends the
   * present tokens; with {@code rewrite} (the paper's eager concatenation) writes the whole cache of the layer each
   * call, which is what makes the paper's decode traffic grow by 2× KV bytes per token (digest section 9.5).
   */
  record KvAppend(double tokenBytes, boolean rewrite, int window, DType act) implements Operator {
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
      double out = rewrite ? batch * Attn.keyTokens(past, present, window) * tokenBytes : in;
      return new OpCost(0, in, out, 1);
    }

    @Override
    public double transientBytes(OpCost c, long past, long present, int batch) {
      return 0;
    }
  }
}
