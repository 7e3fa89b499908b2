package life.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import life.ops.Operator.AttentionBmm;
import life.ops.Operator.BmmKind;
import life.ops.Operator.Elementwise;
import life.ops.Operator.Embedding;
import life.ops.Operator.ExpertLinear;
import life.ops.Operator.FlashAttention;
import life.ops.Operator.KvAppend;
import life.ops.Operator.Linear;
import life.ops.Operator.LmHead;
import life.ops.Operator.LoraMerge;
import life.ops.Operator.Nonlinear;
import life.ops.Operator.Norm;
import life.ops.Operator.Rope;
import life.ops.Operator.ScoreOp;
import life.spec.DType;
import life.spec.ModelSpec;
import life.spec.ModelSpec.LayerSpec;
import life.spec.ModelSpec.MlaSpec;
import life.spec.ModelSpec.MoeSpec;

/**
 * Builds the operator lists of a model from its {@link ModelSpec} and {@link GraphOptions}. Without fusion this is
 * the unfused, eager execution of a Hugging Face implementation, one kernel per operator: a Llama-style layer is 19
 * dispatches (norm, q, k, v, rope, KV append, QKᵀ, scale+mask, softmax, PV, o, add, norm, gate, up, act, mul, down,
 * add) and the model adds 3 (embedding, final norm, LM head): the {@code 19·layers + 3} of the paper's Table 8
 * (docs/method.md). Every optimization changes which operators there are or their counts, never the timing.
 */
public final class GraphBuilder {
  private final ModelSpec m;
  private final GraphOptions o;
  private final DType a;
  private final boolean paper;
  private final Set<Fusion> fusion;
  /** Tensor-parallel degree: the graph is one device's share of every layer (1 = the whole model). */
  private final int tp;

  private GraphBuilder(ModelSpec m, GraphOptions o) {
    this.m = m;
    this.o = o;
    this.a = o.act();
    this.paper = o.counting() == Counting.PAPER;
    this.fusion = o.fusion();
    this.tp = o.parallel().tensor() ? o.parallel().devices() : 1;
    if (m.heads() % tp != 0) {
      throw new IllegalArgumentException("tp:" + tp + " does not divide the " + m.heads() + " attention heads of "
          + m.id());
    }
  }

  /** One device's share of a dimension split across the tensor-parallel devices (rounded up, as padded). */
  private long shard(long x) {
    return (x + tp - 1) / tp;
  }

  /** KV heads per device: split when there are at least as many as devices, else each device keeps one. */
  private int kvShard(int kv) {
    if (kv >= tp) {
      if (kv % tp != 0) {
        throw new IllegalArgumentException("tp:" + tp + " does not divide the " + kv + " KV heads of " + m.id());
      }
      return kv / tp;
    }
    if (tp % kv != 0) {
      throw new IllegalArgumentException("tp:" + tp + " is not a multiple of the " + kv + " KV heads of " + m.id());
    }
    return 1;
  }

  /** The all-reduce that sums the devices' partial {@code hidden}-wide outputs (none on one device). */
  private void allReduce(String name, List<Operator> ops) {
    if (tp > 1) {
      ops.add(new Operator.AllReduce(name, m.hidden(), tp, a, o.fusion().contains(Fusion.ALLREDUCE)));
    }
  }

  public static ModelGraph build(ModelSpec m, GraphOptions o) {
    return new GraphBuilder(m, o).graph();
  }

  private ModelGraph graph() {
    List<LayerSpec> layers = variant();
    Map<LayerSpec, Integer> kinds = new LinkedHashMap<>();
    for (LayerSpec l : layers) {
      kinds.merge(l, 1, Integer::sum);
    }
    List<ModelGraph.LayerGroup> groups = new ArrayList<>();
    for (Map.Entry<LayerSpec, Integer> e : kinds.entrySet()) {
      groups.add(layer(e.getKey(), e.getValue()));
    }

    List<Operator> head = new ArrayList<>();
    head.add(new Embedding(shard(m.vocab()), m.hidden(), m.learnedPositions(), paper, o.edgeWeightBytes(), a));
    allReduce("embedding_all_reduce", head);
    if (m.embeddingNorm()) {
      head.add(Norm.of("embed_norm", m.norm(), m.hidden(), m.hidden(), a));
    }
    if (o.lora().active() && o.lora().mode() == Lora.Mode.INLINE) {
      head.add(loraMerge(groups));
    }
    List<Operator> tail = new ArrayList<>();
    int addends = fusion.contains(Fusion.NORM) ? (m.parallelBlock() ? 2 : 1) : 0;
    tail.add(new Norm("final_norm", m.norm(), m.hidden(), m.hidden(), addends, a));
    tail.add(new LmHead(m.hidden(), shard(m.vocab()), m.bias().lmHead(), m.tieEmbeddings(), paper, o.edgeWeightBytes(),
        o.weights().allWeights() && o.dequantize(), a));
    return new ModelGraph(m, o, head, groups, tail);
  }

