package life.ops;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import life.spec.Check;
import life.spec.DType;

/**
 * Everything besides the architecture that changes the operator counts: precision, quantization, KV cache, LoRA,
 * attention variant, fusion and counting conventions. Each optimization is a change of counts, never of timing.
 *
 * @param act activation type (fp16, bf16 or fp32); also the weights' type when {@code weights} is 16-bit
 * @param weights weight storage format
 * @param actQuant quantization of the linears' inputs
 * @param kvBits bits per cached key/value element (32, 16, 8 or 4)
 * @param kvKeep fraction of past tokens the KV cache keeps (token-eviction compression), in (0, 1]
 * @param lora LoRA adapters
 * @param attention attention variant
 * @param window sliding window for every layer: -1 keeps the model's, 0 makes every layer global
 * @param fusion fused operators
 * @param counting counting conventions
 * @param parallel how the model is spread over devices (the graph of a tensor-parallel model is one device's share)
 * @param scores type of the attention scores an unfused attention writes and reads: the activation type, or fp32
 *     (llama.cpp without flash attention: ggml's QKᵀ yields fp32 and its softmax runs in fp32)
 * @param expertLoop whether MoE linears route on the host: the expert ids are copied back and waited for, then one
 *     GEMM is launched per touched expert (llama.cpp's {@code mul_mat_id} in its 2024 builds); otherwise one grouped
 *     kernel per MoE linear
 * @param kvReads how often a decode call's attention reads the K and V of a query group (a serving stack's kernel,
 *     see {@link BackendConventions})
 * @param kvStore how a call stores its keys and values (the paper's counting rewrites the cache whatever this says)
 * @param routesAlike whether the sequences of a batch are copies of one prompt decoded alike, so a mixture of experts
 *     routes their tokens to the same experts (benchmarks that replicate one prompt with greedy decoding)
 */
