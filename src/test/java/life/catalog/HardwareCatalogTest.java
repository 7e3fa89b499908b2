package life.catalog;

import life.spec.InputException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.univocity.parsers.common.record.Record;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import life.spec.DType;
import life.spec.HardwareSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

final class HardwareCatalogTest {
  private static final String HEADER = String.join(",", HardwareCatalog.COLUMNS);

  static Stream<HardwareSpec> devices() {
    return HardwareCatalog.builtIn().devices().values().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void everyDevice_hasBandwidth16BitPeakAndSource(HardwareSpec h) {
    assertTrue(h.memBytesPerSecond() > 0, h.id() + " mem_bw_gbps");
    assertTrue(h.peak(DType.FP16).isPresent() || h.peak(DType.BF16).isPresent(), h.id() + " 16-bit peak");
    assertTrue(h.memBytes() > 0, h.id() + " mem_gib");
    assertFalse(h.source().isBlank(), h.id() + " source");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"amd-ryzen-ai-9-hx-370-cpu", "amd-ryzen-ai-max-395-npu", "amd-ryzen-ai-max-395-igpu",
      "nvidia-v100-sxm2", "nvidia-a100-sxm4-40gb", "nvidia-a100-sxm4-80gb", "nvidia-h100-sxm5-80gb",
      "nvidia-h100-pcie-80gb", "nvidia-h200-sxm-141gb", "nvidia-l4", "nvidia-l40s", "nvidia-rtx-3090",
      "nvidia-rtx-4090", "amd-mi300x", "apple-m1-8c", "apple-m1-pro-16c", "apple-m1-max-32c", "apple-m1-ultra-64c",
      "apple-m2-10c", "apple-m2-pro-19c", "apple-m2-max-38c", "apple-m2-ultra-76c", "apple-m3-10c",
      "apple-m3-pro-18c", "apple-m3-max-40c", "apple-m3-ultra-80c", "apple-m4-10c", "apple-m4-pro-20c",
      "apple-m4-max-40c", "amd-ryzen-9-9950x", "amd-epyc-9654"})
  void requiredDevice_isBuiltIn(String id) {
    assertEquals(id, HardwareCatalog.builtIn().resolve(id).id());
  }

