package life.sweep;

import java.util.List;

/**
 * Names a {@code where} constraint can use: request axes, model and device properties (known before forecasting)
 * and forecast metrics (known after). Booleans are 1 or 0.
 */
public final class Vars {
  private Vars() {}

  /** Known before the forecast (kv_bits … tdp_w are consecutive: one forecaster's values, copied as a block). */
  public static final List<String> BEFORE = List.of("prompt", "output", "batch", "chunk", "context", "kv_keep",
      "kv_bits", "max_context", "params_b", "mem_gib", "mem_bw_gbps", "price_usd", "tdp_w", "qps", "slo_ttft_ms",
      "slo_tpot_ms");

  /** Known after the forecast (the metric columns). */
  public static final List<String> AFTER = List.of("ttft_ms", "tpot_ms", "tps", "throughput_tps", "e2e_ms",
      "memory_gib", "weights_gib", "kv_cache_gib", "activation_gib", "fits", "prefill_gops", "prefill_gb",
      "decode_gops_per_step", "decode_gb_per_step", "dispatches_per_step", "max_qps_at_slo", "replicas",
      "load_ttft_p90_ms", "load_tpot_p90_ms", "usd_per_mtok", "j_per_token", "exceeds_context");

  public static final int COUNT = BEFORE.size() + AFTER.size();

  /** Slot of {@code name} in a variables array, or -1. */
  public static int index(String name) {
    int i = BEFORE.indexOf(name);
    if (i >= 0) {
      return i;
    }
    int j = AFTER.indexOf(name);
    return j >= 0 ? BEFORE.size() + j : -1;
  }

  public static boolean after(int index) {
    return index >= BEFORE.size();
  }

  public static String allowed() {
    return String.join(", ", BEFORE) + ", " + String.join(", ", AFTER);
  }
}
