package life.ops;

/** Shape arithmetic shared by the attention operators. */
final class Attn {
  private Attn() {}

  /**
   * Attention-score elements per head of one sequence for a call with {@code past} cached and {@code present} new
   * tokens. Causal: query i sees min(p + i + 1, W) keys; full (the paper's counting): every query sees min(p + n, W).
   * W is the sliding window, unbounded when {@code window == 0}.
   */
  static double scoreElements(long past, long present, int window, boolean causal) {
    long w = window > 0 ? window : Long.MAX_VALUE;
    if (!causal) {
      return (double) present * Math.min(past + present, w);
    }
    long c = Math.max(0, Math.min(present, w - past));
    return (double) c * past + (double) c * (c + 1) / 2.0 + (double) (present - c) * w;
  }

  /** Distinct cached tokens read by a call: the union of the queries' windows. */
  static double keyTokens(long past, long present, int window) {
    long total = past + present;
    return window > 0 ? Math.min(total, (long) window + present - 1) : total;
  }
}
