package life.catalog;

import life.spec.InputException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import life.spec.DType;
import life.spec.ModelSpec;
import life.spec.ModelSpec.Activation;
import life.spec.ModelSpec.Bias;
import life.spec.ModelSpec.LayerSpec;
import life.spec.ModelSpec.MlaSpec;
import life.spec.ModelSpec.MoeSpec;
import life.spec.ModelSpec.Mlp;
import life.spec.ModelSpec.NormKind;
import life.spec.ModelSpec.Position;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelSpec}, under each family's own field names: Llama-style
 * ({@code hidden_size}, {@code num_hidden_layers}, ...), GPT-J ({@code n_embd}, {@code n_layer}, {@code rotary_dim}),
 * BLOOM ({@code n_head}, ALiBi), OPT ({@code ffn_dim}, learned positions), Falcon ({@code n_head},
 * {@code multi_query}, {@code num_kv_heads}, {@code new_decoder_architecture}), DeciLM
 * ({@code num_key_value_heads_per_layer}), MoE ({@code num_local_experts} / {@code num_experts} /
 * {@code n_routed_experts}, {@code num_experts_per_tok}, {@code moe_intermediate_size}) and MLA
 * ({@code kv_lora_rank}, {@code q_lora_rank}, {@code qk_rope_head_dim}, ...). Multimodal configs that nest the text
 * model under {@code text_config} (Gemma-3) are read from there. Defaults for absent fields are the Hugging Face
 * config classes' defaults.
 */
