package life.sweep;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The axes a sweep can vary, with the value each takes when the sweep file leaves it out. Request axes (prompt,
 * output, batch, chunk, and the serving axes qps and SLOs) change the request; the others change the model graph or
 * the device, and so which forecaster evaluates the point.
 */
public enum AxisName {
  MODEL("llama-2-7b", false),
  HARDWARE("nvidia-v100-sxm2", false),
  DTYPE("fp16", false),
  WEIGHTS("none", false),
  ACT_BITS("16", false),
  KV_BITS("auto", false),
  KV_KEEP("1", false),
  LORA("none", false),
  ATTENTION("native", false),
  WINDOW("model", false),
  FUSION("none", false),
  OVERLAP("operator", false),
  COUNTING("causal", false),
  STACK("auto", false),
  PARALLEL("1", false),
  /** Speculative decoding ({@code none}, {@code draft:MODEL:K:ACCEPTANCE}, {@code eagle:K:ACCEPTANCE}, …). */
  SPEC("none", false),
  PROMPT("1024", true),
  OUTPUT("128", true),
  BATCH("1", true),
  CHUNK("auto", true),
  /** Request rate per replica the serving columns are for, requests/s; 0: none (no serving columns). */
  QPS("0", true),
  /** p90 TTFT objective of {@code max_qps_at_slo}, ms; 0: none. */
  SLO_TTFT_MS("0", true),
  /** p90 TPOT objective of {@code max_qps_at_slo}, ms; 0: none. */
  SLO_TPOT_MS("0", true);

  private final String defaultValue;
  private final boolean request;

  AxisName(String defaultValue, boolean request) {
    this.defaultValue = defaultValue;
    this.request = request;
  }

  /** The key in a sweep file and the column in result tables ({@code prompt} is the {@code prompt_len} column). */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String defaultValue() {
    return defaultValue;
  }

  public boolean request() {
    return request;
  }

  public static AxisName parse(String key) {
    if (key.equals("backend")) {
      return STACK;
    }
    for (AxisName a : values()) {
      if (a.key().equals(key)) {
        return a;
      }
    }
    return null;
  }

  public static String allowed() {
    return Arrays.stream(values()).map(AxisName::key).collect(Collectors.joining(", "));
  }
}
