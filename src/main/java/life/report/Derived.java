package life.report;

import java.util.List;

/**
 * Metrics derived from a result row for hardware selection.
 *
 * <ul>
 *   <li>{@code cost_per_mtok_usd}: dollars per million output tokens at full load, {@code (price_usd /
 *       (amortize_years · 8760 h) + tdp_w / 1000 · usd_per_kwh) / (throughput_tps · 3600) · 10⁶} — the device's list
 *       price spread over its service life plus its energy at TDP;
 *   <li>{@code tps_per_watt}: {@code throughput_tps / tdp_w};
 *   <li>{@code tps_per_dollar}: {@code throughput_tps / price_usd}.
 * </ul>
 * Rows without a price or TDP get no value (NaN, an empty cell), which ranks last as an objective.
 */
public record Derived(double amortizeYears, double usdPerKwh) {
  public static final List<String> NAMES = List.of("cost_per_mtok_usd", "tps_per_watt", "tps_per_dollar");

  public Derived {
    if (!(amortizeYears > 0)) {
      throw new IllegalArgumentException("--amortize-years must be positive, got " + amortizeYears);
    }
    if (!(usdPerKwh >= 0)) {
      throw new IllegalArgumentException("--usd-per-kwh must be non-negative, got " + usdPerKwh);
    }
  }

  /** The derived metric {@code name} from a row's throughput, price and TDP. */
  public double value(String name, double throughputTps, double priceUsd, double tdpW) {
    return switch (name) {
      case "cost_per_mtok_usd" -> (priceUsd / (amortizeYears * 8760) + tdpW / 1000 * usdPerKwh)
          / (throughputTps * 3600) * 1e6;
      case "tps_per_watt" -> throughputTps / tdpW;
      case "tps_per_dollar" -> throughputTps / priceUsd;
      default -> throw new IllegalArgumentException("unknown derived metric " + name);
    };
  }
}
