package life.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.spec.DType;
import life.spec.InputException;
import life.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

final class ModelCatalogTest {
  static Stream<ModelCatalog.Entry> withPublishedParams() {
    return ModelCatalog.builtIn().entries().values().stream().filter(e -> e.publishedParams().isPresent());
  }

  static Stream<String> allIds() {
    return ModelCatalog.builtIn().entries().keySet().stream();
  }

  /** Counted parameters (embedding, every linear, norms, LM head unless tied) against the model cards, within 1 %. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("withPublishedParams")
  void parameterCount_matchesPublishedSizeWithin1Percent(ModelCatalog.Entry e) {
    ModelSpec m = ModelCatalog.builtIn().resolve(e.id());
    double counted = GraphBuilder.build(m, GraphOptions.defaults(DType.FP16)).parameters();
    double published = e.publishedParams().getAsDouble();
    assertEquals(published, counted, 0.01 * published,
        () -> e.id() + ": counted " + counted + " vs published " + published);
  }

  @Test
  void atLeastFiveModels_havePublishedCounts() {
    assertTrue(withPublishedParams().count() >= 5);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allIds")
  void everyBuiltInConfig_parsesWithItsSource(String id) {
    ModelSpec m = ModelCatalog.builtIn().resolve(id);
    assertEquals(id, m.id());
    assertTrue(ModelCatalog.builtIn().entries().get(id).configSource().startsWith("https://"), "source URL of " + id);
  }

  @Test
  void llama2_7b_exactParameterCount() {
    // Digest section 9.1: 6,738,415,616 with embedding, LM head and the 65 RMSNorm vectors.
    ModelSpec m = ModelCatalog.builtIn().resolve("llama-2-7b");
    assertEquals(6_738_415_616.0, GraphBuilder.build(m, GraphOptions.defaults(DType.FP16)).parameters(), 0.5);
  }

  /** Counts out of their range (huge, negative, zero, not whole) are named with the field and the allowed range. */
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({"num_hidden_layers, 4000000000, 1 to 100000", "num_hidden_layers, 0, 1 to 100000",
      "hidden_size, -1, 1 to 1048576", "num_attention_heads, 0, 1 to 65536",
      "num_key_value_heads, 9223372036854775808, 1 to 65536", "intermediate_size, 1e400, 1 to 16777216",
      "vocab_size, 99999999999999999999, 1 to 16777216", "num_local_experts, -8, 0 to 65536",
      "max_position_embeddings, 4000000000, 0 to 1073741824", "head_dim, 2.5, 1 to 65536",
      "moe_layer_freq, 0, 1 to 100000", "sliding_window, -1, 0 to 1073741824"})
  void countOutOfRange_namesTheFieldAndTheAllowedRange(String field, String value, String range) {
    String json = "{\"model_type\": \"llama\", \"hidden_size\": 1024, \"num_hidden_layers\": 4, "
        + "\"num_attention_heads\": 8, \"intermediate_size\": 2816, \"vocab_size\": 32000, \"num_local_experts\": 4, "
        + "\"num_experts_per_tok\": 2}";
    String bad = json.contains("\"" + field + "\"")
        ? json.replaceFirst("\"" + field + "\": [^,}]+", "\"" + field + "\": " + value)
        : json.replace("}", ", \"" + field + "\": " + value + "}");
    InputException e = assertThrows(InputException.class, () -> HfConfigReader.read("m", "m.json", bad));
    assertTrue(e.getMessage().startsWith("m.json: field '" + field + "' ") && e.getMessage().endsWith("(allowed: "
        + range + ")") && e.getMessage().contains(value.startsWith("1e") ? "Infinity" : value), e.getMessage());
  }

  @Test
  void configWithAByteOrderMark_isRead(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("config.json");
    Files.write(f, ("\uFEFF" + Files.readString(Path.of("src/main/resources/catalog/models/llama-3.2-1b.json")))
        .getBytes(StandardCharsets.UTF_8));
    assertEquals(ModelCatalog.builtIn().resolve("llama-3.2-1b").layers(), ModelCatalog.builtIn().resolve(f.toString())
        .layers());
  }

  static Stream<Arguments> badJson() {
    return Stream.of(
        Arguments.of("{\"a\": [1,,2]}", "m.json line 1, column 10: not valid JSON: Unexpected character (','"),
        Arguments.of("", "m.json: the file is empty"),
        Arguments.of("[1, 2]", "m.json: expected a JSON object of config fields, got an array"),
        Arguments.of("{\"a\":\n" + "[".repeat(2000) + "]".repeat(2000) + "}", "m.json line 2, column 1001: not valid "
            + "JSON: Document nesting depth (1001) exceeds the maximum allowed (1000)"));
  }

  /** JSON the parser refuses, its limits included: one line with the file, line and column. */
  @ParameterizedTest(name = "{1}")
  @MethodSource("badJson")
  void badJson_isOneLineWithLineAndColumn(String json, String message) {
    InputException e = assertThrows(InputException.class, () -> HfConfigReader.read("m", "m.json", json));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }

  @Test
  void configThatIsADirectoryOrDevice_isNamedSo(@TempDir Path dir) {
    InputException e = assertThrows(InputException.class, () -> ModelCatalog.builtIn().resolve(dir.toString()));
    assertEquals("model config " + dir + " is a directory", e.getMessage());
    if (Files.exists(Path.of("/dev/zero"))) {
      e = assertThrows(InputException.class, () -> ModelCatalog.builtIn().resolve("/dev/zero"));
      assertEquals("model config /dev/zero is not a regular file", e.getMessage());
    }
  }

  /**
   * A model type whose layers are not built is refused in one line naming it and the supported families, never built
   * as a Llama: state-space and linear-attention hybrids say so (Jamba's, Mamba's and Qwen3-Next's config fields).
   */
  @Test
  void unsupportedModelTypes_areNamed_notBuiltAsLlama() {
    String rest = "\"hidden_size\": 4096, \"num_hidden_layers\": 32, \"num_attention_heads\": 32, "
        + "\"vocab_size\": 65536, \"intermediate_size\": 14336}";
    for (String type : List.of("jamba", "mamba2", "qwen3_next", "falcon_h1", "nemotron_h")) {
      InputException e = assertThrows(InputException.class,
          () -> HfConfigReader.read("m", "m.json", "{\"model_type\": \"" + type + "\", " + rest));
      assertTrue(e.getMessage().startsWith("m.json: model_type '" + type + "' has state-space or linear-attention"),
          e.getMessage());
      assertTrue(e.getMessage().contains("supported families: aquila, bloom,"), e.getMessage());
    }
    InputException e = assertThrows(InputException.class,
        () -> HfConfigReader.read("m", "m.json", "{\"model_type\": \"made_up\", " + rest));
    assertTrue(e.getMessage().startsWith("m.json: model_type 'made_up' is not supported (supported families: "),
        e.getMessage());
    // A config without model_type is still read as a Llama (many re-saved Llama configs omit it).
    assertEquals("llama", HfConfigReader.read("m", "m.json", "{" + rest).modelType());
  }
}
