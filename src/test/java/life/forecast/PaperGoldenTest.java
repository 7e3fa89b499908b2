package life.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.univocity.parsers.common.record.Record;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import life.catalog.HardwareCatalog;
import life.catalog.ModelCatalog;
import life.ops.Counting;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.ops.ModelGraph;
import life.spec.DType;
import life.spec.HardwareSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reconstruction checks of the paper's figures (docs/method.md, golden tests) as golden tests: each row of
 * {@code reference/life-paper-golden.csv} gives the paper's value, its source and a tolerance with the reason for
 * its width.
 */
final class PaperGoldenTest {
  static Stream<Record> rows() {
    CsvParserSettings s = new CsvParserSettings();
    s.setHeaderExtractionEnabled(true);
    List<Record> rows = new CsvParser(s).parseAllRecords(new InputStreamReader(
        PaperGoldenTest.class.getResourceAsStream("/reference/life-paper-golden.csv"), StandardCharsets.UTF_8));
    return rows.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void reproducesPaperValue(Record r) {
    ModelGraph g = GraphBuilder.build(ModelCatalog.builtIn().resolve(r.getString("model")),
        GraphOptions.defaults(DType.parse(r.getString("dtype"))).withCounting(Counting.parse(r.getString("counting"))));
    HardwareSpec h = HardwareCatalog.builtIn().resolve(r.getString("hardware"));
    life.stack.Efficiencies e = life.stack.Efficiencies.of(r.getDouble("compute_eff"), r.getDouble("mem_eff"),
        r.getDouble("dispatch_us") * 1e-6, "paper");
    Forecaster f = new Forecaster(g, h, e, Overlap.parse(r.getString("overlap")));
    long prompt = r.getLong("prompt");
    double actual = switch (r.getString("metric")) {
      case "prefill_tops" -> f.stepCost(0, prompt, 1).ops() / 1e12;
      case "kv_bytes_per_token" -> g.kvCacheBytes(1);
      case "kv_gib" -> g.kvCacheBytes(prompt) / HardwareSpec.GIB;
      case "decode_gops" -> f.stepCost(prompt, 1, 1).ops() / 1e9;
      case "decode_tps" -> f.forecast(new Request(prompt, 1, 1)).tps();
      case "ttft_s" -> f.forecast(new Request(prompt, 1, 1)).ttftMs() / 1e3;
      case "dispatches" -> f.stepCost(prompt, 1, 1).dispatches();
      default -> throw new IllegalArgumentException("unknown metric " + r.getString("metric"));
    };
    double expected = r.getDouble("expected");
    assertEquals(expected, actual, r.getDouble("rel_tol") * expected,
        r.getString("check") + " (" + r.getString("source") + "): " + r.getString("why_tol"));
  }
}
