package life.catalog;

import static life.spec.InputException.clip;
import static life.spec.InputException.escape;
import static life.spec.InputException.quote;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import life.spec.DType;
import life.spec.InputException;
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
  /** {@code model_type} values whose layers this reader builds (decoder-only transformers, dense or MoE, MLA). */
  static final Set<String> SUPPORTED = new java.util.TreeSet<>(Set.of("llama", "mistral", "mixtral", "qwen2",
      "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2", "gemma3", "gemma3_text", "phi3", "aquila", "deci",
      "deepseek_v2", "deepseek_v3", "falcon", "refinedweb", "refinedwebmodel", "gptj", "bloom", "opt", "gpt2",
      "gpt_neox"));
  /** Families with state-space or linear-attention layers, whose recurrent state this reader does not model yet. */
  static final Set<String> RECURRENT = Set.of("mamba", "mamba2", "jamba", "falcon_h1", "nemotron_h", "qwen3_next",
      "zamba", "zamba2", "bamba", "granitemoehybrid", "recurrent_gemma", "rwkv", "rwkv5", "rwkv6", "lfm2", "minimax",
      "minimax_m1", "plamo2", "xlstm");

  /** Widths: hidden size, latent ranks. */
  private static final Range WIDTH = new Range(1, 1 << 20);
  /** Decoder layers, and layer indices and periods. */
  private static final Range LAYERS = new Range(1, 100_000);
  /** Heads and head widths, experts. */
  private static final Range HEADS = new Range(1, 1 << 16);
  /** MLP widths and the vocabulary. */
  private static final Range FFN = new Range(1, 1 << 24);
  /** Context lengths and attention windows, in tokens. */
  private static final Range TOKENS = new Range(0, 1 << 30);

  /** The allowed values of a count field, {@code min} to {@code max}: wide enough for any published model. */
  private record Range(long min, long max) {
    Range from(long newMin) {
      return new Range(newMin, max);
    }

    @Override
    public String toString() {
      return min + " to " + max;
    }
  }

  private final String file;
  private JsonNode c;

  private HfConfigReader(String file) {
    this.file = file;
  }

  /** Parses {@code json} (the content of {@code file}) into the model {@code id}. */
  public static ModelSpec read(String id, String file, String json) {
    HfConfigReader r = new HfConfigReader(escape(file));
    r.c = parse(r.file, json);
    try {
      return r.spec(id);
    } catch (IllegalArgumentException e) {
      throw new InputException(r.file + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode parse(String file, String json) {
    JsonNode root;
    try (JsonParser p = JSON.createParser(json)) {
      try {
        root = JSON.readTree(p);
      } catch (JsonProcessingException e) {
        JsonLocation at = e.getLocation() != null ? e.getLocation() : p.currentLocation();
        String msg = String.valueOf(e.getOriginalMessage()).replaceAll(", from `[^`]*`\\)", ")");
        throw new InputException(file + " line " + at.getLineNr() + ", column " + at.getColumnNr()
            + ": not valid JSON: " + escape(msg.lines().findFirst().orElse("parse error")));
      }
    } catch (IOException e) {
      throw new InputException(file + ": cannot read: " + escape(String.valueOf(e.getMessage())), e);
    }
    if (root == null || root.isMissingNode()) {
      throw new InputException(file + ": the file is empty (expected a JSON object of config fields)");
    }
    if (!root.isObject()) {
      throw new InputException(file + ": expected a JSON object of config fields, got " + article(root));
    }
    return root;
  }

  private static String article(JsonNode n) {
    return switch (n.getNodeType()) {
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> n.getNodeType().toString().toLowerCase(Locale.ROOT);
    };
  }

  private ModelSpec spec(String id) {
    if (!c.has("hidden_size") && c.path("text_config").isObject()) {
      c = c.get("text_config");
    }
    String type = text("model_type").orElse("llama").toLowerCase(Locale.ROOT);
    if (RECURRENT.contains(type)) {
      throw new InputException(file + ": model_type '" + escape(type) + "' has state-space or linear-attention "
          + "layers, which are not modelled yet (supported families: " + String.join(", ", SUPPORTED) + ")");
    }
    if (!SUPPORTED.contains(type)) {
      throw new InputException(file + ": model_type '" + escape(type) + "' is not supported (supported families: "
          + String.join(", ", SUPPORTED) + ")");
    }
    if (type.equals("refinedweb") || type.equals("refinedwebmodel")) {
      type = "falcon";
    }
    if (type.equals("gemma3")) {
      type = "gemma3_text";
    }
    applyFamilyDefaults(type);
    int hidden = requireInt(WIDTH, "hidden_size", "n_embd", "d_model", "n_embed");
    int layers = requireInt(LAYERS, "num_hidden_layers", "n_layer", "num_layers");
    int heads = requireInt(HEADS, "num_attention_heads", "n_head", "num_heads");
    int vocab = requireInt(FFN, "vocab_size");
    if (hidden % heads != 0 && integer(HEADS, "head_dim").isEmpty()) {
      throw new InputException(file + ": hidden_size " + hidden + " is not a multiple of num_attention_heads "
          + heads + " and head_dim is missing");
    }
    Optional<MlaSpec> mla = mla();
    int headDim = mla.map(x -> x.qkNopeHeadDim() + x.qkRopeHeadDim())
        .orElseGet(() -> integer(HEADS, "head_dim").orElse(hidden / heads));
    boolean plain = PLAIN_MLP.contains(type);
    int intermediate = integer(FFN, "intermediate_size", "n_inner", "ffn_dim", "ffn_hidden_size").orElse(-1);
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
    int rotary = integer(HEADS.from(0), "rotary_dim").orElse(headDim);
    double partial = c.path("partial_rotary_factor").asDouble(1.0);
    if (partial > 0 && partial < 1) {
      rotary = (int) Math.round(headDim * partial);
    }
    int maxPos = integer(TOKENS, "max_position_embeddings", "n_positions", "seq_length", "max_sequence_length")
        .orElse(0);
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
    int pattern = integer(LAYERS.from(0), "sliding_window_pattern").orElse(type.equals("gemma3_text") ? 6 : 0);
    int firstDense = integer(LAYERS.from(0), "first_k_dense_replace").orElse(0);
    int moeFreq = integer(LAYERS, "moe_layer_freq", "decoder_sparse_step").orElse(1);
    JsonNode mlpOnly = c.get("mlp_only_layers");
    List<LayerSpec> out = new ArrayList<>(layers);
    for (int i = 0; i < layers; i++) {
      int k = perLayerKv != null && perLayerKv.isArray()
          ? value(HEADS, "num_key_value_heads_per_layer[" + i + "]", perLayerKv.get(i))
          : kv;
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
        return integer(HEADS, "num_kv_heads", "num_key_value_heads").orElse(heads);
      }
      return bool("multi_query").orElse(true) ? 1 : heads;
    }
    if (c.has("multi_query") && bool("multi_query").orElse(false)) {
      return 1;
    }
    return integer(HEADS, "num_key_value_heads", "num_kv_heads", "n_head_kv").orElse(heads);
  }

  private int slidingWindow(String type) {
    if (bool("use_sliding_window").map(b -> !b).orElse(false)) {
      return 0;
    }
    return integer(TOKENS, "sliding_window").orElse(0);
  }

  private Optional<MoeSpec> moe(String type, int intermediate) {
    Optional<Integer> experts = integer(HEADS.from(0), "num_local_experts", "num_experts", "n_routed_experts");
    if (experts.isEmpty() || experts.get() <= 1) {
      return Optional.empty();
    }
    int active = integer(HEADS, "num_experts_per_tok", "top_k", "moe_top_k")
        .orElseThrow(() -> missing("num_experts_per_tok"));
    int expertInter = integer(FFN, "moe_intermediate_size").orElse(intermediate);
    int shared = integer(HEADS.from(0), "n_shared_experts").orElse(0);
    int sharedInter = expertInter;
    Optional<Integer> qwenShared = integer(FFN.from(0), "shared_expert_intermediate_size");
    if (qwenShared.isPresent() && qwenShared.get() > 0) {
      shared = 1;
      sharedInter = qwenShared.get();
    }
    return Optional.of(new MoeSpec(experts.get(), active, expertInter, shared, sharedInter));
  }

  private Optional<MlaSpec> mla() {
    Optional<Integer> rank = integer(WIDTH, "kv_lora_rank");
    if (rank.isEmpty()) {
      return Optional.empty();
    }
    int rope = integer(HEADS, "qk_rope_head_dim").orElseThrow(() -> missing("qk_rope_head_dim"));
    int nope = integer(HEADS.from(0), "qk_nope_head_dim").orElseThrow(() -> missing("qk_nope_head_dim"));
    int v = integer(HEADS, "v_head_dim").orElseThrow(() -> missing("v_head_dim"));
    return Optional.of(new MlaSpec(rank.get(), integer(WIDTH.from(0), "q_lora_rank").orElse(0), nope, rope, v));
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
    throw new InputException(file + ": hidden_act " + quote(act) + " is not supported (allowed: silu, gelu*, relu)");
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

  private int requireInt(Range range, String... names) {
    return integer(range, names).orElseThrow(() -> new InputException(file + ": missing field '" + names[0] + "'"
        + (names.length > 1 ? " (or " + String.join(", ", List.of(names).subList(1, names.length)) + ")" : "")));
  }

  /** The first of the fields {@code names} the config gives (null counts as absent), checked against its range. */
  private Optional<Integer> integer(Range range, String... names) {
    for (String n : names) {
      JsonNode v = c.get(n);
      if (v == null || v.isNull()) {
        continue;
      }
      return Optional.of(value(range, n, v));
    }
    return Optional.empty();
  }

  /** The whole number {@code v} of {@code field}, in {@code range}. */
  private int value(Range range, String field, JsonNode v) {
    boolean whole = v.isIntegralNumber() || v.isNumber() && v.asDouble() == Math.rint(v.asDouble());
    if (!whole) {
      throw new InputException(file + ": field '" + field + "' is " + clip(v.toString()) + ", not a whole number "
          + "(allowed: " + range + ")");
    }
    boolean inRange = v.isIntegralNumber()
        ? v.canConvertToLong() && v.asLong() >= range.min() && v.asLong() <= range.max()
        : v.asDouble() >= range.min() && v.asDouble() <= range.max();
    if (!inRange) {
      throw new InputException(file + ": field '" + field + "' is " + clip(v.toString()) + " (allowed: " + range
          + ")");
    }
    return (int) (v.isIntegralNumber() ? v.asLong() : v.asDouble());
  }

  private Optional<Boolean> bool(String name) {
    JsonNode v = c.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isBoolean()) {
      throw new InputException(file + ": field '" + name + "' must be true or false, got " + clip(v.toString()));
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
