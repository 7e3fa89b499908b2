package life.sweep;

import life.spec.InputException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import life.spec.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

final class SweepFileTest {
  /** Bad sweep files: content, the line the error names, and fragments of the message. */
  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("name: x\naxes:\n  model: [llama-2-7b]\nhardwar: [a]\n", 4, "'hardwar'", "unknown key"),
        Arguments.of("axes:\n  model: [llama-2-7b]\n  promt: [1]\n", 3, "'promt'", "unknown axis"),
        Arguments.of("axes:\n  model: []\n", 2, "'model'", "empty"),
        Arguments.of("axes:\n  model: [llama2-7b]\n", 2, "'model'", "near matches: llama-2-7b"),
        Arguments.of("axes:\n  hardware: [nvidia-h100]\n", 2, "'hardware'", "nvidia-h100-sxm5-80gb"),
        Arguments.of("axes:\n  hardware: {kind: tpu}\n", 2, "'hardware'", "cpu, gpu, npu, igpu, soc"),
        Arguments.of("axes:\n  prompt: [128, abc]\n", 2, "'prompt'", "expected an integer, got 'abc'"),
        Arguments.of("axes:\n  prompt: [0]\n", 2, "'prompt'", "at least 1"),
        Arguments.of("axes:\n  batch: {from: 1, to: 64}\n", 2, "'batch'", "step or factor"),
        Arguments.of("axes:\n  batch: {from: 64, to: 1, step: 1}\n", 2, "'batch'", "below 'from'"),
        Arguments.of("axes:\n  prompt: [128, 128]\n", 2, "'prompt'", "repeats"),
        Arguments.of("axes:\n  model: {id: llama-2-7b}\n", 2, "'model'", "expected a value or a list"),
        Arguments.of("axes:\n  weights: [int7]\n", 2, "'weights'", "[16, 8, 6, 5, 4, 3, 2]"),
        Arguments.of("axes:\n  lora: [sometimes:16]\n", 2, "'lora'", "merged, inline, unmerged"),
        Arguments.of("axes:\n  kv_keep: [1.5]\n", 2, "'kv_keep'", "(0, 1]"),
        Arguments.of("axes:\n  fusion: [flashy]\n", 2, "'fusion'", "qkv, gate_up, norm, flash, elementwise, allreduce"),
        Arguments.of("axes:\n  parallel: [1, pp:2]\n", 2, "'parallel'", "allowed: 1, tp:N, layer:N"),
        Arguments.of("intervals: maybe\naxes:\n  model: [llama-2-7b]\n", 1, "'intervals'", "true or false"),
        Arguments.of("axes:\n  model: [llama-2-7b]\nwhere:\n  - promt < 5\n", 4, "'where'", "unknown name 'promt'"),
        Arguments.of("axes:\n  model: [llama-2-7b]\nobjectives: [tpot_ms]\n", 3, "'objectives'", "column:min"),
        Arguments.of("axes:\n  model: [llama-2-7b\n", 3, "", "not valid YAML"),
        Arguments.of("axes:\n  prompt: [128, 2000000000000]\n", 2, "'prompt'", "at most " + Limits.MAX_TOKENS),
        Arguments.of("axes:\n  batch: [3000000000]\n", 2, "'batch'", "at most " + Limits.MAX_BATCH),
        Arguments.of("axes:\n  prompt: [99999999999999999999]\n", 2, "'prompt'", "at most"),
        Arguments.of("axes:\n  prompt: {from: 1, to: 16000000, step: 1}\n", 2, "'prompt'",
            "more than 10,000,000 values"),
        Arguments.of("axes:\n  weights: [\"in\\u0007t\\n4\"]\n", 2, "'weights'", "'in\\u0007t\\n4'"),
        Arguments.of("hardware_files: [.]\naxes:\n  model: [llama-2-7b]\n", 1, "'hardware_files'",
            "is a directory"));
  }

  @ParameterizedTest(name = "{2} {3}")
  @MethodSource("badFiles")
  void badSweepFile_givesOneLineErrorWithFileLineAndKey(String yaml, int line, String key, String fragment,
      @TempDir Path dir) throws IOException {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, yaml);
    InputException e = assertThrows(InputException.class, () -> SweepFile.read(f));
    String m = e.getMessage();
    assertTrue(m.startsWith(f.toString() + " line " + line), m);
    assertTrue(m.contains(key) && m.contains(fragment), m);
    assertEquals(1, m.lines().count(), m);
  }

  /** Axis values above their {@link Limits}: content, the line the error names, the field and the range it gives. */
  static Stream<Arguments> valuesAboveTheLimits() {
    long t = Limits.MAX_TOKENS;
    return Stream.of(
        Arguments.of("axes:\n  prompt: [128, " + (t + 1) + "]\n", 2, "'prompt'", "1 to " + t),
        Arguments.of("axes:\n  prompt: [" + Long.MAX_VALUE + "]\n", 2, "'prompt'", "1 to " + t),
        Arguments.of("axes:\n  prompt: [99999999999999999999]\n", 2, "'prompt'", "1 to " + t),
        Arguments.of("name: x\naxes:\n  output: {from: 1, to: " + (t + 1) + ", factor: 2}\n", 3, "'output'",
            "1 to " + t),
        Arguments.of("axes:\n  model: [llama-2-7b]\n  batch: [1, " + (Limits.MAX_BATCH + 1) + "]\n", 3, "'batch'",
            "1 to " + Limits.MAX_BATCH),
        Arguments.of("axes:\n  batch: [4294967297]\n", 2, "'batch'", "1 to " + Limits.MAX_BATCH),
        Arguments.of("axes:\n  chunk: [auto, " + (t + 1) + "]\n", 2, "'chunk'", "0 to " + t),
        Arguments.of("axes:\n  window: [" + (t + 1) + "]\n", 2, "'window'", "at most " + t),
        Arguments.of("axes:\n  lora: ['unmerged:" + (Limits.MAX_LORA_RANK + 1) + "']\n", 2, "'lora'",
            "at most " + Limits.MAX_LORA_RANK),
        Arguments.of("axes:\n  parallel: [1, 'tp:" + (Limits.MAX_DEVICES + 1) + "']\n", 2, "'parallel'",
            "1 to " + Limits.MAX_DEVICES));
  }

  @ParameterizedTest(name = "{2} {3}")
  @MethodSource("valuesAboveTheLimits")
  void axisValueAboveItsLimit_isRefusedNamingFileLineAndField(String yaml, int line, String key, String range,
      @TempDir Path dir) throws IOException {
    badSweepFile_givesOneLineErrorWithFileLineAndKey(yaml, line, key, range, dir);
  }

  @Test
  void axisValuesAtTheirLimits_areAccepted(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("limits.yaml");
    Files.writeString(f, "axes:\n  prompt: [" + Limits.MAX_TOKENS + "]\n  output: {from: 1, to: " + Limits.MAX_TOKENS
        + ", factor: 4096}\n  batch: [" + Limits.MAX_BATCH + "]\n  chunk: [0, " + Limits.MAX_TOKENS + "]\n");
    SweepSpec s = SweepFile.read(f);
    assertEquals(java.util.List.of(Long.toString(Limits.MAX_TOKENS)), axis(s, AxisName.PROMPT));
    assertEquals(java.util.List.of("1", "4096", Long.toString(Limits.MAX_TOKENS)), axis(s, AxisName.OUTPUT));
    assertEquals(java.util.List.of(Integer.toString(Limits.MAX_BATCH)), axis(s, AxisName.BATCH));
  }

  /** The name is the result folder's: letters, digits, '.', '_' and '-' only, and neither '.' nor '..'. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"..", ".", "a/b", "../up", "a\\b", "''", "\"a\\u0001b\"", "\"a\\nb\"", "x y"})
  void sweepName_mustBeAFolderName(String name, @TempDir Path dir) throws IOException {
    Path f = dir.resolve("named.yaml");
    Files.writeString(f, "name: " + name + "\naxes:\n  model: [llama-2-7b]\n");
    InputException e = assertThrows(InputException.class, () -> SweepFile.read(f));
    String m = e.getMessage();
    assertTrue(m.startsWith(f + " line 1, key 'name': the name '") && m.contains("may only use letters, digits"),
        m);
    assertEquals(1, m.lines().count(), m);
    assertTrue(m.chars().noneMatch(Character::isISOControl), m);
  }

  @Test
  void sweepNameFromTheFileName_isCheckedToo(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("my sweep.yaml");
    Files.writeString(f, "axes:\n  model: [llama-2-7b]\n");
    InputException e = assertThrows(InputException.class, () -> SweepFile.read(f));
    assertTrue(e.getMessage().contains("'my sweep', taken from the file name,") && e.getMessage().contains(
        "set key 'name'"), e.getMessage());
    Files.writeString(f, "name: my-sweep\naxes:\n  model: [llama-2-7b]\n");
    assertEquals("my-sweep", SweepFile.read(f).name());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"a.b", "quickstart", "x_1-2", "..a"})
  void sweepName_ofFolderCharacters_isKept(String name, @TempDir Path dir) throws IOException {
    Path f = dir.resolve("named.yaml");
    Files.writeString(f, "name: " + name + "\naxes:\n  model: [llama-2-7b]\n");
    assertEquals(name, SweepFile.read(f).name());
  }

  @Test
  void byteOrderMark_isSkipped(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("bom.yaml");
    Files.write(f, "\uFEFFname: bom\naxes:\n  model: [llama-2-7b]\n".getBytes(StandardCharsets.UTF_8));
    assertEquals("bom", SweepFile.read(f).name());
  }

  @Test
  void emptyFileOrNotUtf8_isOneLineError(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("empty.yaml");
    Files.writeString(f, "");
    InputException e = assertThrows(InputException.class, () -> SweepFile.read(f));
    assertEquals(f + ": the file is empty (expected a mapping with keys axes, description, hardware_files, "
        + "intervals, name, objectives, where)", e.getMessage());
    Files.write(f, new byte[] {'n', 'a', 'm', 'e', ':', ' ', (byte) 0xff, '\n'});
    e = assertThrows(InputException.class, () -> SweepFile.read(f));
    assertTrue(e.getMessage().startsWith(f + " line 1: not UTF-8 text (byte 0xff at offset 6)"), e.getMessage());
  }

  /** Nesting beyond the YAML reader's limit: one line naming the file (the reader gives no position for it). */
  @Test
  void nestingTooDeep_isOneLineError(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("deep.yaml");
    Files.writeString(f, "axes:\n  model: " + "[".repeat(100) + "]".repeat(100) + "\n");
    InputException e = assertThrows(InputException.class, () -> SweepFile.read(f));
    assertEquals(f + ": not valid YAML: Nesting Depth exceeded max 50", e.getMessage());
  }

  @Test
  void missingAxes_isNamed(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("noaxes.yaml");
    Files.writeString(f, "name: x\n");
    InputException e = assertThrows(InputException.class, () -> SweepFile.read(f));
    assertTrue(e.getMessage().contains("missing key 'axes'"), e.getMessage());
  }

  @Test
  void rangesAndSelectors_expand(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("r.yaml");
    Files.writeString(f, "axes:\n  prompt: {from: 128, to: 1024, factor: 2}\n  batch: {from: 1, to: 7, step: 3}\n"
        + "  hardware: {kind: [npu]}\n");
    SweepSpec s = SweepFile.read(f);
    assertEquals(java.util.List.of("128", "256", "512", "1024"), axis(s, AxisName.PROMPT));
    assertEquals(java.util.List.of("1", "4", "7"), axis(s, AxisName.BATCH));
    assertTrue(axis(s, AxisName.HARDWARE).contains("amd-ryzen-ai-max-395-npu"));
    assertTrue(axis(s, AxisName.HARDWARE).stream().noneMatch(h -> h.startsWith("nvidia")));
  }

  @Test
  void parallelAxis_isNormalized(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("p.yaml");
    Files.writeString(f, "axes:\n  parallel: [none, TP:2, 'layer:4']\n");
    assertEquals(java.util.List.of("1", "tp:2", "layer:4"), axis(SweepFile.read(f), AxisName.PARALLEL));
  }

  private static java.util.List<String> axis(SweepSpec s, AxisName a) {
    return s.axes().get(s.axisIndex().get(a)).values();
  }

  /** The sweeps shipped in sweeps/ parse, and the overnight one has at least 10⁷ points. */
  @Test
  void shippedSweeps_parse() throws IOException {
    long largest = 0;
    try (var files = Files.list(Path.of("sweeps"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        largest = Math.max(largest, SweepFile.read(f).points());
      }
    }
    assertTrue(largest >= 10_000_000, "largest sweep has " + largest + " points");
    for (String name : new String[] {"quickstart", "local-agents", "datacenter", "optimizations", "overnight"}) {
      assertTrue(Files.isRegularFile(Path.of("sweeps", name + ".yaml")), name);
    }
    long quick = SweepFile.read(Path.of("sweeps/quickstart.yaml")).points();
    assertTrue(quick >= 1000 && quick <= 20_000, "quickstart has " + quick + " points");
  }
}
