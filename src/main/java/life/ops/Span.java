package life.ops;

/**
 * Which keys a query attends to: a sliding {@code window} (0 = unbounded), causal or full (the paper's counting)
 * scores, and the fraction {@code keep} of past tokens the KV cache keeps (token eviction; 1 = all).
 */
public record Span(int window, boolean causal, double keep) {
  public Span {
    if (window < 0) {
      throw new IllegalArgumentException("window must be non-negative, got " + window);
    }
    if (!(keep > 0 && keep <= 1)) {
      throw new IllegalArgumentException("keep ratio must be in (0, 1], got " + keep);
    }
  }

  /**
   * Attention-score elements per head of one sequence for a call with {@code past} cached and {@code present} new
   * tokens. Causal: query i sees min(keep·p + i + 1, W) keys; full: every query sees min(keep·p + n, W).
   */
  public double scores(long past, long present) {
    double p = keep * past;
    if (!causal) {
      return present * (window > 0 ? Math.min(p + present, window) : p + present);
    }
    if (window <= 0) {
      return present * p + (double) present * (present + 1) / 2.0;
    }
    double c = Math.max(0, Math.min(present, Math.floor(window - p)));
    return c * p + c * (c + 1) / 2.0 + (present - c) * window;
  }

  /** Distinct cached tokens read by a call: the union of the queries' windows over the kept past. */
  public double keys(long past, long present) {
    double total = keep * past + present;
    return window > 0 ? Math.min(total, (double) window + present - 1) : total;
  }
}
