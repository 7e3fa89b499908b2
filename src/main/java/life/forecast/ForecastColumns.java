package life.forecast;

import java.util.List;
import java.util.function.Function;
import life.table.ColumnType;

/**
 * The one column schema of a forecast: names (with units) and accessors, shared by the JSON, CSV and table outputs of
 * {@code life forecast} and, later, by sweep result tables, so names never drift apart.
 */
public final class ForecastColumns {
  private ForecastColumns() {}

  /** A named output column and its storage type. */
  public record Column(String name, ColumnType type, Function<Forecast, Object> get) {
    Column(String name, Function<Forecast, Object> get) {
      this(name, typeOf(name), get);
    }

    private static ColumnType typeOf(String name) {
      return switch (name) {
        case "model", "hardware", "prefill_bound", "decode_bound", "stack", "efficiencies" -> ColumnType.STRING;
        case "prompt_len", "output_len", "batch", "context_len" -> ColumnType.LONG;
        case "fits", "exceeds_context" -> ColumnType.BOOLEAN;
        default -> ColumnType.DOUBLE;
      };
    }
  }

  public static final List<Column> ALL = List.of(
      new Column("model", Forecast::model),
      new Column("hardware", Forecast::hardware),
      new Column("prompt_len", Forecast::promptLen),
      new Column("output_len", Forecast::outputLen),
      new Column("batch", Forecast::batch),
      new Column("context_len", Forecast::contextLen),
      new Column("ttft_ms", Forecast::ttftMs),
      new Column("tpot_ms", Forecast::tpotMs),
      new Column("tps", Forecast::tps),
      new Column("throughput_tps", Forecast::throughputTps),
      new Column("e2e_ms", Forecast::e2eMs),
      new Column("prefill_tps", Forecast::prefillTps),
      new Column("memory_gib", Forecast::memoryGib),
      new Column("weights_gib", Forecast::weightsGib),
      new Column("kv_cache_gib", Forecast::kvCacheGib),
      new Column("activation_gib", Forecast::activationGib),
      new Column("fits", Forecast::fits),
      new Column("exceeds_context", Forecast::exceedsContext),
      new Column("prefill_bound", f -> f.prefillBound().id()),
      new Column("decode_bound", f -> f.decodeBound().id()),
      new Column("prefill_gops", Forecast::prefillGops),
      new Column("prefill_gb", Forecast::prefillGb),
      new Column("decode_gops_per_step", Forecast::decodeGopsPerStep),
      new Column("decode_gb_per_step", Forecast::decodeGbPerStep),
      new Column("dispatches_per_step", Forecast::dispatchesPerStep),
      new Column("stack", Forecast::stack),
      new Column("compute_eff", Forecast::computeEff),
      new Column("mem_eff", Forecast::memEff),
      new Column("dispatch_us", Forecast::dispatchUs),
      new Column("efficiencies", Forecast::efficiencies));
}
