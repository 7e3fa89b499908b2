package life.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import life.spec.InputException;
import life.catalog.HardwareCatalog;
import life.catalog.ModelCatalog;
import life.forecast.Overlap;
import life.ops.ActQuant;
import life.ops.AttentionVariant;
import life.ops.Counting;
import life.ops.Fusion;
import life.ops.GraphOptions;
import life.ops.Lora;
import life.ops.Parallelism;
import life.ops.WeightFormat;
import life.spec.DType;
import life.spec.HardwareSpec;
import life.spec.Limits;
import life.stack.Efficiencies;
import life.stack.Stack;
import life.stack.StackSettings;
import life.stack.Stacks;

/**
 * The one way in from text to a {@link Scenario}: a map of keys to values, the same keys for command-line options
 * ({@code --kv-bits} is {@code kv_bits}), sweep axes and measurement rows. Every value is checked here; a bad one is
 * a {@link Bad} naming the key and the allowed values. Keys left out take {@link #DEFAULTS}. Counts (lengths, batch,
 * chunk, window, the stack's token counts, LoRA rank, devices) are bounded by {@link Limits}.
 */
public final class ScenarioText {
  /**
   * A bad value: the key it was given for ({@code lora_rank} for the rank part of {@code lora}) and a one-line message
   * with the allowed values.
   */
  public static final class Bad extends IllegalArgumentException {
    private final String key;

    public Bad(String key, String message) {
      super(message);
      this.key = key;
    }

    /** The key of the bad value. */
    public String key() {
      return key;
    }
  }

  /** Stack settings that are numbers of tokens, bounded by {@link Limits#MAX_TOKENS}. */
  private static final List<String> TOKEN_SETTINGS = List.of("dequant_above", "micro_batch", "prompt_batch");

