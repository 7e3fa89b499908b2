package life.ops;

import java.util.Locale;

/**
 * Attention variant to forecast: the model's own ({@link Kind#NATIVE}), or its query heads regrouped as MHA (one KV
 * head per query head), GQA with {@code groups} KV heads, MQA (one KV head), or DeepSeek-style MLA (a compressed
 * latent per token; needs the config's {@code kv_lora_rank} fields).
 */
public record AttentionVariant(Kind kind, int groups) {
  /** The variants. */
  public enum Kind {
    NATIVE,
    MHA,
    GQA,
    MQA,
    MLA
  }

  public static final AttentionVariant NATIVE = new AttentionVariant(Kind.NATIVE, 0);

  /** Parses {@code native}, {@code mha}, {@code gqa}, {@code gqa:N}, {@code mqa} or {@code mla}. */
  public static AttentionVariant parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("gqa:")) {
      int g;
      try {
        g = Integer.parseInt(t.substring(4));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("gqa:N needs a number of KV heads, got '" + s + "'");
      }
      if (g <= 0) {
        throw new IllegalArgumentException("gqa:N needs a positive number of KV heads, got " + g);
      }
      return new AttentionVariant(Kind.GQA, g);
    }
    for (Kind k : Kind.values()) {
      if (k.name().toLowerCase(Locale.ROOT).equals(t)) {
        return new AttentionVariant(k, 0);
      }
    }
    throw new IllegalArgumentException("unknown attention '" + s + "' (allowed: native, mha, gqa, gqa:N, mqa, mla)");
  }
}
