package life.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import life.ops.Operator.AttentionBmm;
import life.ops.Operator.BmmKind;
import life.ops.Operator.Elementwise;
import life.ops.Operator.Embedding;
import life.ops.Operator.ExpertLinear;
import life.ops.Operator.KvAppend;
import life.ops.Operator.Linear;
import life.ops.Operator.LmHead;
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
 * Builds the operator lists of a model from its {@link ModelSpec}: the unfused, eager execution of a Hugging Face
 * implementation, one kernel per operator. A Llama-style layer is 19 dispatches (norm, q, k, v, rope, KV append,
 * QKᵀ, scale+mask, softmax, PV, o, add, norm, gate, up, act, mul, down, add) and the model adds 3 (embedding, final
 * norm, LM head): the {@code 19·layers + 3} of the paper's Table 8 (digest section 9.8).
 */
public final class GraphBuilder {
  private GraphBuilder() {}

  public static ModelGraph build(ModelSpec m, GraphOptions o) {
    Precision p = o.precision();
    DType a = p.act();
    boolean paper = o.counting() == Counting.PAPER;

    List<Operator> head = new ArrayList<>();
    head.add(new Embedding(m.vocab(), m.hidden(), m.learnedPositions(), paper, p.weightBytes(), a));
    if (m.embeddingNorm()) {
      head.add(new Norm("embed_norm", m.norm(), m.hidden(), m.hidden(), a));
    }

    Map<LayerSpec, Integer> kinds = new LinkedHashMap<>();
    for (LayerSpec l : m.layers()) {
      kinds.merge(l, 1, Integer::sum);
    }
    List<ModelGraph.LayerGroup> groups = new ArrayList<>();
    for (Map.Entry<LayerSpec, Integer> e : kinds.entrySet()) {
      groups.add(layer(m, e.getKey(), e.getValue(), p, paper));
    }

    List<Operator> tail = new ArrayList<>();
    tail.add(new Norm("final_norm", m.norm(), m.hidden(), m.hidden(), a));
    tail.add(new LmHead(m.hidden(), m.vocab(), m.bias().lmHead(), m.tieEmbeddings(), paper, p.weightBytes(), a));
    return new ModelGraph(m, o, head, groups, tail);
  }

  private static ModelGraph.LayerGroup layer(ModelSpec m, LayerSpec l, int count, Precision p, boolean paper) {
    DType a = p.act();
    long h = m.hidden();
    int heads = m.heads();
    boolean causal = !paper;
    List<Operator> ops = new ArrayList<>();
    ops.add(new Norm("attn_norm", m.norm(), h, h, a));

    double kvTokenBytes;
    if (m.mla().isPresent()) {
      MlaSpec mla = m.mla().get();
      int qk = mla.qkNopeHeadDim() + mla.qkRopeHeadDim();
      int latent = mla.kvLoraRank() + mla.qkRopeHeadDim();
      if (mla.qLoraRank() > 0) {
        ops.add(Linear.of("q_a_proj", h, mla.qLoraRank(), false, p));
        ops.add(new Norm("q_a_norm", m.norm(), mla.qLoraRank(), mla.qLoraRank(), a));
        ops.add(Linear.of("q_b_proj", mla.qLoraRank(), (long) heads * qk, false, p));
      } else {
        ops.add(Linear.of("q_proj", h, (long) heads * qk, false, p));
      }
      ops.add(Linear.of("kv_a_proj", h, latent, false, p));
      ops.add(new Norm("kv_a_norm", m.norm(), mla.kvLoraRank(), mla.kvLoraRank(), a));
      ops.add(new Rope((long) (heads + 1) * mla.qkRopeHeadDim(), mla.qkRopeHeadDim(), a));
      kvTokenBytes = latent * p.kvBytes();
      ops.add(new KvAppend(kvTokenBytes, paper, l.window(), a));
      // Absorbed form (DeepSeek-V2 paper, section 2.1.3): W_uk folds into the query, W_uv into the output.
      ops.add(new Linear("q_absorb", mla.qkNopeHeadDim(), mla.kvLoraRank(), heads, false, p.weightBytes(), a));
      ops.add(new AttentionBmm("qk", BmmKind.QK, heads, 1, latent, l.window(), causal, a, p.kvBytes()));
      ops.add(new ScoreOp("scale_mask", life.ops.OpClass.ELEMENTWISE, heads, 2, true, l.window(), causal, a));
      ops.add(new ScoreOp("softmax", life.ops.OpClass.SOFTMAX, heads, 5, false, l.window(), causal, a));
      ops.add(new AttentionBmm("pv", BmmKind.PV, heads, 1, mla.kvLoraRank(), l.window(), causal, a, p.kvBytes()));
      ops.add(new Linear("v_up", mla.kvLoraRank(), mla.vHeadDim(), heads, false, p.weightBytes(), a));
      ops.add(Linear.of("o_proj", (long) heads * mla.vHeadDim(), h, m.bias().attnOut(), p));
    } else {
      int hd = m.headDim();
      int kv = l.kvHeads();
      if (fusedQkv(m)) {
        ops.add(Linear.of("qkv_proj", h, (long) (heads + 2 * kv) * hd, m.bias().qkv(), p));
      } else {
        ops.add(Linear.of("q_proj", h, (long) heads * hd, m.bias().qkv(), p));
        ops.add(Linear.of("k_proj", h, (long) kv * hd, m.bias().qkv(), p));
        ops.add(Linear.of("v_proj", h, (long) kv * hd, m.bias().qkv(), p));
      }
      if (m.qkNorm()) {
        ops.add(new Norm("q_norm", m.norm(), (long) heads * hd, hd, a));
        ops.add(new Norm("k_norm", m.norm(), (long) kv * hd, hd, a));
      }
      if (m.position() == ModelSpec.Position.ROPE) {
        ops.add(new Rope((long) (heads + kv) * m.rotaryDim(), m.rotaryDim(), a));
      }
      kvTokenBytes = 2.0 * kv * hd * p.kvBytes();
      ops.add(new KvAppend(kvTokenBytes, paper, l.window(), a));
      ops.add(new AttentionBmm("qk", BmmKind.QK, heads, kv, hd, l.window(), causal, a, p.kvBytes()));
      ops.add(new ScoreOp("scale_mask", life.ops.OpClass.ELEMENTWISE, heads, 2, true, l.window(), causal, a));
      ops.add(new ScoreOp("softmax", life.ops.OpClass.SOFTMAX, heads, 5, false, l.window(), causal, a));
      ops.add(new AttentionBmm("pv", BmmKind.PV, heads, kv, hd, l.window(), causal, a, p.kvBytes()));
      ops.add(Linear.of("o_proj", (long) heads * hd, h, m.bias().attnOut(), p));
    }
    boolean sandwich = m.normsPerLayer() >= 4;
    if (sandwich) {
      ops.add(new Norm("post_attn_norm", m.norm(), h, h, a));
    }
    if (!m.parallelBlock()) {
      ops.add(new Elementwise("attn_residual", h, 2, 1, a));
    }
    if (!m.parallelBlock() || m.normsPerLayer() >= 2) {
      ops.add(new Norm("ffn_norm", m.norm(), h, h, a));
    }
    mlp(m, l, p, ops);
    if (sandwich) {
      ops.add(new Norm("post_ffn_norm", m.norm(), h, h, a));
    }
    if (m.parallelBlock()) {
      ops.add(new Elementwise("residual", h, 3, 2, a));
    } else {
      ops.add(new Elementwise("ffn_residual", h, 2, 1, a));
    }
    return new ModelGraph.LayerGroup(count, l.window(), kvTokenBytes, ops);
  }

