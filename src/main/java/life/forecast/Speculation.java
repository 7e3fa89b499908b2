package life.forecast;

import java.util.Locale;

/**
 * Speculative decoding: each decode step drafts {@code k} tokens cheaply, then the target model verifies them and
 * the token after them in one call of {@code k + 1} positions per sequence, keeping the drafted tokens up to the first
 * it rejects and its own token there. With each drafted token accepted independently with probability α, a step yields
 * {@code E = (1 − α^(k+1)) / (1 − α)} tokens on average (Leviathan, Kalman and Matias 2023, "Fast Inference from
 * Transformers via Speculative Decoding", eq. 1; {@code k + 1} at α = 1).
 *
 * <p>Drafters (our cost model, docs/serving.md): {@code draft} a separate small model on the same devices, decoding its
 * k tokens one after another (and prefilling the prompt too); {@code eagle} and {@code mtp} a head of one decoder
 * layer and the LM head on the target's features, run k times (EAGLE, DeepSeek-V3's multi-token prediction);
 * {@code medusa} k extra LM heads in one pass.
 *
 * @param method {@code none}, {@code draft}, {@code eagle}, {@code mtp} or {@code medusa}
 * @param draftModel the draft model's id or config path ({@code draft} only, else empty)
 * @param k tokens drafted per step
 * @param acceptance probability α that a drafted token is accepted
 */
public record Speculation(String method, String draftModel, int k, double acceptance) {
  public static final Speculation NONE = new Speculation("none", "", 0, 0);

  /** Most tokens drafted per step. */
  public static final int MAX_K = 64;

  public Speculation {
    if (!java.util.List.of("none", "draft", "eagle", "mtp", "medusa").contains(method)) {
      throw new IllegalArgumentException("speculation must be none, draft:MODEL:K:ACCEPTANCE, eagle:K:ACCEPTANCE, "
          + "mtp:K:ACCEPTANCE or medusa:K:ACCEPTANCE; got '" + method + "'");
    }
    if (!method.equals("none") && (k < 1 || k > MAX_K)) {
      throw new IllegalArgumentException("speculation: K (tokens drafted per step) must be from 1 to " + MAX_K
          + ", got " + k);
    }
    if (!method.equals("none") && !(acceptance >= 0 && acceptance <= 1)) {
      throw new IllegalArgumentException("speculation: ACCEPTANCE must be from 0 to 1, got " + acceptance);
    }
  }

  /** {@code none}, {@code draft:MODEL:K:ALPHA}, {@code eagle:K:ALPHA}, {@code mtp:K:ALPHA} or {@code medusa:K:ALPHA}. */
  public static Speculation parse(String text) {
    String t = text.trim();
    if (t.equals("none")) {
      return NONE;
    }
    String[] p = t.split(":");
    try {
      if (p[0].equals("draft") && p.length == 4 && !p[1].isEmpty()) {
        return new Speculation("draft", p[1], Integer.parseInt(p[2]), Double.parseDouble(p[3]));
      }
      if (p.length == 3 && !p[0].equals("draft")) {
        return new Speculation(p[0].toLowerCase(Locale.ROOT), "", Integer.parseInt(p[1]), Double.parseDouble(p[2]));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("speculation must be none, draft:MODEL:K:ACCEPTANCE, eagle:K:ACCEPTANCE, "
        + "mtp:K:ACCEPTANCE or medusa:K:ACCEPTANCE (e.g. draft:llama-3.2-1b:4:0.7, eagle:5:0.8); got '" + text + "'");
  }

  public boolean active() {
    return !method.equals("none");
  }

  /** Expected tokens a step yields: {@code (1 − α^(k+1)) / (1 − α)}, or {@code k + 1} at α = 1. */
  public double tokensPerStep() {
    if (!active()) {
      return 1;
    }
    return acceptance == 1 ? k + 1 : (1 - Math.pow(acceptance, k + 1)) / (1 - acceptance);
  }

  /**
   * Drafted tokens accepted in one step for a uniform draw {@code u} in [0, 1): the first j with a rejection, at most
   * k. P(j) = α^j·(1 − α) for j &lt; k, P(k) = α^k.
   */
  public int accepted(double u) {
    int j = 0;
    double p = 1;
    while (j < k) {
      p *= acceptance;
      if (u >= p) {
        return j;
      }
      j++;
    }
    return k;
  }

  /** The text {@link #parse} reads. */
  public String id() {
    return switch (method) {
      case "none" -> "none";
      case "draft" -> "draft:" + draftModel + ":" + k + ":" + acceptance;
      default -> method + ":" + k + ":" + acceptance;
    };
  }
}