public final class HfConfigReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> PLAIN_MLP = Set.of("gptj", "bloom", "opt", "falcon", "gpt2", "gpt_neox");
  private static final Set<String> LAYER_NORM = PLAIN_MLP;
  private static final Set<String> TIED_BY_DEFAULT =
      Set.of("gemma", "gemma2", "gemma3_text", "bloom", "opt", "falcon", "gpt2");
  private static final Set<String> QK_NORM = Set.of("qwen3", "qwen3_moe", "gemma3_text");

  private final String file;
  private JsonNode c;

  private HfConfigReader(String file) {
    this.file = file;
  }

  /** Parses {@code json} (the content of {@code file}) into the model {@code id}. */
  public static ModelSpec read(String id, String file, String json) {
    HfConfigReader r = new HfConfigReader(file);
    try {
      r.c = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      String msg = e.getOriginalMessage().lines().findFirst().orElse("parse error");
      throw new InputException(file + ": not valid JSON: " + msg + " (line " + e.getLocation().getLineNr() + ")");
    }
    if (r.c == null || !r.c.isObject()) {
      throw new InputException(file + ": not a JSON object");
    }
    return r.spec(id);
  }

  private ModelSpec spec(String id) {
    if (!c.has("hidden_size") && c.path("text_config").isObject()) {
      c = c.get("text_config");
    }
    String type = text("model_type").orElse("llama").toLowerCase(Locale.ROOT);
    if (type.equals("refinedweb") || type.equals("refinedwebmodel")) {
      type = "falcon";
    }
    if (type.equals("gemma3")) {
      type = "gemma3_text";
    }
    applyFamilyDefaults(type);
    int hidden = requireInt("hidden_size", "n_embd", "d_model", "n_embed");
    int layers = requireInt("num_hidden_layers", "n_layer", "num_layers");
    int heads = requireInt("num_attention_heads", "n_head", "num_heads");
    int vocab = requireInt("vocab_size");
    if (hidden % heads != 0 && integer("head_dim").isEmpty()) {
      throw new InputException(file + ": hidden_size " + hidden + " is not a multiple of num_attention_heads "
          + heads + " and head_dim is missing");
    }
    Optional<MlaSpec> mla = mla();
    int headDim = mla.map(x -> x.qkNopeHeadDim() + x.qkRopeHeadDim())
        .orElseGet(() -> integer("head_dim").orElse(hidden / heads));
    boolean plain = PLAIN_MLP.contains(type);
    int intermediate = integer("intermediate_size", "n_inner", "ffn_dim", "ffn_hidden_size").orElse(-1);
    if (intermediate < 0) {
      if (plain) {
        intermediate = 4 * hidden;
      } else {
        throw missing("intermediate_size");
      }
    }
    Optional<MoeSpec> moe = moe(type, intermediate);
    List<LayerSpec> layerSpecs = layers(type, layers, heads, moe.isPresent());

    boolean parallel = type.equals("gptj")
        || (type.equals("falcon") && (bool("parallel_attn").orElse(true) || newFalcon()));
    int norms = switch (type) {
      case "gemma2", "gemma3_text" -> 4;
      case "gptj" -> 1;
      case "falcon" -> newFalcon() ? 2 : (parallel ? 1 : 2);
      default -> 2;
    };
    Bias bias = bias(type);
    boolean tied = bool("tie_word_embeddings").orElse(TIED_BY_DEFAULT.contains(type));
    Position position = type.equals("bloom") || (type.equals("falcon") && bool("alibi").orElse(false))
        ? Position.ALIBI
        : type.equals("opt") ? Position.LEARNED : Position.ROPE;
    int rotary = integer("rotary_dim").orElse(headDim);
    double partial = c.path("partial_rotary_factor").asDouble(1.0);
    if (partial > 0 && partial < 1) {
      rotary = (int) Math.round(headDim * partial);
    }
    int maxPos = integer("max_position_embeddings", "n_positions", "seq_length", "max_sequence_length").orElse(0);
    int learned = position == Position.LEARNED ? maxPos + 2 : 0;
    return new ModelSpec(id, type, hidden, heads, headDim, intermediate, vocab, layerSpecs,
        plain ? Mlp.PLAIN : Mlp.GATED, activation(type), LAYER_NORM.contains(type) ? NormKind.LAYER : NormKind.RMS,
        parallel, norms, QK_NORM.contains(type), bias, tied, position, rotary, learned, type.equals("bloom"), maxPos,
        moe, mla, dtype());
  }

  /**
   * Fields a family's config class defaults and its published files therefore omit: Gemma3TextConfig's defaults
   * (transformers {@code configuration_gemma3.py}), which gemma-3 multimodal configs rely on.
   */
  private void applyFamilyDefaults(String type) {
    if (type.equals("gemma3_text") && c instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      o.putIfAbsent("num_attention_heads", o.numberNode(8));
      o.putIfAbsent("num_key_value_heads", o.numberNode(4));
      o.putIfAbsent("head_dim", o.numberNode(256));
      o.putIfAbsent("vocab_size", o.numberNode(262208));
      o.putIfAbsent("hidden_activation", o.textNode("gelu_pytorch_tanh"));
      o.putIfAbsent("max_position_embeddings", o.numberNode(131072));
      o.putIfAbsent("sliding_window", o.numberNode(4096));
    }
  }

  private boolean newFalcon() {
    return bool("new_decoder_architecture").orElse(false);
  }

  private List<LayerSpec> layers(String type, int layers, int heads, boolean moe) {
    int kv = kvHeads(type, heads);
    JsonNode perLayerKv = c.get("num_key_value_heads_per_layer");
    if (perLayerKv != null && perLayerKv.isArray() && perLayerKv.size() != layers) {
      throw new InputException(file + ": num_key_value_heads_per_layer has " + perLayerKv.size()
          + " entries for " + layers + " layers");
    }
    int window = slidingWindow(type);
    JsonNode layerTypes = c.get("layer_types");
    int pattern = integer("sliding_window_pattern").orElse(type.equals("gemma3_text") ? 6 : 0);
    int firstDense = integer("first_k_dense_replace").orElse(0);
    int moeFreq = integer("moe_layer_freq", "decoder_sparse_step").orElse(1);
    JsonNode mlpOnly = c.get("mlp_only_layers");
    List<LayerSpec> out = new ArrayList<>(layers);
    for (int i = 0; i < layers; i++) {
      int k = perLayerKv != null && perLayerKv.isArray() ? perLayerKv.get(i).asInt() : kv;
      int w = 0;
      if (window > 0) {
        if (layerTypes != null && layerTypes.isArray() && layerTypes.size() == layers) {
          w = layerTypes.get(i).asText().startsWith("sliding") ? window : 0;
        } else if (type.equals("gemma2")) {
          w = i % 2 == 0 ? window : 0;
        } else if (pattern > 0) {
          w = (i + 1) % pattern != 0 ? window : 0;
        } else {
          w = window;
        }
      }
      boolean sparse = moe && i >= firstDense && (i + 1) % moeFreq == 0 && !contains(mlpOnly, i);
      if (type.equals("deepseek_v2") || type.equals("deepseek_v3")) {
        sparse = moe && i >= firstDense && i % moeFreq == 0;
      }
      out.add(new LayerSpec(k, w, sparse));
    }
    return out;
  }

  private static boolean contains(JsonNode arr, int i) {
    if (arr == null || !arr.isArray()) {
      return false;
    }
    for (JsonNode n : arr) {
      if (n.asInt() == i) {
        return true;
      }
    }
    return false;
  }

  private int kvHeads(String type, int heads) {
    if (type.equals("falcon")) {
      if (newFalcon()) {
        return integer("num_kv_heads", "num_key_value_heads").orElse(heads);
      }
      return bool("multi_query").orElse(true) ? 1 : heads;
    }
    if (c.has("multi_query") && bool("multi_query").orElse(false)) {
      return 1;
    }
    return integer("num_key_value_heads", "num_kv_heads", "n_head_kv").orElse(heads);
  }

  private int slidingWindow(String type) {
    if (bool("use_sliding_window").map(b -> !b).orElse(false)) {
      return 0;
    }
    return integer("sliding_window").orElse(0);
  }

  private Optional<MoeSpec> moe(String type, int intermediate) {
    Optional<Integer> experts = integer("num_local_experts", "num_experts", "n_routed_experts");
    if (experts.isEmpty() || experts.get() <= 1) {
      return Optional.empty();
    }
    int active = integer("num_experts_per_tok", "top_k", "moe_top_k")
        .orElseThrow(() -> missing("num_experts_per_tok"));
    int expertInter = integer("moe_intermediate_size").orElse(intermediate);
    int shared = integer("n_shared_experts").orElse(0);
    int sharedInter = expertInter;
    Optional<Integer> qwenShared = integer("shared_expert_intermediate_size");
    if (qwenShared.isPresent() && qwenShared.get() > 0) {
      shared = 1;
      sharedInter = qwenShared.get();
    }
    return Optional.of(new MoeSpec(experts.get(), active, expertInter, shared, sharedInter));
  }

  private Optional<MlaSpec> mla() {
    Optional<Integer> rank = integer("kv_lora_rank");
    if (rank.isEmpty()) {
      return Optional.empty();
    }
    int rope = integer("qk_rope_head_dim").orElseThrow(() -> missing("qk_rope_head_dim"));
    int nope = integer("qk_nope_head_dim").orElseThrow(() -> missing("qk_nope_head_dim"));
    int v = integer("v_head_dim").orElseThrow(() -> missing("v_head_dim"));
    return Optional.of(new MlaSpec(rank.get(), integer("q_lora_rank").orElse(0), nope, rope, v));
  }

  private Bias bias(String type) {
    switch (type) {
      case "qwen2":
      case "qwen2_moe":
        return new Bias(bool("qkv_bias").orElse(true), false, false, false);
      case "gptj":
        return new Bias(false, false, true, true);
      case "bloom":
        return new Bias(true, true, true, false);
      case "opt":
        boolean b = bool("enable_bias").orElse(true);
        return new Bias(b, b, b, false);
      case "falcon":
        boolean f = bool("bias").orElse(false);
        return new Bias(f, f, f, false);
      default:
        boolean attn = bool("attention_bias").orElse(false);
        return new Bias(attn, attn, bool("mlp_bias").orElse(false), false);
    }
  }

  private Activation activation(String type) {
    String act = text("hidden_act", "activation_function", "hidden_activation")
        .orElse(PLAIN_MLP.contains(type) ? "gelu" : "silu")
        .toLowerCase(Locale.ROOT);
    if (act.startsWith("gelu")) {
      return Activation.GELU;
    }
    if (act.equals("relu")) {
      return Activation.RELU;
    }
    if (act.equals("silu") || act.equals("swish") || act.equals("swiglu")) {
      return Activation.SILU;
    }
    throw new InputException(file + ": hidden_act '" + act + "' is not supported (allowed: silu, gelu*, relu)");
  }

  private DType dtype() {
    Optional<String> t = text("torch_dtype", "dtype");
    if (t.isEmpty()) {
      return DType.FP16;
    }
    try {
      return DType.parse(t.get());
    } catch (IllegalArgumentException e) {
      return DType.FP16;
    }
  }

  private InputException missing(String field) {
    return new InputException(file + ": missing field '" + field + "'");
  }

  private int requireInt(String... names) {
    return integer(names).orElseThrow(() -> new InputException(file + ": missing field '" + names[0] + "'"
        + (names.length > 1 ? " (or " + String.join(", ", List.of(names).subList(1, names.length)) + ")" : "")));
  }

  private Optional<Integer> integer(String... names) {
    for (String n : names) {
      JsonNode v = c.get(n);
      if (v == null || v.isNull()) {
        continue;
      }
      if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
        throw new InputException(file + ": field '" + n + "' must be an integer, got " + v);
      }
      return Optional.of(v.asInt());
    }
    return Optional.empty();
  }

  private Optional<Boolean> bool(String name) {
    JsonNode v = c.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isBoolean()) {
      throw new InputException(file + ": field '" + name + "' must be true or false, got " + v);
    }
    return Optional.of(v.asBoolean());
  }

  private Optional<String> text(String... names) {
    for (String n : names) {
      JsonNode v = c.get(n);
      if (v != null && v.isTextual()) {
        return Optional.of(v.asText());
      }
    }
    return Optional.empty();
  }
}