public record GraphOptions(DType act, WeightFormat weights, ActQuant actQuant, int kvBits, double kvKeep, Lora lora,
    AttentionVariant attention, int window, Set<Fusion> fusion, Counting counting, Parallelism parallel, DType scores,
    boolean expertLoop, KvReads kvReads, KvStore kvStore, boolean routesAlike) {

  /** Accepted KV-cache widths. */
  public static final java.util.List<Integer> KV_BITS = java.util.List.of(32, 16, 8, 4);

  public GraphOptions {
    Objects.requireNonNull(act, "act");
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(actQuant, "actQuant");
    Objects.requireNonNull(lora, "lora");
    Objects.requireNonNull(attention, "attention");
    Objects.requireNonNull(counting, "counting");
    Objects.requireNonNull(parallel, "parallel");
    Objects.requireNonNull(scores, "scores");
    Objects.requireNonNull(kvReads, "kvReads");
    Objects.requireNonNull(kvStore, "kvStore");
    if (scores != DType.FP16 && scores != DType.BF16 && scores != DType.FP32) {
      throw new IllegalArgumentException("attention scores must be fp32, fp16 or bf16; got " + scores.id());
    }
    if (act != DType.FP16 && act != DType.BF16 && act != DType.FP32) {
      throw new IllegalArgumentException("activation type must be one of fp32, fp16, bf16; got " + act.id());
    }
    if (!KV_BITS.contains(kvBits)) {
      throw new IllegalArgumentException("KV bits must be one of " + KV_BITS + ", got " + kvBits);
    }
    if (!(kvKeep > 0 && kvKeep <= 1)) {
      throw new IllegalArgumentException("KV keep ratio must be in (0, 1], got " + kvKeep);
    }
    if (window < -1) {
      throw new IllegalArgumentException("window must be positive (or 0 for none), got " + window);
    }
    Check.nonNegative("lora rank", lora.rank());
    fusion = fusion.isEmpty() ? EnumSet.noneOf(Fusion.class) : EnumSet.copyOf(fusion);
  }

  /** Unoptimized 16-bit (or 32-bit) inference with causal counting: the forecast core's baseline. */
  public static GraphOptions defaults(DType d) {
    return new GraphOptions(d, WeightFormat.UNQUANTIZED, ActQuant.NONE, (int) d.bits(), 1.0, Lora.NONE,
        AttentionVariant.NATIVE, -1, EnumSet.noneOf(Fusion.class), Counting.CAUSAL, Parallelism.NONE, d, false,
        KvReads.PER_KV_HEAD, KvStore.APPEND, false);
  }

  public GraphOptions withCounting(Counting c) {
    return with(b -> b.counting = c);
  }

  public GraphOptions withWeights(WeightFormat w) {
    return with(b -> b.weights = w);
  }

  public GraphOptions withActQuant(ActQuant a) {
    return with(b -> b.actQuant = a);
  }

  public GraphOptions withKv(int bits, double keep) {
    return with(b -> {
      b.kvBits = bits;
      b.kvKeep = keep;
    });
  }

  public GraphOptions withLora(Lora l) {
    return with(b -> b.lora = l);
  }

  public GraphOptions withAttention(AttentionVariant a, int w) {
    return with(b -> {
      b.attention = a;
      b.window = w;
    });
  }

  public GraphOptions withFusion(Set<Fusion> f) {
    return with(b -> b.fusion = f);
  }

  public GraphOptions withParallel(Parallelism p) {
    return with(b -> b.parallel = p);
  }

  public GraphOptions withScores(DType t) {
    return with(b -> b.scores = t);
  }

  public GraphOptions withExpertLoop(boolean loop) {
    return with(b -> b.expertLoop = loop);
  }

  public GraphOptions withKvReads(KvReads r) {
    return with(b -> b.kvReads = r);
  }

  public GraphOptions withKvStore(KvStore k) {
    return with(b -> b.kvStore = k);
  }

  public GraphOptions withRoutesAlike(boolean alike) {
    return with(b -> b.routesAlike = alike);
  }

  /** A copy with {@code change} applied to its fields (validated again by the canonical constructor). */
  private GraphOptions with(java.util.function.Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return new GraphOptions(f.act, f.weights, f.actQuant, f.kvBits, f.kvKeep, f.lora, f.attention, f.window, f.fusion,
        f.counting, f.parallel, f.scores, f.expertLoop, f.kvReads, f.kvStore, f.routesAlike);
  }

  /** The record's fields, mutable, for {@link #with}. */
  private static final class Fields {
    DType act;
    WeightFormat weights;
    ActQuant actQuant;
    int kvBits;
    double kvKeep;
    Lora lora;
    AttentionVariant attention;
    int window;
    Set<Fusion> fusion;
    Counting counting;
    Parallelism parallel;
    DType scores;
    boolean expertLoop;
    KvReads kvReads;
    KvStore kvStore;
    boolean routesAlike;

    Fields(GraphOptions o) {
      act = o.act;
      weights = o.weights;
      actQuant = o.actQuant;
      kvBits = o.kvBits;
      kvKeep = o.kvKeep;
      lora = o.lora;
      attention = o.attention;
      window = o.window;
      fusion = o.fusion;
      counting = o.counting;
      parallel = o.parallel;
      scores = o.scores;
      expertLoop = o.expertLoop;
      kvReads = o.kvReads;
      kvStore = o.kvStore;
      routesAlike = o.routesAlike;
    }
  }

  /** Bytes of one weight of the decoder's linears. */
  public double weightBytes() {
    return weights == WeightFormat.UNQUANTIZED ? act.bytes() : weights.bytesPerWeight();
  }

  /** Bytes of one weight of the embedding and LM head. */
  public double edgeWeightBytes() {
    return weights.allWeights() ? weights.bytesPerWeight() : act.bytes();
  }

  /** Whether linears dequantize their weights on every call. */
  public boolean dequantize() {
    return weights.dequantize() && weights.bitsPerWeight() < act.bits() && actQuant == ActQuant.NONE;
  }

  public double kvBytes() {
    return kvBits / 8.0;
  }
}
