package life.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import life.catalog.HardwareCatalog;
import life.forecast.Forecast;
import life.forecast.ForecastColumns;
import life.scenario.Built;
import life.scenario.Scenario;
import life.scenario.ScenarioText;
import life.validate.Measurement;
import life.validate.MeasurementReader;
import life.validate.Validator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One way in: the forecast a measurement row or a sweep point gets is exactly the one {@code life forecast} prints for
 * the same settings given as command-line text (same numbers, not close ones).
 */
class ScenarioEquivalenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code text} as {@code life forecast} options. */
  private static String[] cli(Map<String, String> text) {
    List<String> a = new ArrayList<>(List.of("forecast", "--format", "json"));
    a.addAll(ScenarioText.asArguments(text));
    return a.toArray(new String[0]);
  }

  /**
   * Every row of every shipped measurement file: the scenario built from the row forecasts exactly what the CLI
   * prints for the row's settings, field by field; the value validation compares with the measurement is one of
   * those fields; a row whose scenario cannot be forecast is a one-line CLI error with the same reason.
   */
  @Test
  void everyMeasurementRow_forecastsAsTheCliDoes() throws Exception {
    List<Measurement> all = MeasurementReader.read("builtin:all");
    HardwareCatalog catalog = HardwareCatalog.builtIn();
    Validator validator = new Validator(catalog, life.scenario.EfficiencyRule.STACK);
    int ready = 0;
    int compared = 0;
    for (Measurement m : all) {
      if (m.devices() > 1 && m.parallelism().equals("other")
          || m.promptLen() == 0 && !m.metric().equals("decode_tps") && !m.metric().equals("tpot")) {
        continue;
      }
      Map<String, String> text = m.scenarioText();
      CliTest.Run r = CliTest.run(cli(text));
      Scenario sc;
      try {
        sc = ScenarioText.parse(text, catalog);
      } catch (ScenarioText.Bad e) {
        // An id or value the catalogs do not know: the CLI refuses the same option in one line.
        assertEquals(2, r.code(), m.file() + ": " + r.err());
        assertTrue(r.err().contains(e.getMessage()), m.file() + ": " + r.err());
        assertEquals(validator.outcome(m).unsupported(), e.getMessage(), m.file());
        continue;
      }
      Built b = sc.setup().build();
      if (b instanceof Built.Unsupported u) {
        assertEquals(1, r.code(), m.file() + ": " + r.err());
        assertEquals("life: error: " + u.reason(), r.err().strip(), m.file());
        continue;
      }
      assertEquals(0, r.code(), m.file() + ": " + r.err());
      ready++;
      Forecast f = ((Built.Ready) b).forecaster().forecast(sc.request());
      JsonNode j = JSON.readTree(r.out());
      for (ForecastColumns.Column c : ForecastColumns.ALL) {
        Object v = c.get().apply(f);
        JsonNode got = j.get(c.name());
        if (v instanceof Double d) {
          assertEquals(d, got.asDouble(), 0, m.file() + " " + c.name());
        } else {
          assertEquals(String.valueOf(v), got.asText(), m.file() + " " + c.name());
        }
      }
      Validator.Outcome o = validator.outcome(m);
      if (o.supported()) {
        double fromCli = switch (m.metric()) {
          case "ttft" -> j.get("ttft_ms").asDouble() / 1e3;
          case "prefill_tps" -> j.get("prefill_tps").asDouble();
          case "decode_tps" -> j.get("tps").asDouble();
          case "tpot" -> j.get("tpot_ms").asDouble() / 1e3;
          case "e2e" -> j.get("e2e_ms").asDouble() / 1e3;
          case "throughput_tps" -> j.get("throughput_tps").asDouble();
          default -> Double.NaN;
        };
        assertEquals(o.predicted(), fromCli, 0, m.file());
        compared++;
      }
    }
    assertTrue(ready > 5700, ready + " rows forecast");
    assertEquals(6496, compared, "rows validation forecasts");
  }

  /** Values of every sweep axis to draw points from. */
  private static final Map<String, List<String>> AXES = axes();

  private static Map<String, List<String>> axes() {
    Map<String, List<String>> a = new LinkedHashMap<>();
    a.put("model", List.of("llama-2-7b", "llama-3.1-8b", "mixtral-8x7b", "gemma-2-2b", "qwen2.5-7b",
        "deepseek-v2-lite"));
    a.put("hardware", List.of("nvidia-h100-sxm5-80gb", "nvidia-rtx-4090", "apple-m2-max-38c", "amd-mi300x",
        "amd-ryzen-ai-max-395-igpu", "amd-ryzen-9-9950x", "intel-arc-b580"));
    a.put("dtype", List.of("fp16", "bf16"));
    a.put("weights", List.of("none", "int8", "int4-g64", "q4_k_m", "fp8"));
    a.put("act_bits", List.of("16", "8"));
    a.put("kv_bits", List.of("auto", "8", "16"));
    a.put("kv_keep", List.of("1", "0.5"));
    a.put("lora", List.of("none", "unmerged:16", "merged:8"));
    a.put("attention", List.of("native", "gqa:4"));
    a.put("window", List.of("model", "0", "1024"));
    a.put("fusion", List.of("none", "all", "qkv,norm"));
    a.put("overlap", List.of("operator", "phase"));
    a.put("counting", List.of("causal", "paper"));
    a.put("stack", List.of("auto", "none", "llama.cpp/cuda@2024-05", "vllm/cuda", "llama.cpp/metal",
        "tensorrt-llm/cuda@0.6.1", "vllm/rocm"));
    a.put("parallel", List.of("1", "tp:2", "layer:2"));
    a.put("prompt", List.of("128", "1000", "4096"));
    a.put("output", List.of("1", "64", "300"));
    a.put("batch", List.of("1", "8", "64"));
    a.put("chunk", List.of("auto", "0", "256"));
    return a;
  }

  /**
   * Random points across every axis (seeded): each point's sweep row holds the forecast {@code life forecast} prints
   * for the same settings (metrics to the sweep's 6 significant digits, the stack and efficiencies as printed), or
   * the CLI's error as its status.
   */
  @Test
  void sweepRows_equalTheForecastOfTheirPoint(@TempDir Path dir) throws Exception {
    Random rnd = new Random(16);
    int ok = 0;
    for (int p = 0; p < 40; p++) {
      Map<String, String> point = new LinkedHashMap<>();
      StringBuilder yaml = new StringBuilder("name: p" + p + "\naxes:\n");
      AXES.forEach((k, vs) -> {
        String v = vs.get(rnd.nextInt(vs.size()));
        point.put(k, v);
        yaml.append("  ").append(k).append(": ['").append(v).append("']\n");
      });
      Path f = dir.resolve("p" + p + ".yaml");
      Files.writeString(f, yaml.toString());
      CliTest.Run s = CliTest.run("sweep", f.toString(), "--out", dir.resolve("out" + p).toString(), "--format",
          "csv");
      assertEquals(0, s.code(), s.err());
      List<String> lines = Files.readAllLines(dir.resolve("out" + p).resolve("results.csv"));
      assertEquals(2, lines.size(), point.toString());
      Map<String, String> row = row(lines.get(0), lines.get(1));
      Map<String, String> text = new LinkedHashMap<>(point);
      text.values().removeIf(v -> v.equals("auto") || v.equals("model"));
      if (point.get("stack").equals("auto")) {
        text.put("stack", "auto");
      }
      CliTest.Run c = CliTest.run(cliArgs(text));
      if (!row.get("status").equals("ok")) {
        assertTrue(c.code() != 0, point + ": the CLI forecasts what the sweep could not: " + row.get("status"));
        assertTrue(c.err().contains(row.get("status").replace("\"", "")), c.err() + " vs " + row.get("status"));
        continue;
      }
      assertEquals(0, c.code(), point + ": " + c.err());
      ok++;
      JsonNode j = JSON.readTree(c.out());
      for (ForecastColumns.Column col : ForecastColumns.ALL) {
        String name = col.name();
        String cell = row.get(name.equals("prompt_len") || name.equals("output_len") || name.equals("batch")
            || name.equals("context_len") ? null : name);
        if (cell == null) {
          continue;
        }
        switch (col.type()) {
          case DOUBLE -> {
            double want = name.endsWith("_eff") ? j.get(name).asDouble()
                : life.table.Digits.round(j.get(name).asDouble(), 6);
            assertEquals(want, Double.parseDouble(cell), 0, point + " " + name);
          }
          case BOOLEAN -> assertEquals(j.get(name).asBoolean(), Boolean.parseBoolean(cell), point + " " + name);
          default -> assertEquals(j.get(name).asText(), cell, point + " " + name);
        }
      }
      long chunk = Long.parseLong(row.get("chunk"));
      assertTrue(chunk >= 0, row.toString());
    }
    assertTrue(ok >= 10, ok + " of 40 random points forecast");
  }

  /** A sweep point's settings as {@code life forecast} options (LoRA as rank and mode). */
  private static String[] cliArgs(Map<String, String> text) {
    Map<String, String> t = new LinkedHashMap<>(text);
    String lora = t.remove("lora");
    List<String> a = new ArrayList<>(List.of("forecast", "--format", "json"));
    a.addAll(ScenarioText.asArguments(t));
    if (lora != null && !lora.equals("none")) {
      String[] mr = lora.split(":");
      a.addAll(List.of("--lora-mode", mr[0], "--lora-rank", mr[1]));
    }
    return a.toArray(new String[0]);
  }

  /** A CSV data line by header name (the sweep's cells hold no commas except quoted status texts). */
  private static Map<String, String> row(String header, String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (char ch : line.toCharArray()) {
      if (ch == '"') {
        quoted = !quoted;
      } else if (ch == ',' && !quoted) {
        cells.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    cells.add(cur.toString());
    String[] h = header.split(",");
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < h.length; i++) {
      m.put(h[i], i < cells.size() ? cells.get(i) : "");
    }
    return m;
  }
}