  private static void mlp(ModelSpec m, LayerSpec l, Precision p, List<Operator> ops) {
    DType a = p.act();
    long h = m.hidden();
    boolean gated = m.mlp() == ModelSpec.Mlp.GATED;
    if (!l.moe()) {
      denseMlp("", h, m.intermediate(), gated, m.bias().mlp(), p, ops);
      return;
    }
    MoeSpec e = m.moe().orElseThrow();
    long ie = e.expertIntermediate();
    ops.add(Linear.of("router", h, e.experts(), false, p));
    ops.add(new Elementwise("router_topk", e.experts(), 1, 5, a));
    if (gated) {
      ops.add(new ExpertLinear("expert_gate", e.experts(), e.active(), h, ie, p.weightBytes(), a));
      ops.add(new ExpertLinear("expert_up", e.experts(), e.active(), h, ie, p.weightBytes(), a));
      ops.add(new Nonlinear("expert_act", e.active() * ie, a));
      ops.add(new Elementwise("expert_mul", e.active() * ie, 2, 1, a));
    } else {
      ops.add(new ExpertLinear("expert_fc1", e.experts(), e.active(), h, ie, p.weightBytes(), a));
      ops.add(new Nonlinear("expert_act", e.active() * ie, a));
    }
    ops.add(new ExpertLinear("expert_down", e.experts(), e.active(), ie, h, p.weightBytes(), a));
    if (e.sharedExperts() > 0) {
      denseMlp("shared_", h, (long) e.sharedExperts() * e.sharedIntermediate(), gated, false, p, ops);
    }
    ops.add(new Elementwise("expert_combine", h, e.active(), 2 * e.active(), a));
  }

  private static void denseMlp(String prefix, long h, long inter, boolean gated, boolean bias, Precision p,
      List<Operator> ops) {
    DType a = p.act();
    if (gated) {
      ops.add(Linear.of(prefix + "gate_proj", h, inter, bias, p));
      ops.add(Linear.of(prefix + "up_proj", h, inter, bias, p));
      ops.add(new Nonlinear(prefix + "act", inter, a));
      ops.add(new Elementwise(prefix + "gate_mul", inter, 2, 1, a));
      ops.add(Linear.of(prefix + "down_proj", inter, h, bias, p));
    } else {
      ops.add(Linear.of(prefix + "fc1", h, inter, bias, p));
      ops.add(new Nonlinear(prefix + "act", inter, a));
      ops.add(Linear.of(prefix + "fc2", inter, h, bias, p));
    }
  }

  /** Checkpoints that store Q, K and V as one matrix, run as one GEMM. */
  private static boolean fusedQkv(ModelSpec m) {
    switch (m.modelType()) {
      case "bloom":
      case "falcon":
      case "phi3":
        return true;
      default:
        return false;
    }
  }
}
