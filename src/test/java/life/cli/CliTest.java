package life.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import life.spec.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The command line as a user meets it: exit codes, outputs and one-line errors. */
final class CliTest {
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** A forecast of Llama-2-7B on a V100 with no stack (the raw roofline) unless {@code extra} names one. */
  static String[] forecast(String... extra) {
    List<String> a = new ArrayList<>(List.of("forecast", "--model", "llama-2-7b", "--hardware", "nvidia-v100-sxm2"));
    if (!List.of(extra).contains("--backend") && !List.of(extra).contains("--stack")) {
      a.addAll(List.of("--stack", "none"));
    }
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  /** A one-line message, no stack trace, non-zero exit. */
  static void assertOneLineError(Run r, String... fragments) {
    assertTrue(r.code() != 0, "exit code");
    String first = r.err().lines().findFirst().orElse("");
    assertTrue(first.startsWith("life: error: "), r.err());
    for (String f : fragments) {
      assertTrue(first.contains(f), "'" + f + "' not in: " + first);
    }
    assertFalse(r.err().contains("\tat "), "stack trace: " + r.err());
  }

  @Test
  void help_listsEveryCommand() {
    Run r = run("--help");
    assertEquals(0, r.code());
    for (String c : List.of("forecast", "catalog", "bench")) {
      assertTrue(r.out().contains(c), r.out());
    }
  }

  @Test
  void forecastJson_hasMetricsAtTopLevel() throws IOException {
    Run r = run(forecast("--prompt", "512", "--output", "64", "--format", "json"));
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    for (String k : List.of("ttft_ms", "tpot_ms", "tps", "throughput_tps", "e2e_ms", "memory_gib", "fits",
        "prefill_bound", "decode_bound")) {
      assertTrue(j.has(k), k);
    }
    assertEquals(1000 / j.get("tpot_ms").asDouble(), j.get("tps").asDouble(), 1e-9);
    assertEquals(64 / (j.get("e2e_ms").asDouble() / 1000), j.get("throughput_tps").asDouble(), 1e-9);
    assertEquals("memory", j.get("decode_bound").asText());
    assertTrue(j.get("fits").asBoolean());
  }

  @Test
  void forecastCsv_headerMatchesJsonKeys() throws IOException {
    Run csv = run(forecast("--format", "csv"));
    Run json = run(forecast("--format", "json"));
    List<String> keys = new ArrayList<>();
    new ObjectMapper().readTree(json.out()).fieldNames().forEachRemaining(keys::add);
    assertEquals(String.join(",", keys), csv.out().lines().findFirst().orElseThrow());
    assertEquals(2, csv.out().lines().count());
  }

  /** Also with a backend's host costs (per sequence, per step, per sequence and cached token) as rows of their own. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"none", "vllm/cuda"})
  void breakdown_rowsSumToPhaseTime(String backend) throws IOException {
    Run r = run(forecast("--breakdown", "--format", "json", "--prompt", "300", "--output", "40", "--batch", "8",
        "--backend", backend));
    JsonNode j = new ObjectMapper().readTree(r.out());
    life.stack.StackDefaults.Backend fitted = life.stack.StackDefaults.get("vllm/cuda", life.spec.DeviceKind.GPU);
    long hostCosts = java.util.stream.DoubleStream.of(fitted.sequenceUs(), fitted.stepUs(), fitted.contextNs())
        .filter(v -> v > 0).count();
    assertTrue(backend.equals("none") || hostCosts >= 2, fitted.toString());
    assertEquals(backend.equals("none") ? 0 : hostCosts, java.util.stream.StreamSupport.stream(j.get("breakdown")
        .spliterator(), false).filter(x -> x.get("phase").asText().equals("decode")
        && x.get("op_class").asText().equals("host")).count(), j.get("breakdown").toString());
    double prefill = 0;
    double decode = 0;
    for (JsonNode row : j.get("breakdown")) {
      if (row.get("phase").asText().equals("prefill")) {
        prefill += row.get("time_ms").asDouble();
      } else {
        decode += row.get("time_ms").asDouble();
      }
    }
    assertEquals(j.get("ttft_ms").asDouble(), prefill, 1e-9 * prefill);
    assertEquals(j.get("tpot_ms").asDouble(), decode, 1e-9 * decode);
  }

  /**
   * A profile's grouped-query cost is a decode row of its own ({@code grouped_query_per_context_token}) for a
   * grouped-query model, and the rows still sum to TTFT and TPOT.
   */
  @Test
  void breakdown_listsTheGroupedQueryCostOfAProfile(@TempDir Path dir) throws IOException {
    Path profile = dir.resolve("mi300x.csv");
    life.catalog.HardwareCatalog.write(List.of(new life.catalog.HardwareCatalog.Entry(life.catalog.HardwareCatalog
        .builtIn().resolve("amd-mi300x"), new life.stack.Efficiencies.Overrides(null, null, null, null, null, null, null,
        null, 3e-9, false, "test"))), profile);
    JsonNode j = new ObjectMapper().readTree(run("forecast", "--model", "llama-3-8b", "--hardware", "amd-mi300x",
        "--hardware-file", profile.toString(), "--prompt", "2048", "--output", "64", "--batch", "4", "--breakdown",
        "--format", "json").out());
    double prefill = 0;
    double decode = 0;
    double gqa = 0;
    for (JsonNode row : j.get("breakdown")) {
      double t = row.get("time_ms").asDouble();
      if (row.get("phase").asText().equals("prefill")) {
        prefill += t;
      } else {
        decode += t;
        gqa += row.get("op").asText().equals("grouped_query_per_context_token") ? t : 0;
      }
    }
    // 4 sequences × 2,080 cached tokens (the mean of 2,049 … 2,111 over the 63 decode steps) × 1,024 grouped query
    // heads (32 layers of 32) × 3 ns.
    assertEquals(4 * 2080 * 1024 * 3e-9 * 1e3, gqa, 1e-9);
    assertEquals(j.get("ttft_ms").asDouble(), prefill, 1e-9 * prefill);
    assertEquals(j.get("tpot_ms").asDouble(), decode, 1e-9 * decode);
  }

  @Test
  void effOverrides_changeTheForecast() throws IOException {
    ObjectMapper m = new ObjectMapper();
    double base = m.readTree(run(forecast("--format", "json", "--dispatch-us", "0")).out()).get("tpot_ms").asDouble();
    double half = m.readTree(run(forecast("--format", "json", "--dispatch-us", "0", "--mem-eff", "0.375")).out())
        .get("tpot_ms").asDouble();
    assertTrue(half > 1.9 * base, half + " vs " + base);
  }

  @Test
  void backend_appliesItsFittedEfficienciesOnlyToItsDeviceKind() throws IOException {
    ObjectMapper m = new ObjectMapper();
    var vllm = life.stack.StackDefaults.get("vllm/cuda", life.spec.DeviceKind.GPU);
    JsonNode withBackend = m.readTree(run(forecast("--format", "json", "--batch", "32", "--backend", "vllm/cuda",
        "--flash-attn", "off", "--compute-eff", String.valueOf(vllm.computeEff()), "--mem-eff", String.valueOf(vllm.memEff()),
        "--dispatch-us", String.valueOf(vllm.dispatchUs()))).out());
    JsonNode effOnly = m.readTree(run(forecast("--format", "json", "--batch", "32", "--compute-eff",
        String.valueOf(vllm.computeEff()), "--mem-eff", String.valueOf(vllm.memEff()), "--dispatch-us",
        String.valueOf(vllm.dispatchUs()))).out());
    // Same efficiencies; the backend adds its host overhead per sequence, per engine step, and per sequence and
    // cached token (the mean decode step of 1,024 + 128 tokens has 1,024 + 64 in its cache).
    assertEquals(effOnly.get("tpot_ms").asDouble() + 32 * vllm.sequenceUs() / 1e3 + vllm.stepUs() / 1e3
        + 32 * (1024 + 128 / 2.0) * vllm.contextNs() / 1e6, withBackend.get("tpot_ms").asDouble(), 1e-9);
    assertTrue(vllm.contextNs() > 0, vllm.toString());
    // A stack fitted on GPUs leaves an Apple SoC's efficiencies at its kind's.
    JsonNode soc = m.readTree(run("forecast", "--model", "llama-2-7b", "--hardware", "apple-m2-max-38c", "--stack",
        "none", "--format", "json").out());
    JsonNode socWithGpuBackend = m.readTree(run("forecast", "--model", "llama-2-7b", "--hardware", "apple-m2-max-38c",
        "--backend", "vllm/cuda", "--format", "json").out());
    for (String k : List.of("compute_eff", "mem_eff", "dispatch_us", "efficiencies")) {
      assertEquals(soc.get(k), socWithGpuBackend.get(k), k);
    }
    assertEquals("kind:soc", soc.get("efficiencies").asText());
  }

  /**
   * A llama.cpp stack of 2024 brings its graph convention with its efficiencies (fp32 attention scores without flash
   * attention, prompts in micro-batches of 512), as validation fitted them: the CLI's forecast is the one built by
   * hand with both.
   */
  @Test
  void llamaCppStack_forecastsWithFp32ScoresAsValidationDoes() throws IOException {
    String[] args = {"forecast", "--model", "llama-2-7b", "--hardware", "apple-m2-max-38c", "--prompt", "4096",
        "--output", "16", "--stack", "llama.cpp/metal@2024-05", "--format", "json"};
    JsonNode cli = new ObjectMapper().readTree(run(args).out());
    life.spec.HardwareSpec h = life.catalog.HardwareCatalog.builtIn().resolve("apple-m2-max-38c");
    life.stack.Efficiencies e = life.stack.StackDefaults.forDevice("llama.cpp/metal", h);
    life.spec.ModelSpec m = life.catalog.ModelCatalog.builtIn().resolve("llama-2-7b");
    life.ops.GraphOptions o = life.ops.GraphOptions.defaults(life.spec.DType.FP16);
    double fp32 = new life.forecast.Forecaster(life.ops.GraphBuilder.build(m, o.withScores(life.spec.DType.FP32)), h,
        e, life.forecast.Overlap.OPERATOR).forecast(new life.forecast.Request(4096, 16, 1, 512)).ttftMs();
    double fp16 = new life.forecast.Forecaster(life.ops.GraphBuilder.build(m, o), h, e, life.forecast.Overlap.OPERATOR)
        .forecast(new life.forecast.Request(4096, 16, 1, 512)).ttftMs();
    assertEquals(fp32, cli.get("ttft_ms").asDouble(), 1e-9 * fp32);
    assertTrue(fp32 > fp16, fp32 + " vs " + fp16);
    // With flash attention there are no scores to write: the convention does not apply.
    String[] flash = java.util.Arrays.copyOf(args, args.length + 2);
    flash[args.length] = "--fusion";
    flash[args.length + 1] = "flash";
    String[] flashNoBackend = {"forecast", "--model", "llama-2-7b", "--hardware", "apple-m2-max-38c", "--prompt",
        "4096", "--output", "16", "--fusion", "flash", "--format", "json", "--stack", "none", "--chunk", "512",
        "--compute-eff", String.valueOf(e.computeEff()), "--mem-eff", String.valueOf(e.memEff()), "--dispatch-us",
        String.valueOf(e.dispatchSeconds() * 1e6)};
    assertEquals(new ObjectMapper().readTree(run(flashNoBackend).out()).get("ttft_ms").asDouble(),
        new ObjectMapper().readTree(run(flash).out()).get("ttft_ms").asDouble(), 1e-6);
  }

  /**
   * {@code --dequant-above}: calls of more tokens than the threshold pay for an fp16 copy of the weights (written,
   * then read by the GEMM); calls at or below it, like every decode step here, are unchanged.
   */
  @Test
  void dequantAbove_costsOnlyCallsAboveItsThreshold() throws IOException {
    ObjectMapper m = new ObjectMapper();
    JsonNode mmq = m.readTree(run(forecast("--weight-format", "q4_k_m", "--prompt", "512", "--format", "json")).out());
    JsonNode copy = m.readTree(run(forecast("--weight-format", "q4_k_m", "--prompt", "512", "--dequant-above", "32",
        "--format", "json")).out());
    assertTrue(copy.get("ttft_ms").asDouble() > mmq.get("ttft_ms").asDouble(), copy + " vs " + mmq);
    assertTrue(copy.get("prefill_gb").asDouble() > mmq.get("prefill_gb").asDouble() + 2 * 6.5, copy.toString());
    assertEquals(mmq.get("tpot_ms").asDouble(), copy.get("tpot_ms").asDouble(), 1e-12);
    JsonNode shortPrompt = m.readTree(run(forecast("--weight-format", "q4_k_m", "--prompt", "32", "--dequant-above",
        "32", "--format", "json")).out());
    JsonNode shortMmq = m.readTree(run(forecast("--weight-format", "q4_k_m", "--prompt", "32", "--format", "json"))
        .out());
    assertEquals(shortMmq.get("ttft_ms").asDouble(), shortPrompt.get("ttft_ms").asDouble(), 1e-12);
    Run bad = run(forecast("--dequant-above", "32"));
    assertTrue(bad.code() != 0 && bad.err().lines().count() == 1, bad.err());
    assertTrue(bad.err().contains("--dequant-above") && bad.err().contains("needs quantized weights"), bad.err());
  }

  /**
   * A calibrated profile keeps its own efficiencies under {@code --backend}: the backend's fitted defaults replace a
   * catalog device's, not a device fitted to its own runs.
   */
  @Test
  void backend_leavesACalibratedProfileAlone(@TempDir Path dir) throws IOException {
    life.spec.HardwareSpec v100 = life.catalog.HardwareCatalog.builtIn().resolve("nvidia-v100-sxm2");
    life.stack.Efficiencies own = life.stack.Efficiencies.of(0.2, 0.5, 5e-6, "test");
    Path calibrated = dir.resolve("calibrated.csv");
    life.catalog.HardwareCatalog.write(List.of(new life.catalog.HardwareCatalog.Entry(v100.withSource(
        life.spec.HardwareSpec.CALIBRATED + " in a test"), life.stack.Efficiencies.Overrides.all(own, "test"))),
        calibrated);
    Path plain = dir.resolve("plain.csv");
    life.catalog.HardwareCatalog.write(List.of(new life.catalog.HardwareCatalog.Entry(v100.withSource("a user's own "
        + "row"), life.stack.Efficiencies.Overrides.NONE)), plain);
    ObjectMapper m = new ObjectMapper();
    java.util.function.Function<String[], Double> tpot = a -> {
      try {
        return m.readTree(run(forecast(a)).out()).get("tpot_ms").asDouble();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    double mine = tpot.apply(new String[] {"--batch", "8", "--format", "json", "--hardware-file",
        calibrated.toString()});
    assertEquals(mine, tpot.apply(new String[] {"--batch", "8", "--format", "json", "--hardware-file",
        calibrated.toString(), "--backend", "vllm/cuda", "--flash-attn", "off", "--waves", "off"}), 1e-12);
    double plainOwn = tpot.apply(new String[] {"--batch", "8", "--format", "json", "--hardware-file", plain.toString(),
        "--compute-eff", "0.2", "--mem-eff", "0.5", "--dispatch-us", "5"});
    assertEquals(mine, plainOwn, 1e-12);
    assertTrue(tpot.apply(new String[] {"--batch", "8", "--format", "json", "--hardware-file", plain.toString(),
        "--backend", "vllm/cuda", "--flash-attn", "off", "--waves", "off"}) != plainOwn,
        "a catalog-style row takes the backend's defaults");
  }

  /** A device's host cost per engine step adds to every decode step, once whatever the batch. */
  @Test
  void stepCost_addsOncePerDecodeStep(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
    life.spec.HardwareSpec v100 = life.catalog.HardwareCatalog.builtIn().resolve("nvidia-v100-sxm2");
    java.nio.file.Path f = dir.resolve("v100-step.csv");
    life.catalog.HardwareCatalog.write(List.of(new life.catalog.HardwareCatalog.Entry(v100,
        new life.stack.Efficiencies.Overrides(null, null, null, null, null, null, 1.5e-3, null, null, false, "test"))), f);
    ObjectMapper m = new ObjectMapper();
    for (String batch : new String[] {"1", "8"}) {
      double plain = m.readTree(run(forecast("--batch", batch, "--format", "json")).out()).get("tpot_ms").asDouble();
      double step = m.readTree(run(forecast("--batch", batch, "--format", "json", "--hardware-file", f.toString()))
          .out()).get("tpot_ms").asDouble();
      assertEquals(plain + 1.5, step, 1e-9, "batch " + batch);
    }
  }

  @Test
  void catalog_listsModelsAndHardware() {
    Run m = run("catalog", "models");
    assertEquals(0, m.code());
    assertTrue(m.out().contains("llama-2-7b") && m.out().contains("falcon-180b"));
    Run h = run("catalog", "hardware");
    assertEquals(0, h.code());
    assertTrue(h.out().contains("nvidia-v100-sxm2") && h.out().contains("apple-m4-max-40c"));
  }

  @Test
  void unknownModel_listsNearMatches() {
    assertOneLineError(run("forecast", "--model", "llama2-7b", "--hardware", "nvidia-v100-sxm2"), "llama2-7b",
        "near matches", "llama-2-7b");
  }

  @Test
  void unknownHardware_listsNearMatches() {
    assertOneLineError(run("forecast", "--model", "llama-2-7b", "--hardware", "v100"), "v100", "nvidia-v100-sxm2");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"--output,0", "--batch,0", "--prompt,-5", "--batch,-1", "--context,-2"})
  void nonPositiveLengths_areRejected(String option, String value) {
    assertOneLineError(run(forecast(option, value)), option, value);
  }

  /** Counts above their {@link Limits}, just above and far beyond a long: option, value, the range the error gives. */
  static Stream<Arguments> overflowingCounts() {
    String tokens = "0 to " + Limits.MAX_TOKENS;
    String longMax = Long.toString(Long.MAX_VALUE);
    String beyondLong = "99999999999999999999";
    return Stream.of(
        Arguments.of("--prompt", Long.toString(Limits.MAX_TOKENS + 1), tokens),
        Arguments.of("--prompt", longMax, tokens),
        Arguments.of("--prompt", beyondLong, tokens),
        Arguments.of("--output", Long.toString(Limits.MAX_TOKENS + 1), "1 to " + Limits.MAX_TOKENS),
        Arguments.of("--output", longMax, "1 to " + Limits.MAX_TOKENS),
        Arguments.of("--context", Long.toString(Limits.MAX_TOKENS + 1), tokens),
        Arguments.of("--context", longMax, tokens),
        Arguments.of("--batch", Integer.toString(Limits.MAX_BATCH + 1), "1 to " + Limits.MAX_BATCH),
        Arguments.of("--batch", longMax, "1 to " + Limits.MAX_BATCH),
        Arguments.of("--chunk", Long.toString(Limits.MAX_TOKENS + 1), tokens),
        Arguments.of("--chunk", beyondLong, tokens),
        Arguments.of("--window", Long.toString(Limits.MAX_TOKENS + 1), "at most " + Limits.MAX_TOKENS),
        Arguments.of("--window", longMax, "at most " + Limits.MAX_TOKENS),
        Arguments.of("--prompt-batch", Long.toString(Limits.MAX_TOKENS + 1), tokens),
        Arguments.of("--dequant-above", Long.toString(Limits.MAX_TOKENS + 1), "1 to " + Limits.MAX_TOKENS),
        Arguments.of("--lora-rank", Integer.toString(Limits.MAX_LORA_RANK + 1), "at most " + Limits.MAX_LORA_RANK),
        Arguments.of("--lora-rank", longMax, "at most " + Limits.MAX_LORA_RANK),
        Arguments.of("--parallel", "tp:" + (Limits.MAX_DEVICES + 1), "1 to " + Limits.MAX_DEVICES),
        Arguments.of("--parallel", "layer:" + beyondLong, "1 to " + Limits.MAX_DEVICES));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("overflowingCounts")
  void overflowingCount_isAUsageErrorGivingTheRange(String option, String value, String range) {
    List<String> extra = new ArrayList<>(List.of(option, value));
    if (option.equals("--dequant-above")) {
      extra.addAll(List.of("--weights", "int4"));
    }
    Run r = run(forecast(extra.toArray(new String[0])));
    assertOneLineError(r, option, value, range);
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertEquals("", r.out());
  }

  /**
   * Every count at its largest allowed value at once (a 1B model, so the weights are not what is large): every
   * figure is finite and non-negative, time grows with the lengths, and the memory is far beyond the device.
   */
  @Test
  void countsAtTheirLimits_giveFiniteFigures() throws IOException {
    String tokens = Long.toString(Limits.MAX_TOKENS);
    ObjectMapper m = new ObjectMapper();
    for (String stack : List.of("none", "vllm/cuda", "llama.cpp/cuda")) {
      Run r = run("forecast", "--model", "llama-3.2-1b", "--hardware", "nvidia-h100-sxm5-80gb", "--stack", stack,
          "--prompt", tokens, "--output", tokens, "--context", tokens, "--batch", Integer.toString(Limits.MAX_BATCH),
          "--format", "json");
      assertEquals(0, r.code(), r.err());
      JsonNode j = m.readTree(r.out());
      j.properties().forEach(e -> {
        if (e.getValue().isNumber()) {
          double v = e.getValue().asDouble();
          assertTrue(v >= 0 && Double.isFinite(v), stack + " " + e.getKey() + " = " + v);
        }
      });
      for (String f : List.of("ttft_ms", "tpot_ms", "tps", "throughput_tps", "e2e_ms", "prefill_tps", "memory_gib")) {
        assertTrue(j.get(f).asDouble() > 0, stack + " " + f + " = " + j.get(f));
      }
      assertEquals(Limits.MAX_TOKENS, j.get("prompt_len").asLong());
      assertEquals(Limits.MAX_BATCH, j.get("batch").asLong());
      assertFalse(j.get("fits").asBoolean(), r.out());
      JsonNode half = m.readTree(run("forecast", "--model", "llama-3.2-1b", "--hardware", "nvidia-h100-sxm5-80gb",
          "--stack", stack, "--prompt", Long.toString(Limits.MAX_TOKENS / 2), "--output", tokens, "--context", tokens,
          "--batch", Integer.toString(Limits.MAX_BATCH), "--format", "json").out());
      assertTrue(j.get("ttft_ms").asDouble() > half.get("ttft_ms").asDouble(), stack + ": " + half.get("ttft_ms"));
      assertTrue(j.get("tpot_ms").asDouble() > half.get("tpot_ms").asDouble(), stack + ": " + half.get("tpot_ms"));
    }
  }

  static Stream<Arguments> otherCountsAtTheirLimits() {
    String tokens = Long.toString(Limits.MAX_TOKENS);
    return Stream.of(Arguments.of("--chunk", tokens), Arguments.of("--window", tokens),
        Arguments.of("--prompt-batch", tokens), Arguments.of("--lora-rank", Integer.toString(Limits.MAX_LORA_RANK)),
        Arguments.of("--parallel", "layer:" + Limits.MAX_DEVICES));
  }

  /** The other counts at their limits, each on a normal request: the forecast stands and is finite. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("otherCountsAtTheirLimits")
  void otherCountAtItsLimit_isForecast(String option, String value) throws IOException {
    List<String> extra = new ArrayList<>(List.of(option, value, "--format", "json"));
    if (option.equals("--lora-rank")) {
      extra.addAll(List.of("--lora-mode", "unmerged"));
    }
    Run r = run(forecast(extra.toArray(new String[0])));
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    for (String f : List.of("ttft_ms", "tpot_ms", "tps", "e2e_ms", "memory_gib")) {
      double v = j.get(f).asDouble();
      assertTrue(v > 0 && Double.isFinite(v), f + " = " + v);
    }
  }

  /** Every forecast option that takes a count says its range in {@code --help}. */
  @Test
  void forecastHelp_statesTheLimits() {
    String help = run("forecast", "--help").out().replaceAll("\\s+", " ");
    for (String range : List.of("0 to " + Limits.MAX_TOKENS, "1 to " + Limits.MAX_TOKENS, "1 to " + Limits.MAX_BATCH,
        "1 to " + Limits.MAX_LORA_RANK, "1 to " + Limits.MAX_DEVICES)) {
      assertTrue(help.contains(range), range + " not in: " + help);
    }
  }

  /** {@code life sweep --help} says the limits its axis values are checked against. */
  @Test
  void sweepHelp_statesTheLimits() {
    String help = run("sweep", "--help").out().replaceAll("\\s+", " ");
    for (String limit : List.of("at most " + Limits.MAX_TOKENS + " tokens", "batch at most " + Limits.MAX_BATCH,
        "rank at most " + Limits.MAX_LORA_RANK, "at most " + Limits.MAX_DEVICES + " devices")) {
      assertTrue(help.contains(limit), limit + " not in: " + help);
    }
  }

  /**
   * A figure that would not be finite (a device file with a vanishing bandwidth) fails the forecast with one line
   * naming the figure, exit 1 (file input), and prints no figure.
   */
  @Test
  void nonFiniteFigure_failsNamingIt(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("slow.csv");
    Files.writeString(f, "id,name,kind,fp32_tflops,fp16_tflops,bf16_tflops,fp8_tflops,int8_tops,int4_tops,"
        + "mem_bw_gbps,mem_gib,compute_eff,mem_eff,dispatch_us,tdp_w,price_usd,source\n"
        + "slow-gpu,Slow,gpu,15,120,,,,,1e-320,32,,,,,,lab\n");
    Run r = run("forecast", "--model", "llama-2-7b", "--hardware", f.toString());
    assertOneLineError(r, "ttft_ms", "Infinity", "not a finite non-negative number");
    assertEquals(1, r.code());
    assertEquals("", r.out());
  }

  /**
   * A prompt of 0 tokens is a decode-only request (llama-bench's {@code tg} test): nothing to prefill, every output
   * token a decode step from the cached context; it needs at least two output tokens (one decode step).
   */
  @Test
  void emptyPrompt_isDecodeOnly() throws IOException {
    assertOneLineError(run(forecast("--prompt", "0", "--output", "1")), "--prompt", "0");
    JsonNode j = new ObjectMapper().readTree(run(forecast("--prompt", "0", "--output", "129", "--context", "512",
        "--format", "json")).out());
    JsonNode ref = new ObjectMapper().readTree(run(forecast("--prompt", "512", "--output", "129", "--format", "json"))
        .out());
    assertEquals(0, j.get("ttft_ms").asDouble(), 0);
    assertEquals(ref.get("tpot_ms").asDouble(), j.get("tpot_ms").asDouble(), 1e-12 * ref.get("tpot_ms").asDouble());
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"--compute-eff,1.5", "--mem-eff,0", "--dispatch-us,-1", "--overlap,both", "--counting,noncausal",
      "--dtype,int3", "--format,xml"})
  void badOptionValues_areRejectedWithAllowedValues(String option, String value) {
    assertOneLineError(run(forecast(option, value)), value);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = ';', value = {
      "--weight-bits;7;16, 8, 6, 5, 4, 3, 2",
      "--weight-format;q4_x;q4_k_m",
      "--act-bits;3;16, 8, 4, fp8",
      "--kv-bits;5;32, 16, 8, 4",
      "--kv-keep;0;(0, 1]",
      "--kv-keep;1.5;(0, 1]",
      "--lora-rank;0;positive",
      "--lora-rank;-4;positive",
      "--chunk;-512;0 to 16777216",
      "--window;-1;positive",
      "--attention;mla;kv_lora_rank",
      "--attention;gqa:5;does not divide",
      "--attention;sparse;native, mha, gqa, gqa:N, mqa, mla",
      "--fusion;flashy;qkv, gate_up, norm, flash, elementwise, allreduce",
      "--lora-mode;later;merged, inline, unmerged"})
  void badOptimization_isRejectedWithAllowedValues(String option, String value, String allowed) {
    List<String> extra = new ArrayList<>(List.of(option, value));
    if (option.equals("--lora-mode")) {
      extra.addAll(List.of("--lora-rank", "8"));
    }
    assertOneLineError(run(forecast(extra.toArray(new String[0]))), value, allowed);
  }

  @Test
  void weightBitsAndFormat_areExclusive() {
    assertOneLineError(run(forecast("--weight-bits", "4", "--weight-format", "q4_0")), "--weight-bits",
        "--weight-format");
  }

  @Test
  void everyOptimizationOn_forecasts() throws IOException {
    Run r = run("forecast", "--model", "mistral-7b", "--hardware", "nvidia-h100-sxm5-80gb", "--weight-bits", "4",
        "--group-size", "64", "--kv-bits", "8", "--kv-keep", "0.5", "--lora-rank", "16", "--lora-mode", "unmerged",
        "--chunk", "512", "--attention", "gqa:4", "--window", "2048", "--fusion", "all", "--prompt", "4000",
        "--format", "json", "--breakdown");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertTrue(j.get("ttft_ms").asDouble() > 0 && j.get("tpot_ms").asDouble() > 0);
  }

  @Test
  void malformedConfigJson_isReported(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(f, "{\"hidden_size\": 4096,");
    assertOneLineError(run("forecast", "--model", f.toString(), "--hardware", "nvidia-v100-sxm2"), f.toString(),
        "not valid JSON");
  }

  @Test
  void incompleteConfigJson_namesTheField(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(f, "{\"model_type\": \"llama\", \"hidden_size\": 4096, \"num_attention_heads\": 32,"
        + " \"intermediate_size\": 11008, \"vocab_size\": 32000}");
    assertOneLineError(run("forecast", "--model", f.toString(), "--hardware", "nvidia-v100-sxm2"),
        "num_hidden_layers");
  }

  @Test
  void userConfigJson_isForecast(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(f, "{\"model_type\": \"llama\", \"hidden_size\": 1024, \"num_hidden_layers\": 4,"
        + " \"num_attention_heads\": 8, \"intermediate_size\": 2816, \"vocab_size\": 32000}");
    Run r = run("forecast", "--model", f.toString(), "--hardware", "nvidia-v100-sxm2", "--format", "json");
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void badUserHardwareFile_namesFileRowAndColumn(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("mine.csv");
    Files.writeString(f, "id,name,kind,fp32_tflops,fp16_tflops,bf16_tflops,fp8_tflops,int8_tops,int4_tops,"
        + "mem_bw_gbps,mem_gib,compute_eff,mem_eff,dispatch_us,tdp_w,price_usd,source\n"
        + "my-gpu,Mine,gpu,,-3,,,,,900,32,,,,,,lab\n");
    assertOneLineError(run(forecast("--hardware-file", f.toString())), f.toString(), "row 2", "fp16_tflops", "-3");
  }

  @Test
  void deviceWithoutA16BitPeak_failsNamingTheColumn(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("int8only.csv");
    Files.writeString(f, "id,name,kind,fp32_tflops,fp16_tflops,bf16_tflops,fp8_tflops,int8_tops,int4_tops,"
        + "mem_bw_gbps,mem_gib,compute_eff,mem_eff,dispatch_us,tdp_w,price_usd,source\n"
        + "int8-npu,NPU,npu,,,,,50,,100,16,,,,,,lab\n");
    assertOneLineError(run("forecast", "--model", "llama-2-7b", "--hardware", f.toString()), "int8-npu",
        "fp16_tflops");
  }

  @Test
  void validateJson_hasSummaryAndBreakdowns() throws IOException {
    Run r = run("validate", "--measurements", "builtin:llamacpp-apple-silicon-4167.csv", "--format", "json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    for (String k : List.of("rows", "unsupported", "mape_pct", "by_metric", "by_hardware", "by_source")) {
      assertTrue(j.has(k), k);
    }
    assertEquals(158, j.get("rows").asInt());
    assertTrue(j.get("by_metric").get("decode_tps").get("mape_pct").asDouble() > 0);
  }

  /**
   * A forecast's 80 % intervals are its band's ratios applied to it: a time T gets [T·lo, T·hi] and a rate R
   * [R/hi, R/lo], from the band of its basis (the stack's fitted defaults, or the kind's with {@code --efficiencies
   * kind}), stack and phase in {@code catalog/intervals.csv}.
   */
  @Test
  void forecast_printsTheIntervalOfItsBasisStackAndPhase() throws IOException {
    for (String eff : List.of("stack", "kind")) {
      Run r = run("forecast", "--model", "llama-2-7b", "--hardware", "nvidia-rtx-4090", "--stack", "llama.cpp/cuda",
          "--weight-format", "q4_0", "--prompt", "512", "--output", "128", "--efficiencies", eff, "--format", "json");
      assertEquals(0, r.code(), r.err());
      JsonNode j = new ObjectMapper().readTree(r.out());
      life.stack.Intervals.Basis basis = life.stack.Intervals.Basis.of(j.get("efficiencies").asText());
      assertEquals(eff.equals("kind") ? life.stack.Intervals.Basis.KIND : life.stack.Intervals.Basis.FITTED, basis);
      life.stack.Intervals.Band decode = life.stack.Intervals.of(basis, "llama.cpp/cuda",
          life.stack.Intervals.Phase.DECODE);
      life.stack.Intervals.Band prefill = life.stack.Intervals.of(basis, "llama.cpp/cuda",
          life.stack.Intervals.Phase.PREFILL);
      double tpot = j.get("tpot_ms").asDouble();
      assertEquals(tpot * decode.lo(), j.get("tpot_ms_lo").asDouble(), 1e-9 * tpot);
      assertEquals(tpot * decode.hi(), j.get("tpot_ms_hi").asDouble(), 1e-9 * tpot);
      double pp = j.get("prefill_tps").asDouble();
      assertEquals(pp / prefill.hi(), j.get("prefill_tps_lo").asDouble(), 1e-9 * pp);
      assertEquals(pp / prefill.lo(), j.get("prefill_tps_hi").asDouble(), 1e-9 * pp);
      assertEquals(j.get("tps").asDouble() / decode.hi(), j.get("tps_lo").asDouble(), 1e-9 * pp);
      assertTrue(j.get("tps_lo").asDouble() < j.get("tps_hi").asDouble(), r.out());
    }
  }

  /**
   * Held out by source, on two: Apple's table (#4167) held out leaves llama.cpp's own benches, whose Metal rows are of
   * one device, too few for a fitted row: its forecasts are then the device kind's, exactly the spec-only ones.
   */
  @Test
  void validateHeldOut_forecastsEachSourceWithoutItsOwnRows() throws IOException {
    String files = "builtin:llamacpp-apple-silicon-4167.csv,builtin:llamacpp-official-benches.csv";
    Run r = run("validate", "--measurements", files, "--held-out", "--format", "json");
    assertEquals(0, r.code(), r.err());
    JsonNode h = new ObjectMapper().readTree(r.out()).get("held_out");
    JsonNode apple = h.get("by_source").get("llamacpp-apple-silicon-4167.csv");
    Run spec = run("validate", "--measurements", "builtin:llamacpp-apple-silicon-4167.csv", "--spec-only", "--format",
        "json");
    assertEquals(new ObjectMapper().readTree(spec.out()).get("mape_pct").asDouble(), apple.get("mape_pct").asDouble(),
        1e-9);
    assertEquals(158 + 204, h.get("leave_one_source_out").get("rows").asInt());
    assertTrue(h.get("interval_coverage_pct").asDouble() >= 0);
    assertOneLineError(run("validate", "--measurements", files, "--held-out", "--spec-only"), "--held-out",
        "--spec-only");
    assertOneLineError(run("calibrate", "--measurements", files, "--hardware", "apple-m2-ultra-76c", "--intervals",
        "intervals.csv"), "--intervals", "--backends");
  }

  static final String MEASUREMENT_HEADER = "source,hardware,framework,model,weight_dtype,act_dtype,kv_dtype,batch,"
      + "prompt_len,output_len,metric,value,unit\n";

  /** Unknown ids in a measurement file are listed by name (digits and near matches intact), the known rows kept. */
  @Test
  void validateUnknownIds_areListedByNameBesideTheForecastRows(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("mixed.csv");
    Files.writeString(f, MEASUREMENT_HEADER
        + "lab,nvidia-v100-sxm2,pytorch,llama-2-7b,fp16,fp16,fp16,1,512,128,throughput_tps,37.5,tok/s\n"
        + "lab,nvidia-v100-sxm2,pytorch,llama-2-7bx,fp16,fp16,fp16,1,512,128,throughput_tps,37.5,tok/s\n");
    Run r = run("validate", "--measurements", f.toString(), "--format", "json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(1, j.get("supported").asInt());
    String reason = j.get("unsupported_reasons").fieldNames().next();
    assertTrue(reason.contains("'llama-2-7bx'") && reason.contains("llama-2-7b,"), reason);
    assertEquals(1, j.get("unsupported_reasons").get(reason).asInt());
  }

  /** A file none of whose rows can be forecast is an error before any report, not a report of MAPE NaN. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"text", "json"})
  void validateWithNoForecastableRow_failsNamingTheReasonBeforeAnyReport(String format, @TempDir Path dir)
      throws IOException {
    Path f = dir.resolve("typo.csv");
    Files.writeString(f, MEASUREMENT_HEADER
        + "lab,nvidia-v100-sxm3,pytorch,llama-2-7b,fp16,fp16,fp16,1,512,128,throughput_tps,37.5,tok/s\n");
    Run r = run("validate", "--measurements", f.toString(), "--format", format);
    assertOneLineError(r, "typo.csv", "none of the 1 measurement rows", "'nvidia-v100-sxm3'", "nvidia-v100-sxm2");
    assertEquals("", r.out());
  }

  @Test
  void validateMaxMape_exitsNonZeroAbove() {
    Run ok = run("validate", "--measurements", "builtin:llamacpp-apple-silicon-4167.csv", "--max-mape", "50");
    assertEquals(0, ok.code(), ok.err());
    Run bad = run("validate", "--measurements", "builtin:llamacpp-apple-silicon-4167.csv", "--max-mape", "1");
    assertEquals(1, bad.code());
    assertTrue(bad.err().contains("above --max-mape"), bad.err());
  }

  /**
   * Calibration from a few runs with K-fold cross-validation: every row judged by a fit that did not see it, the
   * profile fitted on all of them and usable by {@code forecast}.
   */
  @Test
  void calibrateFolds_crossValidatesAndWritesAProfileOfEveryRow(@TempDir Path dir) throws IOException {
    Path profile = dir.resolve("m3.csv");
    Run r = run("calibrate", "--measurements", "builtin:llamacpp-apple-silicon-4167.csv", "--hardware",
        "apple-m3-max-40c", "--backend", "llama.cpp/metal", "--folds", "5", "--out", profile.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("5-fold cross-validated") && r.out().contains("(6 training rows)"), r.out());
    String source = life.catalog.HardwareCatalog.readFile(profile).get("apple-m3-max-40c").source();
    assertTrue(source.contains("on 6 rows") && source.contains("5-fold cross-validated MAPE"), source);
    Run f = run("forecast", "--model", "llama-2-7b", "--hardware", "apple-m3-max-40c", "--hardware-file",
        profile.toString());
    assertEquals(0, f.code(), f.err());
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"--folds, 1, '[2, 6]'", "--folds, 7, '[2, 6]'", "--prior-weight, -1, '≥ 0'"})
  void calibrateOptionOutOfRange_isOneLineError(String option, String value, String allowed) {
    assertOneLineError(run("calibrate", "--measurements", "builtin:llamacpp-apple-silicon-4167.csv", "--hardware",
        "apple-m3-max-40c", "--backend", "llama.cpp/metal", option, value), option, allowed);
  }

  /**
   * {@code --strict-prior} judges and shrinks toward the backend defaults refitted without the device: the shipped
   * llama.cpp/metal defaults saw the M3 Max's own rows, so their error on its held-out rows differs from the strict
   * one.
   */
  @Test
  void calibrateStrictPrior_comparesWithDefaultsFittedWithoutTheDevice() {
    String[] base = {"calibrate", "--measurements", "builtin:llamacpp-apple-silicon-4167.csv", "--hardware",
        "apple-m3-max-40c", "--backend", "llama.cpp/metal", "--out", "/dev/null"};
    Run shipped = run(base);
    List<String> a = new ArrayList<>(List.of(base));
    a.add("--strict-prior");
    Run strict = run(a.toArray(new String[0]));
    assertEquals(0, strict.code(), strict.err());
    java.util.regex.Pattern p = java.util.regex.Pattern.compile("on them: ([0-9.]+) %");
    java.util.regex.Matcher ms = p.matcher(shipped.out());
    java.util.regex.Matcher mt = p.matcher(strict.out());
    assertTrue(ms.find() && mt.find() && strict.out().contains("backend defaults fitted without apple-m3-max-40c"),
        shipped.out() + strict.out());
    assertTrue(!ms.group(1).equals(mt.group(1)), shipped.out() + strict.out());
  }

  /** A backend the device has no rows of names the backends it has. */
  @Test
  void calibrateUnknownBackend_namesTheDevicesBackends() {
    assertOneLineError(run("calibrate", "--measurements", "builtin:llamacpp-apple-silicon-4167.csv", "--hardware",
        "apple-m3-max-40c", "--backend", "llama.cpp/cuda"), "under llama.cpp/cuda", "0 usable",
        "backends: llama.cpp/metal)");
  }

  /** With no prior the fit follows the six rows alone, so it fits them at least as closely as the shrunk one. */
  @Test
  void calibratePriorWeightZero_fitsTheRowsAtLeastAsClosely(@TempDir Path dir) {
    String[] base = {"calibrate", "--measurements", "builtin:llamacpp-apple-silicon-4167.csv", "--hardware",
        "apple-m3-max-40c", "--backend", "llama.cpp/metal", "--holdout", "0.2", "--out", dir.resolve("p.csv")
        .toString()};
    Run shrunk = run(base);
    List<String> args = new ArrayList<>(List.of(base));
    args.addAll(List.of("--prior-weight", "0"));
    Run free = run(args.toArray(new String[0]));
    assertEquals(0, shrunk.code(), shrunk.err());
    assertEquals(0, free.code(), free.err());
    assertTrue(fitted(free.out()) <= fitted(shrunk.out()) + 1e-9, free.out() + "\n" + shrunk.out());
  }

  private static double fitted(String out) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("fitted ([0-9.]+) %").matcher(out);
    assertTrue(m.find(), out);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void validateUnknownDataset_isOneLineError() {
    assertOneLineError(run("validate", "--measurements", "builtin:nope.csv"), "nope.csv", "allowed");
  }

  @Test
  void missingRequiredOption_isAUsageError() {
    Run r = run("forecast", "--model", "llama-2-7b");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--hardware"), r.err());
  }

  /**
   * Defaults users run: without --stack, each device kind gets its usual stack and the output says which; on an H100
   * that is vLLM with flash attention, so Llama-3.1-8B with a 32k prompt fits (no score matrix), where the same
   * forecast without flash attention counts tens of GiB of scores and does not.
   */
  @Test
  void defaults_areTheStacksPeopleRun() throws IOException {
    ObjectMapper m = new ObjectMapper();
    String[] h100 = {"forecast", "--model", "llama-3.1-8b", "--hardware", "nvidia-h100-sxm5-80gb", "--prompt", "32768",
        "--output", "128", "--format", "json"};
    JsonNode j = m.readTree(run(h100).out());
    assertTrue(j.get("stack").asText().startsWith("vllm/cuda@"), j.toString());
    assertEquals("stack:vllm/cuda:gpu", j.get("efficiencies").asText());
    assertTrue(j.get("fits").asBoolean() && j.get("activation_gib").asDouble() < 4, j.toString());
    String[] noFlash = java.util.Arrays.copyOf(h100, h100.length + 2);
    noFlash[h100.length] = "--flash-attn";
    noFlash[h100.length + 1] = "off";
    JsonNode scores = m.readTree(run(noFlash).out());
    assertTrue(!scores.get("fits").asBoolean() && scores.get("activation_gib").asDouble() > 60, scores.toString());
    String[] breakdown = java.util.Arrays.copyOf(h100, h100.length + 1);
    breakdown[h100.length] = "--breakdown";
    java.util.Set<String> ops = new java.util.TreeSet<>();
    m.readTree(run(breakdown).out()).get("breakdown").forEach(r -> ops.add(r.get("op").asText()));
    assertTrue(ops.contains("flash_attention") && !ops.contains("qk") && !ops.contains("softmax")
        && !ops.contains("pv"), ops.toString());
    Map<String, String> expected = Map.of("apple-m2-max-38c", "llama.cpp/metal@", "nvidia-rtx-4090", "llama.cpp/cuda@",
        "amd-mi300x", "vllm/rocm@", "amd-ryzen-9-9950x", "llama.cpp/cpu@", "amd-ryzen-ai-max-395-igpu",
        "llama.cpp/vulkan@", "intel-arc-b580", "llama.cpp/sycl@", "nvidia-h100-sxm5-80gb", "vllm/cuda@");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String table = run("forecast", "--model", "llama-3.2-1b", "--hardware", e.getKey()).out();
      assertTrue(table.lines().anyMatch(l -> l.startsWith("stack ") && l.contains(e.getValue())), table);
    }
  }

  /** Exactly one line on stderr, {@code life: error: } with every fragment, nothing on stdout, a non-zero exit. */
  static void assertOnlyOneLineError(Run r, String... fragments) {
    assertOneLineError(r, fragments);
    assertEquals(1, r.err().lines().count(), r.err());
    assertEquals("", r.out());
  }

  /** A command that throws what it is given. */
  @CommandLine.Command(name = "boom")
  static final class Boom implements java.util.concurrent.Callable<Integer> {
    private final Throwable thrown;

    Boom(Throwable thrown) {
      this.thrown = thrown;
    }

    @Override
    public Integer call() throws Exception {
      if (thrown instanceof Error e) {
        throw e;
      }
      throw (Exception) thrown;
    }
  }

  static Stream<Throwable> bugs() {
    return Stream.of(new NullPointerException("x is null"), new IllegalStateException(), new StackOverflowError(),
        new IllegalArgumentException((String) null));
  }

  /** A bug (not bad input) is one line naming the exception, exit code 70, and no stack trace. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("bugs")
  void internalError_isOneLineWithExitCode70(Throwable bug) {
    CommandLine cl = Main.commandLine();
    cl.addSubcommand("boom", new Boom(bug));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    assertEquals(Main.INTERNAL_ERROR, cl.execute("boom"));
    assertEquals(List.of("life: internal error: " + bug.getClass().getName() + ": " + bug.getMessage()
        + " (set LIFE_DEBUG=1 for the stack trace)"), err.toString().lines().toList());
  }

  @Test
  void internalError_printsItsStackTraceOnlyWhenDebugging() {
    for (boolean debug : new boolean[] {false, true}) {
      StringWriter err = new StringWriter();
      assertEquals(Main.INTERNAL_ERROR, Main.handle(new IllegalStateException("bug"), new PrintWriter(err), debug));
      assertEquals(debug, err.toString().contains("\tat life.cli.CliTest"), err.toString());
      assertTrue(err.toString().endsWith("life: internal error: java.lang.IllegalStateException: bug (set LIFE_DEBUG=1 "
          + "for the stack trace)\n"), err.toString());
    }
  }

  /** A config.json nested deeper than the JSON reader's limit: one line with file, line and column. */
  @Test
  void configNestedTooDeep_isOneLineErrorWithLineAndColumn(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(f, "{\"hidden_size\":\n" + "[".repeat(5000) + "]".repeat(5000) + "}");
    assertOnlyOneLineError(run("forecast", "--model", f.toString(), "--hardware", "nvidia-v100-sxm2"), f.toString()
        + " line 2, column 1001: not valid JSON: Document nesting depth (1001) exceeds the maximum allowed (1000)");
  }

  @Test
  void configHugeLayerCount_namesTheFieldAndItsRange(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(f, Files.readString(Path.of("src/main/resources/catalog/models/llama-2-7b.json"))
        .replaceFirst("\"num_hidden_layers\": *\\d+", "\"num_hidden_layers\": 4000000000"));
    assertOnlyOneLineError(run("forecast", "--model", f.toString(), "--hardware", "nvidia-v100-sxm2"), f.toString(),
        "field 'num_hidden_layers' is 4000000000 (allowed: 1 to 100000)");
  }

  /** Every input file that is a directory says so, instead of "does not exist" or an unknown id. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"model", "hardware-file", "measurements", "sweep"})
  void inputThatIsADirectory_isNamedSo(String kind, @TempDir Path dir) {
    assertOnlyOneLineError(run(input(kind, dir.toString())), dir + " is a directory");
  }

  /** A device file is no regular file, and is not read (reading /dev/zero would never end). */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"model", "hardware-file", "measurements", "sweep"})
  void inputThatIsADevice_isNamedSo(String kind) {
    assumeTrue(Files.exists(Path.of("/dev/zero")), "no /dev/zero here");
    assertOnlyOneLineError(run(input(kind, "/dev/zero")), "/dev/zero is not a regular file");
  }

