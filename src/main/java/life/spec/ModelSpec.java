package life.spec;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The architecture of a decoder-only transformer, normalised from a Hugging Face {@code config.json} of any family
 * (Llama, Mistral, Qwen, Gemma, Phi-3, GPT-J, BLOOM, OPT, Falcon, DeciLM, DeepSeek-V2, Mixtral and Qwen3 MoE).
 *
 * <p>Everything the operator model needs and nothing more. Layers may differ (DeciLM's per-layer KV heads, Gemma's
 * alternating sliding windows, DeepSeek's leading dense layers), so the per-layer part is a list of {@link LayerSpec}.
 *
 * @param id catalog id ({@code llama-2-7b}) or the file name of a user config
 * @param modelType the config's {@code model_type}
 * @param hidden model width (d_model)
 * @param heads query heads
 * @param headDim width of one query/key head (for MLA, {@code qk_nope_head_dim + qk_rope_head_dim})
 * @param intermediate width of the dense MLP's hidden layer
 * @param vocab vocabulary size (rows of the embedding table and of the LM head)
 * @param layers one entry per decoder layer, in order
 * @param mlp gated (SwiGLU/GeGLU: gate, up, down) or plain (fc1, activation, fc2)
 * @param parallelBlock attention and MLP read the same normalised input and are added together (GPT-J, Falcon)
 * @param normsPerLayer layer norms per decoder layer outside attention (2 sequential, 1 for GPT-J-style parallel
 *     blocks, 4 for Gemma-2/3's pre- and post-norms)
 * @param qkNorm per-head RMSNorm of queries and keys (Qwen3, Gemma-3)
 * @param bias which linears carry a bias
 * @param position how positions enter: rotary on {@code rotaryDim} of each head, ALiBi, or a learned table
 * @param learnedPositions rows of a learned position table (OPT), else 0
 * @param embeddingNorm a LayerNorm right after the embedding (BLOOM)
 * @param maxPosition {@code max_position_embeddings} (context limit), or 0 when the config has none
 * @param dtype the config's {@code torch_dtype}, FP16 when absent
 */
public record ModelSpec(
    String id,
    String modelType,
    int hidden,
    int heads,
    int headDim,
    int intermediate,
    int vocab,
    List<LayerSpec> layers,
    Mlp mlp,
    Activation activation,
    NormKind norm,
    boolean parallelBlock,
    int normsPerLayer,
    boolean qkNorm,
    Bias bias,
    boolean tieEmbeddings,
    Position position,
    int rotaryDim,
    int learnedPositions,
    boolean embeddingNorm,
    int maxPosition,
    Optional<MoeSpec> moe,
    Optional<MlaSpec> mla,
    DType dtype) {

  public ModelSpec {
    Objects.requireNonNull(id, "id");
    Check.positive("hidden_size", hidden);
    Check.positive("num_attention_heads", heads);
    Check.positive("head_dim", headDim);
    Check.positive("intermediate_size", intermediate);
    Check.positive("vocab_size", vocab);
    layers = List.copyOf(layers);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("num_hidden_layers must be positive, got 0");
    }
    Check.nonNegative("rotary_dim", rotaryDim);
    Check.nonNegative("max_position_embeddings", maxPosition);
    Objects.requireNonNull(moe, "moe");
    Objects.requireNonNull(mla, "mla");
    if (layers.stream().anyMatch(LayerSpec::moe) && moe.isEmpty()) {
      throw new IllegalArgumentException("a layer is marked MoE but the model has no expert settings");
    }
  }

  public int layerCount() {
    return layers.size();
  }

  /** Gated (three matrices) or plain (two matrices) feed-forward. */
  public enum Mlp {
    GATED,
    PLAIN
  }

  /** Feed-forward non-linearity. */
  public enum Activation {
    SILU,
    GELU,
    RELU
  }

  /** Normalisation: RMSNorm (scale only) or LayerNorm (mean, variance, scale and shift). */
  public enum NormKind {
    RMS,
    LAYER
  }

  /** How token positions are encoded. */
  public enum Position {
    ROPE,
    ALIBI,
    LEARNED
  }

  /** Which linears carry a bias vector. */
  public record Bias(boolean qkv, boolean attnOut, boolean mlp, boolean lmHead) {
    public static final Bias NONE = new Bias(false, false, false, false);
  }

  /**
   * One decoder layer.
   *
   * @param kvHeads key/value heads (= heads for MHA, fewer for GQA, 1 for MQA)
   * @param window sliding-window length in tokens, 0 for global attention
   * @param moe the feed-forward is a mixture of experts
   */
  public record LayerSpec(int kvHeads, int window, boolean moe) {
    public LayerSpec {
      Check.positive("num_key_value_heads", kvHeads);
      Check.nonNegative("sliding_window", window);
    }
  }

  /**
   * Mixture-of-experts feed-forward (Mixtral, Qwen3-MoE, DeepSeek-V2).
   *
   * @param experts routed experts per MoE layer
   * @param active experts each token is routed to ({@code num_experts_per_tok})
   * @param expertIntermediate hidden width of one routed expert
   * @param sharedExperts always-active experts (DeepSeek), 0 if none
   * @param sharedIntermediate hidden width of one shared expert
   */
  public record MoeSpec(int experts, int active, int expertIntermediate, int sharedExperts, int sharedIntermediate) {
    public MoeSpec {
      Check.positive("num_experts", experts);
      Check.positive("num_experts_per_tok", active);
      Check.positive("moe_intermediate_size", expertIntermediate);
      Check.nonNegative("n_shared_experts", sharedExperts);
      Check.nonNegative("shared_expert_intermediate_size", sharedIntermediate);
      if (active > experts) {
        throw new IllegalArgumentException(
            "num_experts_per_tok (" + active + ") exceeds the number of experts (" + experts + ")");
      }
    }
  }

  /**
   * Multi-head latent attention (DeepSeek-V2): keys and values are cached as one compressed latent per token.
   *
   * @param kvLoraRank width of the cached latent ({@code kv_lora_rank})
   * @param qLoraRank width of the query bottleneck, 0 when queries are projected directly
   * @param qkNopeHeadDim per-head query/key width without rotary part
   * @param qkRopeHeadDim per-head rotary width, also cached once per token (shared by all heads)
   * @param vHeadDim per-head value width
   */
  public record MlaSpec(int kvLoraRank, int qLoraRank, int qkNopeHeadDim, int qkRopeHeadDim, int vHeadDim) {
    public MlaSpec {
      Check.positive("kv_lora_rank", kvLoraRank);
      Check.nonNegative("q_lora_rank", qLoraRank);
      Check.nonNegative("qk_nope_head_dim", qkNopeHeadDim);
      Check.positive("qk_rope_head_dim", qkRopeHeadDim);
      Check.positive("v_head_dim", vHeadDim);
    }
  }
}
