package life.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Plotly figures as plain maps and lists written as JSON, for what Tablesaw's plotly builders cannot say (hover
 * text apart from bar labels, legend groups, subplots); device colours and column units shared by every chart.
 */
final class Plot {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One colour per device, in the order of the report's sorted device list (cycled beyond twenty). */
  private static final List<String> PALETTE = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
      "#8c564b", "#e377c2", "#393b79", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
      "#c49c94", "#f7b6d2", "#637939", "#dbdb8d", "#9edae5");

  /** Units of the result columns a chart can show. */
  private static final Map<String, String> UNITS = Map.ofEntries(Map.entry("ttft_ms", "ms"),
      Map.entry("tpot_ms", "ms"), Map.entry("e2e_ms", "ms"), Map.entry("tps", "tokens/s"),
      Map.entry("throughput_tps", "tokens/s"), Map.entry("prefill_tps", "tokens/s"), Map.entry("memory_gib", "GiB"),
      Map.entry("weights_gib", "GiB"), Map.entry("kv_cache_gib", "GiB"), Map.entry("activation_gib", "GiB"),
      Map.entry("mem_gib", "GiB"), Map.entry("price_usd", "USD"), Map.entry("tdp_w", "W"),
      Map.entry("prompt_len", "tokens"), Map.entry("output_len", "tokens"), Map.entry("batch", "sequences"),
      Map.entry("qps", "requests/s"), Map.entry("slo_ttft_ms", "ms"), Map.entry("slo_tpot_ms", "ms"),
      Map.entry("max_qps_at_slo", "requests/s per replica"),
      Map.entry("load_ttft_p90_ms", "ms"), Map.entry("load_tpot_p90_ms", "ms"),
      Map.entry("usd_per_mtok", "USD per million output tokens"), Map.entry("j_per_token", "J per output token"),
      Map.entry("cost_per_mtok_usd", "USD per million output tokens"), Map.entry("tps_per_watt", "tokens/s per W"),
      Map.entry("tps_per_dollar", "tokens/s per USD"));

  private Plot() {}

  /** The colour of the {@code i}-th device. */
  static String colour(int i) {
    return PALETTE.get(i % PALETTE.size());
  }

  /** The unit of a column, or empty when it has none (or is not known). */
  static String unit(String column) {
    return UNITS.getOrDefault(column, "");
  }

  /** An axis title: the column and its unit, e.g. {@code ttft_ms (ms)}. */
  static String title(String column) {
    String u = unit(column);
    return u.isEmpty() ? column : column + " (" + u + ")";
  }

  /** A JSON object with keys in the order given: {@code map("type", "bar", "x", xs)}. */
  static Map<String, Object> map(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  /** A figure: its traces and layout. */
  static Map<String, Object> figure(List<?> data, Map<String, Object> layout) {
    return map("data", data, "layout", layout);
  }

  /** Numbers for plotly: NaN and infinities become null (a gap, not a point). */
  static List<Double> values(Collection<Double> v) {
    List<Double> out = new ArrayList<>(v.size());
    for (Double d : v) {
      out.add(d == null || !Double.isFinite(d) ? null : d);
    }
    return out;
  }

  static List<Double> values(double[] v) {
    List<Double> out = new ArrayList<>(v.length);
    for (double d : v) {
      out.add(Double.isFinite(d) ? d : null);
    }
    return out;
  }

  /**
   * An axis over {@code v}: logarithmic when every finite value is positive and they span a factor of ten or more
   * (a log axis would drop zeros and negatives), else linear.
   */
  static Map<String, Object> axis(String title, Collection<Double> v) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    boolean positive = true;
    for (Double d : v) {
      if (d != null && Double.isFinite(d)) {
        lo = Math.min(lo, d);
        hi = Math.max(hi, d);
        positive &= d > 0;
      }
    }
    boolean log = positive && lo > 0 && hi / lo >= 10;
    return map("title", map("text", title), "type", log ? "log" : "linear", "automargin", true);
  }

  /** A number for hover text: four significant digits, no exponent below 10⁶. */
  static String number(double v) {
    if (!Double.isFinite(v)) {
      return "–";
    }
    double a = Math.abs(v);
    if (a >= 1e6 || (a > 0 && a < 1e-3)) {
      return String.format(Locale.ROOT, "%.3g", v);
    }
    return BigDecimal.valueOf(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /** JSON text safe inside a {@code <script>} element. */
  static String json(Object o) {
    try {
      return JSON.writeValueAsString(o).replace("</", "<\\/");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a chart as JSON", e);
    }
  }
}
