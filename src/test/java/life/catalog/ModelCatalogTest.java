package life.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.spec.DType;
import life.spec.InputException;
import life.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
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

  @Test
  void configWithAByteOrderMark_isRead(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("config.json");
    Files.write(f, ("\uFEFF" + Files.readString(Path.of("src/main/resources/catalog/models/llama-3.2-1b.json")))
        .getBytes(StandardCharsets.UTF_8));
    assertEquals(ModelCatalog.builtIn().resolve("llama-3.2-1b").layers(), ModelCatalog.builtIn().resolve(f.toString())
        .layers());
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
}