  /** The command that reads {@code file} as input of kind {@code kind}. */
  private static String[] input(String kind, String file) {
    return switch (kind) {
      case "model" -> new String[] {"forecast", "--model", file, "--hardware", "nvidia-v100-sxm2"};
      case "hardware-file" -> forecast("--hardware-file", file);
      case "measurements" -> new String[] {"validate", "--measurements", file};
      case "sweep" -> new String[] {"sweep", file, "--dry-run"};
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /** Files saved with a UTF-8 byte-order mark (as Windows editors do) read as without it. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"config.json", "devices.csv", "runs.csv", "sweep.yaml"})
  void byteOrderMark_isAccepted(String name, @TempDir Path dir) throws IOException {
    Path f = dir.resolve(name);
    String text = switch (name) {
      case "config.json" -> Files.readString(Path.of("src/main/resources/catalog/models/llama-3.2-1b.json"));
      case "devices.csv" -> String.join(",", life.catalog.HardwareCatalog.COLUMNS)
          + "\nmy-gpu,Mine,gpu,,100,,,,,900,32,,,,,,lab\n";
      case "runs.csv" -> MEASUREMENT_HEADER
          + "lab,nvidia-v100-sxm2,pytorch,llama-2-7b,fp16,fp16,fp16,1,512,128,throughput_tps,37.5,tok/s\n";
      default -> "name: bom\naxes:\n  model: [llama-3.2-1b]\n  hardware: [nvidia-rtx-4090]\n";
    };
    Files.write(f, ("\uFEFF" + text).getBytes(StandardCharsets.UTF_8));
    Run r = run(switch (name) {
      case "config.json" -> input("model", f.toString());
      case "devices.csv" -> new String[] {"forecast", "--model", "llama-3.2-1b", "--hardware", f.toString()};
      case "runs.csv" -> input("measurements", f.toString());
      default -> new String[] {"sweep", f.toString(), "--dry-run", "--out", dir.resolve("out").toString()};
    });
    assertEquals(0, r.code(), r.err());
  }

  /** An empty or header-only measurement file is one line naming the file, and no report of MAPE NaN before it. */
  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = ';', value = {"'';the file is empty", "header;no measurement rows after the header"})
  void emptyMeasurementFile_isOneLineErrorBeforeAnyReport(String content, String message, @TempDir Path dir)
      throws IOException {
    Path f = dir.resolve("runs.csv");
    Files.writeString(f, content.equals("header") ? MEASUREMENT_HEADER : content);
    assertOnlyOneLineError(run("validate", "--measurements", f.toString()), f + ": " + message);
  }

  /** A header with an unnamed column, in any CSV a user gives, is one line naming the file and the column. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"hardware-file", "measurements"})
  void csvHeaderWithAnUnnamedColumn_namesFileAndColumn(String kind, @TempDir Path dir) throws IOException {
    Path f = dir.resolve("unnamed.csv");
    Files.writeString(f, kind.equals("measurements")
        ? MEASUREMENT_HEADER.replace("framework,", ",") + "lab,nvidia-v100-sxm2,pytorch,llama-2-7b,fp16,fp16,fp16,1,512,"
            + "128,throughput_tps,37.5,tok/s\n"
        : String.join(",", life.catalog.HardwareCatalog.COLUMNS).replace(",name,", ",,")
            + "\nmy-gpu,Mine,gpu,,100,,,,,900,32,,,,,,lab\n");
    assertOnlyOneLineError(run(input(kind, f.toString())), f + " row 1: column " + (kind.equals("measurements") ? 3 : 2)
        + " of the header has no name");
  }

  /** A cell over the reader's limit or a row of too many columns: one line naming file and row. */
  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = ';', value = {"cell;row 3, column 1: a cell is longer than 100,000 characters",
      "columns;row 3: the row has more than 512 columns"})
  void oversizedCellOrRow_isOneLineErrorNamingFileAndRow(String what, String message, @TempDir Path dir)
      throws IOException {
    Path f = dir.resolve("runs.csv");
    String row = "lab,nvidia-v100-sxm2,pytorch,llama-2-7b,fp16,fp16,fp16,1,512,128,throughput_tps,37.5,tok/s\n";
    Files.writeString(f, MEASUREMENT_HEADER + row + (what.equals("cell") ? "x".repeat(100_001) + row.substring(3)
        : row.strip() + ",x".repeat(600) + "\n"));
    assertOnlyOneLineError(run("validate", "--measurements", f.toString()), f + " " + message);
  }