  /** Every key and its default ({@code null}: required, or chosen from other keys). */
  public static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("model", null);
    d.put("hardware", null);
    d.put("parallel", "1");
    d.put("stack", "auto");
    for (String s : StackSettings.NAMES) {
      d.put(s, null);
    }
    d.put("dtype", "fp16");
    d.put("weights", "none");
    d.put("act_bits", "16");
    d.put("kv_bits", "auto");
    d.put("kv_keep", "1");
    d.put("lora", "none");
    d.put("lora_targets", "all");
    d.put("attention", "native");
    d.put("window", "model");
    d.put("fusion", "none");
    d.put("overlap", "operator");
    d.put("counting", "causal");
    d.put("same_prompt", "false");
    d.put("spec", "none");
    d.put("disaggregate", "none");
    d.put("efficiencies", "stack");
    d.put("compute_eff", null);
    d.put("mem_eff", null);
    d.put("dispatch_us", null);
    d.put("prompt", "1024");
    d.put("output", "128");
    d.put("batch", "1");
    d.put("chunk", "auto");
    d.put("context", "0");
    return d;
  }

  private ScenarioText() {}

  /** The scenario of {@code text} on {@code catalog}'s devices. */
  public static Scenario parse(Map<String, String> text, HardwareCatalog catalog) {
    return parse(text, catalog, null);
  }

  /** As {@link #parse(Map, HardwareCatalog)}, choosing efficiencies by {@code rule} (null: the text's). */
  public static Scenario parse(Map<String, String> text, HardwareCatalog catalog, EfficiencyRule rule) {
    Setup s = setup(text, catalog, rule);
    return new Scenario(s, request(s, text));
  }

  /** The setup of {@code text} (its request keys are not read). */
  public static Setup setup(Map<String, String> text, HardwareCatalog catalog, EfficiencyRule rule) {
    for (String k : text.keySet()) {
      if (!DEFAULTS.containsKey(k)) {
        throw new Bad(k, "unknown key '" + k + "' (allowed: " + String.join(", ", DEFAULTS.keySet()) + ")");
      }
    }
    String modelRef = required(text, "model");
    String hwRef = required(text, "hardware");
    var model = get("model", () -> ModelCatalog.builtIn().resolve(modelRef));
    HardwareCatalog.Entry device = get("hardware", () -> catalog.resolveEntry(hwRef));
    Stack stack = stack(value(text, "stack"), device.spec());
    for (String name : StackSettings.NAMES) {
      String v = text.get(name);
      if (v != null) {
        Stack st = stack;
        stack = get(name, () -> st.with(name, setting(name, v)));
      }
    }
    DType d = get("dtype", () -> activation(value(text, "dtype")));
    String kvText = value(text, "kv_bits").toLowerCase(Locale.ROOT);
    boolean kvFp8 = kvText.equals("fp8");
    int kvBits = get("kv_bits", () -> kvBits(kvText, d));
    double keep = get("kv_keep", () -> fraction(value(text, "kv_keep")));
    WeightFormat w = get("weights", () -> weights(value(text, "weights")));
    if (text.get("dequant_above") != null && !w.dequantize() && stack.settings().dequantAbove() > 0) {
      throw new Bad("dequant_above", "dequant_above needs quantized weights (intN or a quantized llama.cpp format)");
    }
    GraphOptions o = get("weights", () -> GraphOptions.defaults(d).withWeights(w));
    GraphOptions o1 = o;
    o = get("act_bits", () -> o1.withActQuant(ActQuant.parse(value(text, "act_bits"))));
    GraphOptions o2 = o;
    o = get("kv_bits", () -> o2.withKv(kvBits, keep));
    GraphOptions o3 = o;
    o = get("lora", () -> o3.withLora(lora(value(text, "lora"), value(text, "lora_targets"))));
    GraphOptions o4 = o;
    int win = get("window", () -> window(value(text, "window")));
    o = get("attention", () -> o4.withAttention(AttentionVariant.parse(value(text, "attention")), win));
    GraphOptions o5 = o;
    o = get("fusion", () -> o5.withFusion(Fusion.parse(value(text, "fusion"))));
    GraphOptions o6 = o;
    o = get("counting", () -> o6.withCounting(Counting.parse(value(text, "counting"))));
    GraphOptions o7 = o;
    o = get("parallel", () -> o7.withParallel(Parallelism.parse(value(text, "parallel"))));
    GraphOptions o8 = o;
    o = get("same_prompt", () -> o8.withRoutesAlike(bool(value(text, "same_prompt"))));
    Overlap overlap = get("overlap", () -> Overlap.parse(value(text, "overlap")));
    life.forecast.Speculation spec = get("spec", () -> life.forecast.Speculation.parse(value(text, "spec")));
    life.forecast.Disaggregation disagg = get("disaggregate", () -> life.forecast.Disaggregation.parse(value(text,
        "disaggregate")));
    life.spec.ModelSpec draft = spec.method().equals("draft") ? get("spec", () -> ModelCatalog.builtIn().resolve(
        spec.draftModel())) : null;
    EfficiencyRule r = rule != null ? rule : get("efficiencies", () -> EfficiencyRule.parse(value(text,
        "efficiencies")));
    Double ce = get("compute_eff", () -> optionalFraction(text.get("compute_eff")));
    Double me = get("mem_eff", () -> optionalFraction(text.get("mem_eff")));
    Double dus = get("dispatch_us", () -> optionalNonNegative(text.get("dispatch_us")));
    Efficiencies.Overrides cli = new Efficiencies.Overrides(ce, me, null, null, dus == null ? null : dus * 1e-6, null,
        null, null, null, false, "cli");
    return new Setup(model, device.spec(), device.fit(), stack, o, overlap, r, cli, kvFp8, spec, draft, disagg);
  }

  /** The request of {@code text} for setup {@code s} (the stack's micro-batch where {@code chunk} is auto). */
  public static life.forecast.Request request(Setup s, Map<String, String> text) {
    long prompt = get("prompt", () -> tokens(value(text, "prompt"), 0));
    long output = get("output", () -> tokens(value(text, "output"), 1));
    long batch = get("batch", () -> batch(value(text, "batch")));
    String c = value(text, "chunk");
    long chunk = c.equals("auto") ? -1 : get("chunk", () -> tokens(c, 0));
    long context = get("context", () -> tokens(value(text, "context"), 0));
    if (prompt == 0 && context == 0 && output < 2) {
      throw new Bad("prompt", "prompt must be positive unless output is at least 2 (decode only); got 0");
    }
    return get("prompt", () -> s.request(prompt, output, (int) batch, chunk, context));
  }

  /** Checks one value of {@code key} alone (sweep files check each axis value before expanding). */
  public static String check(String key, String value) {
    if (!DEFAULTS.containsKey(key)) {
      throw new Bad(key, "unknown key '" + key + "'");
    }
    switch (key) {
      case "stack" -> {
        if (!value.equals("auto")) {
          Stacks.parse(value);
        }
      }
      case "dtype" -> activation(value);
      case "weights" -> weights(value);
      case "act_bits" -> ActQuant.parse(value);
      case "kv_bits" -> kvBits(value.toLowerCase(Locale.ROOT), DType.FP16);
      case "kv_keep" -> fraction(value);
      case "lora" -> lora(value, "all");
      case "attention" -> AttentionVariant.parse(value);
      case "window" -> window(value);
      case "fusion" -> Fusion.parse(value);
      case "overlap" -> Overlap.parse(value);
      case "counting" -> Counting.parse(value);
      case "parallel" -> Parallelism.parse(value);
      case "same_prompt" -> bool(value);
      case "spec" -> life.forecast.Speculation.parse(value);
      case "disaggregate" -> life.forecast.Disaggregation.parse(value);
      case "chunk" -> {
        if (!value.equals("auto")) {
          tokens(value, 0);
        }
      }
      case "prompt", "context" -> tokens(value, 0);
      case "output" -> tokens(value, 1);
      case "batch" -> batch(value);
      default -> {
        if (StackSettings.NAMES.contains(key)) {
          StackSettings.NONE.with(key, setting(key, value));
        }
      }
    }
    return value;
  }

  /** The stack of {@code text} on {@code device}: {@code auto} is the device's default stack. */
  private static Stack stack(String text, HardwareSpec device) {
    return get("stack", () -> text.equals("auto") ? Stacks.defaultFor(device) : Stacks.parse(text));
  }

  private static <T> T get(String key, java.util.function.Supplier<T> f) {
    try {
      return f.get();
    } catch (Bad e) {
      throw e;
    } catch (IllegalArgumentException | InputException e) {
      throw new Bad(key, e.getMessage());
    }
  }

  private static String required(Map<String, String> text, String key) {
    String v = text.get(key);
    if (v == null || v.isBlank()) {
      throw new Bad(key, key + " is required");
    }
    return v.trim();
  }

  private static String value(Map<String, String> text, String key) {
    String v = text.get(key);
    return (v == null ? DEFAULTS.get(key) : v).trim();
  }

  private static DType activation(String s) {
    DType d = DType.parse(s);
    if (d != DType.FP32 && d != DType.FP16 && d != DType.BF16) {
      throw new IllegalArgumentException("dtype must be one of fp32, fp16, bf16; got '" + s + "'");
    }
    return d;
  }

  private static int kvBits(String s, DType d) {
    if (s.equals("auto")) {
      return (int) d.bits();
    }
    if (s.equals("fp8") || s.equals("int8")) {
      return 8;
    }
    try {
      int k = Integer.parseInt(s);
      if (GraphOptions.KV_BITS.contains(k)) {
        return k;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("kv_bits must be auto, fp8, int8 or one of " + GraphOptions.KV_BITS + "; got '"
        + s + "'");
  }

  private static double fraction(String s) {
    double v = number(s);
    if (!(v > 0 && v <= 1)) {
      throw new IllegalArgumentException("must be in (0, 1]; got " + s);
    }
    return v;
  }

  private static Double optionalFraction(String s) {
    return s == null ? null : fraction(s.trim());
  }

  private static Double optionalNonNegative(String s) {
    if (s == null) {
      return null;
    }
    double v = number(s.trim());
    if (!(v >= 0 && Double.isFinite(v))) {
      throw new IllegalArgumentException("must be a non-negative number; got " + s);
    }
    return v;
  }

  private static double number(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: '" + s + "'");
    }
  }

  /** A number of tokens from {@code min} to {@link Limits#MAX_TOKENS}. */
  private static long tokens(String s, long min) {
    return count(s, min, Limits.MAX_TOKENS);
  }

  /** A number of sequences from 1 to {@link Limits#MAX_BATCH}. */
  private static long batch(String s) {
    return count(s, 1, Limits.MAX_BATCH);
  }

  /** An integer from {@code min} to {@code max}; else an error giving the range. */
  private static long count(String s, long min, long max) {
    try {
      long v = Long.parseLong(s.trim());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("must be an integer from " + min + " to " + max + "; got '" + s.trim() + "'");
  }

  /**
   * {@code text} as an integer from {@code min} to {@code max}, else a {@link Bad} for {@code key} giving the range
   * (a command-line option narrower than its key, such as {@code --dequant-above}).
   */
  public static long count(String key, String text, long min, long max) {
    return get(key, () -> count(text, min, max));
  }

  /** {@code value} of stack setting {@code name}, its token counts checked against {@link Limits#MAX_TOKENS}. */
  private static String setting(String name, String value) {
    if (TOKEN_SETTINGS.contains(name)) {
      count(value, 0, Limits.MAX_TOKENS);
    }
    return value;
  }

  private static boolean bool(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off", "" -> false;
      default -> throw new IllegalArgumentException("must be true or false; got '" + s + "'");
    };
  }

  private static int window(String s) {
    if (s.equals("model")) {
      return -1;
    }
    try {
      long w = Long.parseLong(s);
      if (w >= 0 && w <= Limits.MAX_TOKENS) {
        return (int) w;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("window must be positive (or 0 for none, model for the model's), at most "
        + Limits.MAX_TOKENS + "; got '" + s + "'");
  }

  /**
   * Weights: {@code none} (or a 16-bit name: weights in the activation type), {@code intN} (groups of 128),
   * {@code intN-gG}, {@code fp8}, or a llama.cpp format name.
   */
  static WeightFormat weights(String s) {
    String k = s.trim().toLowerCase(Locale.ROOT);
    switch (k) {
      case "none", "fp16", "bf16", "float16", "bfloat16" -> {
        return WeightFormat.UNQUANTIZED;
      }
      case "fp8" -> {
        return new WeightFormat("fp8", 8, false, false);
      }
      default -> {
        // below
      }
    }
    if (k.matches("int\\d+(-g\\d+)?")) {
      String[] p = k.substring(3).split("-g");
      try {
        return WeightFormat.bits(Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1]) : 128);
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    if (WeightFormat.isNamed(k)) {
      return WeightFormat.named(k);
    }
    throw new IllegalArgumentException("unknown weights '" + s + "' (allowed: none, fp8, intN, intN-gG with N in "
        + WeightFormat.BITS + ", or a llama.cpp format: " + String.join(", ", WeightFormat.names()) + ")");
  }

  /** {@code none}, or {@code mode:rank} with mode merged, inline or unmerged, adapting {@code targets}. */
  static Lora lora(String s, String targets) {
    String k = s.trim().toLowerCase(Locale.ROOT);
    if (k.equals("none")) {
      return Lora.NONE;
    }
    String[] p = k.split(":");
    if (p.length != 2) {
      throw new IllegalArgumentException("lora must be none or mode:rank (e.g. unmerged:16), got '" + s + "'");
    }
    long rank;
    try {
      rank = Long.parseLong(p[1]);
    } catch (NumberFormatException e) {
      throw new Bad("lora_rank", "lora rank must be a positive integer, at most " + Limits.MAX_LORA_RANK + "; got '"
          + p[1] + "'");
    }
    if (rank <= 0 || rank > Limits.MAX_LORA_RANK) {
      throw new Bad("lora_rank", "lora rank must be a positive integer, at most " + Limits.MAX_LORA_RANK + "; got "
          + rank);
    }
    return Lora.of((int) rank, Lora.Mode.parse(p[0]), targets);
  }

  /** The keys of {@code text} as command-line arguments ({@code --kv-bits 8}), for messages and tests. */
  public static List<String> asArguments(Map<String, String> text) {
    List<String> a = new ArrayList<>();
    text.forEach((k, v) -> {
      a.add("--" + k.replace('_', '-'));
      a.add(v);
    });
    return a;
  }
}
