package life.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.univocity.parsers.common.record.Record;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import life.catalog.HardwareCatalog;
import life.catalog.ModelCatalog;
import life.ops.Counting;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.ops.Lora;
import life.ops.ModelGraph;
import life.ops.OpCost;
import life.ops.Operator;
import life.ops.WeightFormat;
import life.spec.DType;
import life.spec.HardwareSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The paper's optimization figures (Tables 5, 7, 9 and 12, docs/method.md) as golden tests, under the
 * paper's counting and bf16; {@code reference/life-paper-optimizations.csv} gives each value, its source and why its
 * tolerance is that wide.
 */
final class OptimizationGoldenTest {
  static Stream<Record> rows() {
    CsvParserSettings s = new CsvParserSettings();
    s.setHeaderExtractionEnabled(true);
    return new CsvParser(s).parseAllRecords(new InputStreamReader(
        OptimizationGoldenTest.class.getResourceAsStream("/reference/life-paper-optimizations.csv"),
        StandardCharsets.UTF_8)).stream();
  }

  private static Forecaster forecaster(Record r, int weightBits) {
    GraphOptions o = GraphOptions.defaults(DType.BF16).withCounting(Counting.PAPER)
        .withWeights(WeightFormat.bits(weightBits, 128))
        .withKv(r.getInt("kv_bits"), 1.0);
    int rank = r.getInt("lora_rank");
    if (rank > 0) {
      o = o.withLora(Lora.of(rank, Lora.Mode.parse(r.getString("lora_mode")), "all"));
    }
    ModelGraph g = GraphBuilder.build(ModelCatalog.builtIn().resolve(r.getString("model")), o);
    return new Forecaster(g, HardwareCatalog.builtIn().resolve("amd-ryzen-ai-9-hx-370-cpu"), life.stack.Efficiencies.of((HardwareCatalog.builtIn().resolve("amd-ryzen-ai-9-hx-370-cpu")).kind()), Overlap.PHASE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void reproducesPaperValue(Record r) {
    Forecaster f = forecaster(r, r.getInt("weight_bits"));
    long prompt = r.getLong("prompt");
    double actual = switch (r.getString("metric")) {
      case "lora_merge_gops" -> {
        Operator merge = f.graph().head().stream().filter(o -> o.name().equals("lora_merge")).findFirst()
            .orElseThrow();
        yield merge.cost(0, prompt, 1).ops() / 1e9;
      }
      case "decode_gops" -> f.stepCost(prompt, 1, 1).ops() / 1e9;
      case "decode_gib" -> f.stepCost(prompt, 1, 1).bytes() / HardwareSpec.GIB;
      case "prefill_read_saving_gb" -> {
        OpCost base = forecaster(r, 16).stepCost(0, prompt, 1);
        yield (base.bytesRead() - f.stepCost(0, prompt, 1).bytesRead()) / 1e9;
      }
      default -> throw new IllegalArgumentException("unknown metric " + r.getString("metric"));
    };
    double expected = r.getDouble("expected");
    assertEquals(expected, actual, r.getDouble("rel_tol") * expected,
        r.getString("check") + " (" + r.getString("source") + "): " + r.getString("why_tol"));
  }
}