  /** The layers under the requested attention variant and window. */
  private List<LayerSpec> variant() {
    AttentionVariant v = o.attention();
    boolean mla = m.mla().isPresent();
    if (v.kind() == AttentionVariant.Kind.MLA && !mla) {
      throw new IllegalArgumentException("attention mla needs a config with MLA fields (kv_lora_rank, "
          + "qk_rope_head_dim, qk_nope_head_dim, v_head_dim); model " + m.id() + " has none");
    }
    boolean regroup = v.kind() == AttentionVariant.Kind.MHA || v.kind() == AttentionVariant.Kind.GQA
        || v.kind() == AttentionVariant.Kind.MQA;
    if (regroup && mla) {
      throw new IllegalArgumentException("model " + m.id() + " uses MLA; --attention must be native or mla");
    }
    int kv = switch (v.kind()) {
      case MHA -> m.heads();
      case MQA -> 1;
      case GQA -> v.groups() > 0 ? v.groups() : nativeGqaHeads();
      default -> 0;
    };
    if (kv > 0 && m.heads() % kv != 0) {
      throw new IllegalArgumentException("gqa:" + kv + " does not divide the " + m.heads() + " query heads of "
          + m.id());
    }
    List<LayerSpec> out = new ArrayList<>(m.layers().size());
    for (LayerSpec l : m.layers()) {
      int window = o.window() < 0 ? l.window() : o.window();
      out.add(new LayerSpec(kv > 0 ? kv : l.kvHeads(), window, l.moe()));
    }
    return out;
  }

  private int nativeGqaHeads() {
    int kv = m.layers().get(0).kvHeads();
    if (kv == m.heads() || kv == 1) {
      throw new IllegalArgumentException("model " + m.id() + " has " + (kv == 1 ? "MQA" : "MHA")
          + " attention; give the KV head count as gqa:N");
    }
    return kv;
  }