  /** A quoted newline (or other control character) in a cell is escaped where the message quotes the cell. */
  @Test
  void controlCharactersInACell_areEscapedInTheMessage(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("runs.csv");
    Files.writeString(f, MEASUREMENT_HEADER + "lab,nvidia-v100-sxm2,pytorch,llama-2-7b,fp16,fp16,fp16,1,512,128,"
        + "\"thr\u0007ough\r\tput\nx\",37.5,tok/s\n");
    assertOnlyOneLineError(run("validate", "--measurements", f.toString()),
        "column 'metric' is 'thr\\u0007ough\\r\\tput\\nx' (allowed: ");
  }

  /** A framework without its platform ("vllm", not "vLLM CUDA") makes the row unsupported, naming the stack. */
  @Test
  void validateFrameworkWithoutPlatform_isAnUnsupportedRow(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("bare.csv");
    String row = "lab,nvidia-h100-sxm5-80gb,vllm,llama-3.1-8b,fp16,fp16,fp16,8,1024,128,tpot,9.5,ms\n";
    Files.writeString(f, MEASUREMENT_HEADER + row + row.replace(",vllm,", ",vllm cuda,"));
    Run r = run("validate", "--measurements", f.toString(), "--format", "json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(1, j.get("supported").asInt());
    assertTrue(j.get("unsupported_reasons").fieldNames().next().startsWith("unknown stack 'vllm' (allowed: "),
        j.toString());
  }

  /** A result folder whose manifest.json was edited badly: one line naming the manifest and the field. */
  @Test
  void resultFolderWithABadManifest_isOneLineErrorNamingTheField(@TempDir Path dir) throws IOException {
    Path sweep = dir.resolve("tiny.yaml");
    Files.writeString(sweep, "name: tiny\naxes:\n  model: [llama-3.2-1b]\n  hardware: [nvidia-rtx-4090]\n"
        + "objectives: [tpot_ms:min]\n");
    Path results = dir.resolve("results");
    Run made = run("sweep", sweep.toString(), "--out", results.toString(), "--format", "csv", "--quiet");
    assertEquals(0, made.code(), made.err());
    Path mf = results.resolve("manifest.json");
    String good = Files.readString(mf);
    Map<String, String> edits = Map.of(
        "\"type\" : \"double\"", "\"type\" : \"dou\\nble\"",
        "\"chunks\" : 1,", "\"chunks\" : 4000000000,",
        "\"name\" : \"price_usd\"", "\"name\" : \"price\"",
        "\"formats\" : [ \"csv\" ]", "\"formats\" : [ [ ] ]",
        "\"objectives\" : [ \"tpot_ms:min\" ]", "\"objectives\" : [ \"tpot:min\" ]");
    Map<String, String> messages = Map.of(
        "\"type\" : \"double\"", ": not a valid manifest: field 'schema[",
        "\"chunks\" : 1,", ": not a valid manifest: field 'chunks' is 4000000000, but 1 points in parts of 50000 "
            + "rows make 1",
        "\"name\" : \"price_usd\"", ": field 'schema' does not list the columns of ",
        "\"formats\" : [ \"csv\" ]", ": not a readable manifest: field 'formats[0]' does not hold a value of its "
            + "type",
        "\"objectives\" : [ \"tpot_ms:min\" ]", ": field 'objectives': unknown objective column 'tpot'");
    for (Map.Entry<String, String> e : edits.entrySet()) {
      assertTrue(good.contains(e.getKey()), e.getKey() + " not in " + good);
      Files.writeString(mf, good.replace(e.getKey(), e.getValue()));
      assertOnlyOneLineError(run("pareto", results.toString()), "life: error: " + mf, messages.get(e.getKey()));
    }
    Files.writeString(mf, good.replace("\"type\" : \"double\"", "\"type\" : \"dou\\nble\""));
    assertOneLineError(run("pareto", results.toString()), "].type' is 'dou\\nble' (allowed: string, long, double, "
        + "boolean)");
  }

  /** A sweep name becomes a folder name: '..' is refused before anything is written. */
  @Test
  void sweepNamedDotDot_isRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("up.yaml");
    Files.writeString(f, "name: ..\naxes:\n  model: [llama-3.2-1b]\n  hardware: [nvidia-rtx-4090]\n");
    assertOnlyOneLineError(run("sweep", f.toString()), f + " line 1, key 'name': the name '..' may only use");
  }
}
