package life.stack;

import java.util.EnumSet;
import life.ops.Fusion;
import life.ops.GraphOptions;
import life.ops.KvReads;
import life.ops.KvStore;
import life.spec.DType;

/**
 * What a stack's settings change in the operator graph, as opposed to its efficiencies: the one place where
 * {@link StackSettings} meet {@link GraphOptions}.
 *
 * <ul>
 *   <li>flash attention adds {@link Fusion#FLASH} (no score matrix traffic);
 *   <li>without it, {@code scores = fp32} stores the unfused attention's scores in fp32 (ggml's QKᵀ and softmax), and
 *       {@code kv_reads} says how often decode reads a query group's K and V (per query head for ggml-metal's
 *       mat-vec kernels, which broadcast a KV head to each query head); {@code paged-v1} holds with flash too, since
 *       it is vLLM's decode kernel;
 *   <li>{@code kv_store = concat}: the cache grows by concatenation (Hugging Face transformers' DynamicCache);
 *   <li>{@code moe_routing = host}: MoE linears route on the host, one GEMM per touched expert;
 *   <li>{@code dequant_above = N}: quantized weights are expanded to 16 bits for calls of more than N tokens;
 *   <li>{@code all_reduce = one-kernel} adds {@link Fusion#ALLREDUCE}.
 * </ul>
 */
public final class Conventions {
  private Conventions() {}

  /** {@code o} as {@code stack} runs it. */
  public static GraphOptions apply(Stack stack, GraphOptions o) {
    StackSettings t = stack.settings();
    GraphOptions r = o;
    if (t.flashAttention() && !o.fusion().contains(Fusion.FLASH)) {
      r = r.withFusion(plus(r.fusion(), Fusion.FLASH));
    }
    if (t.oneKernelAllReduce() && !r.fusion().contains(Fusion.ALLREDUCE)) {
      r = r.withFusion(plus(r.fusion(), Fusion.ALLREDUCE));
    }
    boolean flash = r.fusion().contains(Fusion.FLASH);
    if (!flash && t.fp32Scores()) {
      r = r.withScores(DType.FP32);
    }
    if (t.kvReads() == KvReads.PAGED_V1 || (!flash && t.kvReads() != KvReads.PER_KV_HEAD)) {
      r = r.withKvReads(t.kvReads());
    }
    if (t.kvStore() != KvStore.APPEND) {
      r = r.withKvStore(t.kvStore());
    }
    if (t.moeOnHost()) {
      r = r.withExpertLoop(true);
    }
    if (t.dequantAbove() > 0 && r.weights().dequantize() && r.weights().copyAboveTokens() == 0) {
      r = r.withWeights(r.weights().withCopyAbove(t.dequantAbove()));
    }
    return r;
  }

  private static EnumSet<Fusion> plus(java.util.Set<Fusion> fusion, Fusion add) {
    EnumSet<Fusion> f = fusion.isEmpty() ? EnumSet.noneOf(Fusion.class) : EnumSet.copyOf(fusion);
    f.add(add);
    return f;
  }
}