  private ModelGraph.LayerGroup layer(LayerSpec l, int count) {
    long h = m.hidden();
    int heads = m.heads() / tp;
    Span span = new Span(l.window(), !paper, o.kvKeep());
    KvStore store = paper ? KvStore.REWRITE : o.kvStore();
    boolean fuseNorm = fusion.contains(Fusion.NORM);
    boolean flash = fusion.contains(Fusion.FLASH);
    boolean ropeKv = fusion.contains(Fusion.ELEMENTWISE);
    List<Operator> ops = new ArrayList<>();
    int addends = fuseNorm ? (m.parallelBlock() ? 2 : 1) : 0;
    ops.add(new Norm("attn_norm", m.norm(), h, h, addends, a));

    double kvTokenBytes;
    if (m.mla().isPresent()) {
      MlaSpec mla = m.mla().get();
      int qk = mla.qkNopeHeadDim() + mla.qkRopeHeadDim();
      int latent = mla.kvLoraRank() + mla.qkRopeHeadDim();
      if (mla.qLoraRank() > 0) {
        ops.add(Linear.of("q_a_proj", h, mla.qLoraRank(), false, o));
        ops.add(Norm.of("q_a_norm", m.norm(), mla.qLoraRank(), mla.qLoraRank(), a));
        ops.add(Linear.of("q_b_proj", mla.qLoraRank(), (long) heads * qk, false, o));
      } else {
        ops.add(Linear.of("q_proj", h, (long) heads * qk, false, o));
      }
      ops.add(Linear.of("kv_a_proj", h, latent, false, o));
      ops.add(Norm.of("kv_a_norm", m.norm(), mla.kvLoraRank(), mla.kvLoraRank(), a));
      ops.add(new Rope((long) (heads + 1) * mla.qkRopeHeadDim(), mla.qkRopeHeadDim(), a));
      kvTokenBytes = latent * o.kvBytes();
      ops.add(new KvAppend(kvTokenBytes, store, ropeKv, span, a));
      // Absorbed form (DeepSeek-V2 paper, section 2.1.3): W_uk folds into the query, W_uv into the output.
      ops.add(Linear.grouped("q_absorb", mla.qkNopeHeadDim(), mla.kvLoraRank(), heads, false, o));
      attention(ops, heads, 1, latent, mla.kvLoraRank(), true, span);
      ops.add(Linear.grouped("v_up", mla.kvLoraRank(), mla.vHeadDim(), heads, false, o));
      ops.add(Linear.of("o_proj", (long) heads * mla.vHeadDim(), h, m.bias().attnOut(), o));
      if (!m.parallelBlock()) {
        allReduce("attn_all_reduce", ops);
      }
    } else {
      int hd = m.headDim();
      int kv = kvShard(l.kvHeads());
      if (fusion.contains(Fusion.QKV) || nativelyFused(m, "qkv")) {
        ops.add(Linear.of("qkv_proj", h, (long) (heads + 2 * kv) * hd, m.bias().qkv(), o));
      } else {
        ops.add(Linear.of("q_proj", h, (long) heads * hd, m.bias().qkv(), o));
        ops.add(Linear.of("k_proj", h, (long) kv * hd, m.bias().qkv(), o));
        ops.add(Linear.of("v_proj", h, (long) kv * hd, m.bias().qkv(), o));
      }
      if (m.qkNorm()) {
        ops.add(Norm.of("q_norm", m.norm(), (long) heads * hd, hd, a));
        ops.add(Norm.of("k_norm", m.norm(), (long) kv * hd, hd, a));
      }
      boolean rope = m.position() == ModelSpec.Position.ROPE;
      if (rope) {
        ops.add(new Rope((long) (heads + kv) * m.rotaryDim(), m.rotaryDim(), a));
      }
      kvTokenBytes = 2.0 * kv * hd * o.kvBytes();
      ops.add(new KvAppend(kvTokenBytes, store, ropeKv && rope, span, a));
      attention(ops, heads, kv, hd, hd, false, span);
      ops.add(Linear.of("o_proj", (long) heads * hd, h, m.bias().attnOut(), o));
      if (!m.parallelBlock()) {
        allReduce("attn_all_reduce", ops);
      }
    }
    boolean sandwich = m.normsPerLayer() >= 4;
    if (sandwich) {
      ops.add(Norm.of("post_attn_norm", m.norm(), h, h, a));
    }
    if (!m.parallelBlock() && !fuseNorm) {
      ops.add(new Elementwise("attn_residual", h, 2, 1, a));
    }
    if (!m.parallelBlock() || m.normsPerLayer() >= 2) {
      ops.add(new Norm("ffn_norm", m.norm(), h, h, fuseNorm && !m.parallelBlock() ? 1 : 0, a));
    }
    mlp(l, ops);
    // The MLP's partial sums (a parallel block's attention and MLP together) are summed once.
    allReduce(m.parallelBlock() ? "all_reduce" : "ffn_all_reduce", ops);
    if (sandwich) {
      ops.add(Norm.of("post_ffn_norm", m.norm(), h, h, a));
    }
    if (!fuseNorm) {
      ops.add(m.parallelBlock() ? new Elementwise("residual", h, 3, 2, a) : new Elementwise("ffn_residual", h, 2, 1, a));
    }
    return new ModelGraph.LayerGroup(count, span, kvTokenBytes, withExpansions(ops));
  }

  /** {@code ops} with a {@link Operator.WeightExpand} before every linear whose weights get a dense copy. */
  private static List<Operator> withExpansions(List<Operator> ops) {
    List<Operator> out = new ArrayList<>(ops.size());
    for (Operator op : ops) {
      if (op instanceof Linear l && l.dequant() && l.copyAbove() > 0) {
        out.add(Operator.WeightExpand.of(l));
      }
      out.add(op);
    }
    return out;
  }

  /** The attention core: flash-fused, or the eager chain QKᵀ, scale+mask, softmax, PV. */
  private void attention(List<Operator> ops, int heads, int kv, int qkDim, int vDim, boolean sharedKv, Span span) {
    double kvB = o.kvBytes();
    if (fusion.contains(Fusion.FLASH)) {
      ops.add(new FlashAttention(heads, kv, qkDim, vDim, sharedKv, span, a, kvB, o.kvReads()));
      return;
    }
    DType sc = o.scores();
    ops.add(new AttentionBmm("qk", BmmKind.QK, heads, kv, qkDim, span, a, kvB, sc, o.kvReads()));
    ops.add(new ScoreOp("scale_mask", OpClass.ELEMENTWISE, heads, 2, true, span, sc));
    ops.add(new ScoreOp("softmax", OpClass.SOFTMAX, heads, 5, false, span, sc));
    ops.add(new AttentionBmm("pv", BmmKind.PV, heads, kv, vDim, span, a, kvB, sc, o.kvReads()));
  }