  /** Every device and model named in the shipped measurement files resolves. */
  @Test
  void everyMeasuredDeviceAndModel_isInTheCatalogs() throws IOException {
    Set<String> hw = new TreeSet<>();
    Set<String> models = new TreeSet<>();
    for (String f : new String[] {"life-paper.csv", "llamacpp-apple-silicon-4167.csv",
        "llm-inference-bench-argonne.csv", "tensorrt-llm-perf-v061.csv", "xiongjiedai-llama3-llamacpp.csv"}) {
      CsvParserSettings s = new CsvParserSettings();
      s.setHeaderExtractionEnabled(true);
      s.setMaxCharsPerColumn(100_000);
      try (var in = HardwareCatalogTest.class.getResourceAsStream("/measurements/" + f)) {
        for (Record r : new CsvParser(s).parseAllRecords(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          hw.add(r.getString("hardware"));
          models.add(r.getString("model"));
        }
      }
    }
    assertTrue(hw.size() > 40 && models.size() > 10);
    Set<String> missingHw = new TreeSet<>(hw);
    missingHw.removeAll(HardwareCatalog.builtIn().devices().keySet());
    assertTrue(missingHw.isEmpty(), "devices missing from the catalog: " + missingHw);
    Set<String> missingModels = new TreeSet<>(models);
    missingModels.removeAll(ModelCatalog.builtIn().entries().keySet());
    assertTrue(missingModels.isEmpty(), "models missing from the catalog: " + missingModels);
  }

  @Test
  void userRow_overridesBuiltInRowWithSameId(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("mine.csv");
    Files.writeString(f, HEADER + "\nnvidia-v100-sxm2,My V100,gpu,,100,,,,,1000,32,0.5,0.5,1,,,my lab\n"
        + "my-npu,My NPU,npu,,20,,,40,,50,16,,,,,,datasheet\n");
    HardwareCatalog c = HardwareCatalog.builtIn().with(f);
    assertEquals(1000e9, c.resolve("nvidia-v100-sxm2").memBytesPerSecond(), 0);
    assertEquals(100e12, c.resolve("nvidia-v100-sxm2").peak(DType.FP16).getAsDouble(), 0);
    assertEquals(40e12, c.resolve("my-npu").peak(DType.INT8).getAsDouble(), 0);
    assertEquals(HardwareCatalog.builtIn().devices().size() + 1, c.devices().size());
  }

  @Test
  void unknownId_listsNearMatches() {
    InputException e = assertThrows(InputException.class, () -> HardwareCatalog.builtIn().resolve("rtx-4090"));
    assertTrue(e.getMessage().contains("nvidia-rtx-4090"), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"fast", "-5", "NaN"})
  void badNumber_namesFileRowAndColumn(String bad, @TempDir Path dir) throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, HEADER + "\nok,OK,gpu,,10,,,,,100,8,,,,,,x\nx1,X,gpu,,10,,,,," + bad + ",8,,,,,,x\n");
    InputException e = assertThrows(InputException.class, () -> HardwareCatalog.readFile(f));
    assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("row 3")
        && e.getMessage().contains("mem_bw_gbps") && e.getMessage().contains(bad), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"0", "-1", "fast"})
  void badLinkBandwidth_namesFileRowAndColumn(String bad, @TempDir Path dir) throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, HEADER + ",link_gbps,link_peer_gbps\nx1,X,gpu,,10,,,,,100,8,,,,,,x,450,\n"
        + "x2,X,gpu,,10,,,,,100,8,,,,,,x,100," + bad + "\n");
    InputException e = assertThrows(InputException.class, () -> HardwareCatalog.readFile(f));
    assertTrue(e.getMessage().contains("row 3") && e.getMessage().contains("link_peer_gbps"), e.getMessage());
  }

  @Test
  void linkColumns_areOptionalAndInGigabytesPerSecond(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("links.csv");
    Files.writeString(f, HEADER + ",link_gbps,link_peer_gbps\nx1,X,gpu,,10,,,,,100,8,,,,,,x,448,64\n"
        + "x2,X,gpu,,10,,,,,100,8,,,,,,x,,\n");
    var devices = HardwareCatalog.readFile(f);
    assertEquals(64e9, devices.get("x1").linkBytesPerSecond(2), 1e-3);
    assertEquals(448e9, devices.get("x1").linkBytesPerSecond(8), 1e-3);
    assertEquals(0, devices.get("x2").linkBytesPerSecond(), 0);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @org.junit.jupiter.params.provider.CsvSource({"hbm2e, hbm", "HBM3, hbm", "gddr6x, gddr", "gddr7, gddr",
      "lpddr5x, lpddr", "ddr5, ddr", "'', ''"})
  void memoryColumn_isOptionalAndGivesTheTechnologysClass(String memory, String memoryClass, @TempDir Path dir)
      throws IOException {
    Path f = dir.resolve("mem.csv");
    Files.writeString(f, HEADER + ",memory\nx1,X,gpu,,10,,,,,100,8,,,,,,x," + memory + "\n");
    assertEquals(memoryClass, HardwareCatalog.readFile(f).get("x1").memoryClass());
    Path old = dir.resolve("old.csv");
    Files.writeString(old, HEADER + "\nx1,X,gpu,,10,,,,,100,8,,,,,,x\n");
    assertEquals("", HardwareCatalog.readFile(old).get("x1").memory());
  }

  @Test
  void unknownMemory_isNamedWithTheAllowedValues(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, HEADER + ",memory\nx1,X,gpu,,10,,,,,100,8,,,,,,x,sram\n");
    InputException e = assertThrows(InputException.class, () -> HardwareCatalog.readFile(f));
    assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("'memory' is 'sram'")
        && e.getMessage().contains("gddr6x"), e.getMessage());
  }

  @Test
  void builtInGpus_allRecordTheirMemory() {
    for (var h : HardwareCatalog.builtIn().devices().values()) {
      if (h.kind() == life.spec.DeviceKind.GPU || h.kind() == life.spec.DeviceKind.ACCELERATOR) {
        assertTrue(!h.memory().isEmpty() && h.source().contains("memory: "), h.id());
      }
    }
  }

  @Test
  void missingColumn_isNamed(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, "id,name,kind\nx,X,gpu\n");
    InputException e = assertThrows(InputException.class, () -> HardwareCatalog.readFile(f));
    assertTrue(e.getMessage().contains("missing column 'fp32_tflops'"), e.getMessage());
  }

  @Test
  void unknownKind_listsAllowedKinds(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, HEADER + "\nx,X,tpu,,10,,,,,100,8,,,,,,x\n");
    InputException e = assertThrows(InputException.class, () -> HardwareCatalog.readFile(f));
    assertTrue(e.getMessage().contains("tpu") && e.getMessage().contains("cpu, gpu, npu, igpu, soc"), e.getMessage());
  }

  /** CSV that the reader cannot take as a table: one line naming the file, the row and what is wrong. */
  static Stream<Arguments> badTables() {
    String row = "\nx1,X,gpu,,10,,,,,100,8,,,,,,x";
    return Stream.of(
        Arguments.of("", ": the file is empty (expected a header row naming the columns)"),
        Arguments.of(HEADER.replace(",name,", ",,") + row, " row 1: column 2 of the header has no name"),
        Arguments.of(HEADER + ", " + row, " row 1: column 18 of the header has no name"),
        Arguments.of(HEADER.replace(",name,", ",id,") + row, " row 1: column 'id' appears twice in the header"),
        Arguments.of(HEADER + row + row.replace(",X,", "," + "x".repeat(100_001) + ","),
            " row 3, column 2: a cell is longer than 100,000 characters"),
        Arguments.of(HEADER + row + row + ",".repeat(600), " row 3: the row has more than 512 columns"),
        Arguments.of(HEADER + row.replace(",gpu,", ",\"g\u0001p\nu\","),
            " row 2 (x1): column 'kind': unknown kind 'g\\u0001p\\nu' (allowed: cpu"),
        Arguments.of(HEADER + row.replace("x1,X,gpu,", "x\ty,X,tpu,"),
            " row 2 (x\\ty): column 'kind': unknown kind 'tpu'"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badTables")
  void badTable_isOneLineErrorNamingFileAndRow(String csv, String message, @TempDir Path dir) throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, csv);
    InputException e = assertThrows(InputException.class, () -> HardwareCatalog.readFile(f));
    assertTrue(e.getMessage().startsWith(f + message), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }

  @Test
  void byteOrderMark_isSkipped(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("bom.csv");
    Files.write(f, ("\uFEFF" + HEADER + "\nx1,X,gpu,,10,,,,,100,8,,,,,,x\n").getBytes(StandardCharsets.UTF_8));
    assertEquals(Set.of("x1"), HardwareCatalog.readFile(f).keySet());
  }

  @Test
  void directoryOrDevice_isNamedSo(@TempDir Path dir) {
    InputException e = assertThrows(InputException.class, () -> HardwareCatalog.readFile(dir));
    assertEquals("hardware file " + dir + " is a directory", e.getMessage());
    e = assertThrows(InputException.class, () -> HardwareCatalog.readFile(dir.resolve("none.csv")));
    assertEquals("hardware file " + dir.resolve("none.csv") + " does not exist", e.getMessage());
    if (Files.exists(Path.of("/dev/zero"))) {
      e = assertThrows(InputException.class, () -> HardwareCatalog.readFile(Path.of("/dev/zero")));
      assertEquals("hardware file /dev/zero is not a regular file", e.getMessage());
    }
  }
}