  private void mlp(LayerSpec l, List<Operator> ops) {
    long h = m.hidden();
    boolean gated = m.mlp() == ModelSpec.Mlp.GATED;
    if (!l.moe()) {
      denseMlp("", h, shard(m.intermediate()), gated, m.bias().mlp(), ops);
      return;
    }
    MoeSpec e = m.moe().orElseThrow();
    long ie = shard(e.expertIntermediate());
    ops.add(Linear.of("router", h, e.experts(), false, o));
    ops.add(new Elementwise("router_topk", e.experts(), 1, 5, a));
    if (gated) {
      if (fusion.contains(Fusion.GATE_UP)) {
        ops.add(ExpertLinear.of("expert_gate_up", e.experts(), e.active(), h, 2 * ie, o));
      } else {
        ops.add(ExpertLinear.of("expert_gate", e.experts(), e.active(), h, ie, o));
        ops.add(ExpertLinear.of("expert_up", e.experts(), e.active(), h, ie, o));
      }
      activation("expert_", e.active() * ie, true, ops);
    } else {
      ops.add(ExpertLinear.of("expert_fc1", e.experts(), e.active(), h, ie, o));
      activation("expert_", e.active() * ie, false, ops);
    }
    ops.add(ExpertLinear.of("expert_down", e.experts(), e.active(), ie, h, o));
    if (e.sharedExperts() > 0) {
      denseMlp("shared_", h, shard((long) e.sharedExperts() * e.sharedIntermediate()), gated, false, ops);
    }
    ops.add(new Elementwise("expert_combine", h, e.active(), 2 * e.active(), a));
  }

  private void denseMlp(String prefix, long h, long inter, boolean gated, boolean bias, List<Operator> ops) {
    if (gated) {
      if (fusion.contains(Fusion.GATE_UP) || nativelyFused(m, "gate_up")) {
        ops.add(Linear.of(prefix + "gate_up_proj", h, 2 * inter, bias, o));
      } else {
        ops.add(Linear.of(prefix + "gate_proj", h, inter, bias, o));
        ops.add(Linear.of(prefix + "up_proj", h, inter, bias, o));
      }
      activation(prefix, inter, true, ops);
      ops.add(Linear.of(prefix + "down_proj", inter, h, bias, o));
    } else {
      ops.add(Linear.of(prefix + "fc1", h, inter, bias, o));
      activation(prefix, inter, false, ops);
      ops.add(Linear.of(prefix + "fc2", inter, h, bias, o));
    }
  }

  /** The activation, and for gated MLPs its multiply with the up projection (one kernel when fused). */
  private void activation(String prefix, long width, boolean gated, List<Operator> ops) {
    if (gated && fusion.contains(Fusion.ELEMENTWISE)) {
      ops.add(new Elementwise(prefix + "act_mul", width, 2, 3, a));
      return;
    }
    ops.add(new Nonlinear(prefix + "act", width, a));
    if (gated) {
      ops.add(new Elementwise(prefix + "gate_mul", width, 2, 1, a));
    }
  }

  /** The inline LoRA merge over every adapted linear of every layer. */
  private LoraMerge loraMerge(List<ModelGraph.LayerGroup> groups) {
    double kn = 0;
    double kPlusN = 0;
    int linears = 0;
    for (ModelGraph.LayerGroup g : groups) {
      for (Operator op : g.ops()) {
        if (op instanceof Linear lin && lin.loraRank() > 0) {
          kn += (double) g.count() * lin.groups() * lin.in() * lin.out();
          kPlusN += (double) g.count() * lin.groups() * (lin.in() + lin.out());
          linears += g.count();
        }
      }
    }
    return new LoraMerge(kn, kPlusN, linears, o.lora().rank(), o.weightBytes(), a);
  }

  /** Checkpoints that store Q, K and V (or gate and up) as one matrix, run as one GEMM. */
  private static boolean nativelyFused(ModelSpec m, String what) {
    String t = m.modelType();
    if (what.equals("qkv")) {
      return t.equals("bloom") || t.equals("falcon") || t.equals("phi3");
    }
    return t.equals("phi3");
  }
}
