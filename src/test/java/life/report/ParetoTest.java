package life.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import life.exec.OutputFormat;
import life.exec.SweepRunner;
import life.sweep.SweepFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pareto frontiers of a real sweep against brute force over its results.csv. */
final class ParetoTest {
  @TempDir static Path dir;
  static Path results;

  @BeforeAll
  static void sweep() throws IOException {
    Path f = dir.resolve("p.yaml");
    Files.writeString(f, """
        name: p
        axes:
          model: [llama-2-7b, qwen2.5-7b]
          hardware: [nvidia-rtx-4090, nvidia-l4, apple-m2-max-38c, nvidia-h100-sxm5-80gb, amd-ryzen-9-9950x]
          weights: [none, int8, int4]
          prompt: [512, 2048]
          batch: [1, 4, 16]
        objectives: [tpot_ms:min, price_usd:min]
        """);
    results = dir.resolve("out");
    new SweepRunner(SweepFile.read(f), new SweepRunner.Options(results, false, 2, 0, 1,
        EnumSet.allOf(OutputFormat.class), 40, true, -1)).run();
  }

  private static List<String[]> rows(Path csv) throws IOException {
    List<String[]> out = new ArrayList<>();
    for (String line : Files.readAllLines(csv)) {
      out.add(line.split(",", -1));
    }
    return out;
  }

  @Test
  void frontsPerGroup_equalBruteForce_andCopyCellsExactly() throws IOException {
    ResultTable t = ResultTable.open(results);
    var o = new Pareto.Options(Objective.parseList("tpot_ms:min,tps_per_dollar:max,memory_gib:min",
        Pareto.numericColumns(t)), List.of("model", "prompt_len"), "fits", new Derived(3, 0.15));
    Pareto.Result r = Pareto.compute(t, o);
    Pareto.write(t, r, dir.resolve("front"));

    List<String[]> all = rows(results.resolve("results.csv"));
    List<String> h = List.of(all.get(0));
    Map<String, String> byPoint = new HashMap<>();
    Map<String, List<String[]>> groups = new HashMap<>();
    Derived d = new Derived(3, 0.15);
    for (String[] row : all.subList(1, all.size())) {
      byPoint.put(row[h.indexOf("point")], String.join(",", row));
      if (row[h.indexOf("fits")].equals("true")) {
        groups.computeIfAbsent(row[h.indexOf("model")] + "|" + row[h.indexOf("prompt_len")], k -> new ArrayList<>())
            .add(row);
      }
    }
    List<String[]> front = rows(dir.resolve("front/pareto.csv"));
    List<String> fh = List.of(front.get(0));
    Map<String, Set<String>> got = new HashMap<>();
    for (String[] row : front.subList(1, front.size())) {
      String group = row[0];
      // Group keys are respected: the group is the row's own model|prompt_len.
      assertEquals(row[fh.indexOf("model")] + "|" + row[fh.indexOf("prompt_len")], group);
      got.computeIfAbsent(group, k -> new TreeSet<>()).add(row[fh.indexOf("point")]);
      // Every result cell is copied as written.
      String[] cells = java.util.Arrays.copyOfRange(row, 1, 1 + h.size());
      assertEquals(byPoint.get(row[fh.indexOf("point")]), String.join(",", cells));
    }
    assertEquals(groups.keySet(), got.keySet());
    int tpot = h.indexOf("tpot_ms");
    int mem = h.indexOf("memory_gib");
    for (var e : groups.entrySet()) {
      List<String[]> g = e.getValue();
      Set<String> expected = new TreeSet<>();
      for (String[] a : g) {
        double[] ca = cost(a, h, tpot, mem, d);
        boolean dominated = false;
        for (String[] b : g) {
          dominated |= ParetoFront.dominates(cost(b, h, tpot, mem, d), ca);
        }
        if (!dominated) {
          expected.add(a[h.indexOf("point")]);
        }
      }
      assertEquals(expected, got.get(e.getKey()), e.getKey());
    }
    assertTrue(Files.size(dir.resolve("front/pareto.parquet")) > 0);
  }

  private static double[] cost(String[] row, List<String> h, int tpot, int mem, Derived d) {
    double tps = ResultTable.number(row[h.indexOf("throughput_tps")]);
    double perDollar = life.table.Digits.round(d.value("tps_per_dollar", tps,
        ResultTable.number(row[h.indexOf("price_usd")]), ResultTable.number(row[h.indexOf("tdp_w")])), 6);
    return new double[] {Double.parseDouble(row[tpot]), Double.isNaN(perDollar) ? Double.POSITIVE_INFINITY
        : -perDollar, Double.parseDouble(row[mem])};
  }

  @Test
  void unknownObjective_listsValidColumns() {
    ResultTable t = ResultTable.open(results);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Objective.parseList("tpot:min", Pareto.numericColumns(t)));
    assertTrue(e.getMessage().contains("tpot_ms") && e.getMessage().contains("cost_per_mtok_usd"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Pareto.compute(t, new Pareto.Options(
        Objective.parseList("tpot_ms:min", Pareto.numericColumns(t)), List.of("modle"), null, new Derived(3, 0))));
    assertTrue(e.getMessage().contains("modle") && e.getMessage().contains("hardware"), e.getMessage());
  }

  @Test
  void emptyOrMissingFolder_saysSo(@TempDir Path empty) throws IOException {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResultTable.open(empty));
    assertTrue(e.getMessage().contains("no manifest.json"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ResultTable.open(empty.resolve("nope")));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    Path f = empty.resolve("none.yaml");
    Files.writeString(f, "axes:\n  prompt: [100]\nwhere: [prompt > 1000]\n");
    new SweepRunner(SweepFile.read(f), new SweepRunner.Options(empty.resolve("r"), false, 1, 0, 1,
        EnumSet.of(OutputFormat.CSV), 10, true, -1)).run();
    e = assertThrows(IllegalArgumentException.class, () -> ResultTable.open(empty.resolve("r")));
    assertTrue(e.getMessage().contains("is empty"), e.getMessage());
  }

  /**
   * The HTML report of a sweep without serving columns opens offline: plotly is inlined, the frontier of each group
   * (two objectives: one chart) has a trace per device on it with each row on hover, there are no serving sections,
   * and every chart area draws in headless Chromium.
   */
  @Test
  void report_isSelfContained_andRendersInChromium() throws Exception {
    ResultTable t = ResultTable.open(results);
    var o = new Pareto.Options(Objective.parseList("tpot_ms:min,price_usd:min", Pareto.numericColumns(t)),
        List.of("model"), null, new Derived(3, 0.15));
    int charts = Report.write(t, o, 5, results);
    String html = Files.readString(results.resolve("report.html"));
    Map<String, String> sections = sections(html);
    assertEquals(2, areas(sections.get("Pareto frontiers")), "one frontier chart per model");
    assertEquals(2, areas(sections.get("Latency against prompt length")));
    assertEquals(5, areas(sections.get("Rooflines")), "a roofline per device");
    assertEquals(charts, areas(html));
    assertFalse(sections.containsKey("Serving capacity") || sections.containsKey("Latency against load")
        || html.contains("serving-scenario"), "no serving sections without serving columns");

    Pareto.Result front = Pareto.compute(t, o);
    List<String> cols = t.columns();
    int chart = 0;
    for (var e : front.fronts().entrySet()) {
      JsonNode data = newPlotData(html, "chart" + chart++);
      Map<String, Set<String>> expected = new TreeMap<>();
      for (Pareto.Row r : e.getValue()) {
        expected.computeIfAbsent(r.cells()[cols.indexOf("hardware")], k -> new TreeSet<>()).add("point " + r.point());
      }
      Map<String, Set<String>> got = new TreeMap<>();
      Set<String> colours = new HashSet<>();
      for (JsonNode trace : data) {
        String name = trace.get("name").asText();
        if (!name.equals("sampled rows") && !name.equals("frontier")) {
          colours.add(trace.get("marker").get("color").asText());
          for (JsonNode h : trace.get("hovertext")) {
            assertTrue(h.asText().startsWith("<b>" + name + "</b>"), h.asText());
            assertTrue(h.asText().contains("tpot_ms: ") && h.asText().contains("price_usd: "), h.asText());
            got.computeIfAbsent(name, k -> new TreeSet<>()).add(h.asText().replaceAll("(?s).*?(point \\d+).*", "$1"));
          }
        }
      }
      assertEquals(expected, got, e.getKey() + ": a trace per device, a point (and hover) per frontier row");
      assertEquals(expected.size(), colours.size(), "one colour per device");
    }

    assertTrue(html.contains("Plotly.newPlot") && html.length() > 5_000_000, "plotly.js inlined");
    assertTrue(!html.contains("<script src="), "nothing is loaded from the network");
    assertTrue(Files.readAllLines(results.resolve("summary.csv")).size() > 2);
    rendersInChromium(results, charts);
  }

  /**
   * A serving sweep's report: a frontier chart per pair of its three objectives, a capacity chart whose bars are the
   * cheapest row of each configuration and rate (ranked by cost at the largest rate, labelled with replicas × devices
   * per replica), a latency-against-load chart per device, a scenario per model/lengths/objectives in the selector;
   * every chart area draws in headless Chromium.
   */
  @Test
  void servingReport_showsCapacityAndLoad_andRendersInChromium(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("s.yaml");
    Files.writeString(f, """
        name: s
        axes:
          hardware: [amd-mi300x, nvidia-h100-sxm5-80gb, nvidia-l4, nvidia-rtx-4090]
          model: [llama-3.1-8b]
          weights: [none, int4]
          parallel: [1, tp:2]
          prompt: [512]
          output: [128]
          qps: [1, 8, 32]
          slo_ttft_ms: [1000]
          slo_tpot_ms: [20, 60]
        where: [fits]
        objectives: [usd_per_mtok:min, j_per_token:min, max_qps_at_slo:max]
        """);
    Path out = tmp.resolve("out");
    new SweepRunner(SweepFile.read(f), new SweepRunner.Options(out, false, 2, 0, 1, EnumSet.of(OutputFormat.CSV),
        1000, true, -1)).run();
    ResultTable t = ResultTable.open(out);
    var o = new Pareto.Options(Objective.parseList("usd_per_mtok:min,j_per_token:min,max_qps_at_slo:max",
        Pareto.numericColumns(t)), List.of(), null, new Derived(3, 0.15));
    int charts = Report.write(t, o, 5, out);
    String html = Files.readString(out.resolve("report.html"));
    Map<String, String> sections = sections(html);

    // Brute force over results.csv: per scenario, configuration and rate, the cheapest row.
    List<String[]> all = rows(out.resolve("results.csv"));
    List<String> h = List.of(all.get(0));
    Map<String, Map<String, Map<Double, String[]>>> cheapest = new LinkedHashMap<>();
    Set<String> devices = new TreeSet<>();
    TreeSet<Double> rates = new TreeSet<>();
    for (String[] r : all.subList(1, all.size())) {
      if (r[h.indexOf("max_qps_at_slo")].isEmpty()) {
        continue;
      }
      String scenario = r[h.indexOf("slo_tpot_ms")];
      Map<String, Map<Double, String[]>> configs = cheapest.computeIfAbsent(scenario, k -> new LinkedHashMap<>());
      double cost = ResultTable.number(r[h.indexOf("usd_per_mtok")]);
      if (Double.isNaN(cost)) {
        continue;
      }
      devices.add(r[h.indexOf("hardware")]);
      double qps = Double.parseDouble(r[h.indexOf("qps")]);
      rates.add(qps);
      Map<Double, String[]> byRate = configs.computeIfAbsent(r[h.indexOf("hardware")] + " · "
          + (r[h.indexOf("parallel")].equals("1") ? "1 device" : r[h.indexOf("parallel")]), k -> new TreeMap<>());
      String[] prev = byRate.get(qps);
      if (prev == null || cost < ResultTable.number(prev[h.indexOf("usd_per_mtok")])) {
        byRate.put(qps, r);
      }
    }
    assertEquals(2, cheapest.size(), "two scenarios: the TPOT objectives");
    assertTrue(devices.size() >= 2, "the small sweep has serving rows on several devices: " + devices);

    assertEquals(3, areas(sections.get("Pareto frontiers")), "a frontier chart per pair of three objectives");
    assertEquals(3, areas(sections.get("Pareto frontiers"), "chart half"));
    assertEquals(1, areas(sections.get("Serving capacity")), "one capacity chart, switched by the scenario selector");
    assertEquals(devices.size(), areas(sections.get("Latency against load")), "a latency chart per device");
    assertEquals(charts, areas(html));
    assertEquals(cheapest.size(), sections.get("Serving capacity").split("<option>", -1).length - 1);
    assertTrue(sections.get("Serving capacity").contains("<option>llama-3.1-8b · 512 → 128 tokens · p90 TTFT ≤ 1000 "
        + "ms, TPOT ≤ 20 ms</option>"), sections.get("Serving capacity"));

    JsonNode figures = servingFigures(html);
    List<String> ids = new ArrayList<>();
    figures.fieldNames().forEachRemaining(ids::add);
    assertEquals(1 + devices.size(), ids.size());
    int scenario = 0;
    for (Map<String, Map<Double, String[]>> configs : cheapest.values()) {
      List<String> ranked = new ArrayList<>(configs.keySet());
      ranked.removeIf(c -> configs.get(c).isEmpty());
      ranked.sort((a, b) -> {
        for (double r : rates.descendingSet()) {
          int c = Double.compare(cost(configs.get(a).get(r), h), cost(configs.get(b).get(r), h));
          if (c != 0) {
            return c;
          }
        }
        return a.compareTo(b);
      });
      JsonNode capacity = figures.get(ids.get(0)).get(scenario);
      assertEquals(rates.size(), capacity.get("data").size(), "a bar trace per rate");
      int k = 0;
      for (double rate : rates) {
        JsonNode bars = capacity.get("data").get(k++);
        assertEquals(ranked, strings(bars.get("y")), "ranked by cost at the largest rate, then the next");
        for (int i = 0; i < ranked.size(); i++) {
          String[] row = configs.get(ranked.get(i)).get(rate);
          double replicas = Double.parseDouble(row[h.indexOf("replicas")]);
          int perReplica = row[h.indexOf("parallel")].equals("tp:2") ? 2 : 1;
          long need = Math.round(replicas) * perReplica;
          assertEquals(Double.parseDouble(row[h.indexOf("usd_per_mtok")]), bars.get("x").get(i).asDouble(), 1e-12);
          assertEquals(need + (need == 1 ? " device" : " devices"), bars.get("text").get(i).asText());
          assertTrue(bars.get("hovertext").get(i).asText().contains("point " + row[h.indexOf("point")]));
        }
      }
      // The latency chart of the first device: a TTFT and a TPOT line per parallelism, the cheapest rows' values.
      String device = devices.iterator().next();
      JsonNode lines = figures.get(ids.get(1)).get(scenario).get("data");
      for (JsonNode line : lines) {
        if (line.get("name").asText().equals("objective")) {
          continue;
        }
        String config = device + " · " + line.get("name").asText();
        String metric = line.get("yaxis").asText().equals("y") ? "load_ttft_p90_ms" : "load_tpot_p90_ms";
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        configs.get(config).forEach((rate, row) -> {
          x.add(rate);
          y.add(Double.parseDouble(row[h.indexOf(metric)]));
        });
        assertEquals(x, numbers(line.get("x")), config);
        assertEquals(y, numbers(line.get("y")), config + " " + metric);
      }
      scenario++;
    }
    rendersInChromium(out, charts);
  }

  private static double cost(String[] row, List<String> h) {
    return row == null ? Double.POSITIVE_INFINITY : Double.parseDouble(row[h.indexOf("usd_per_mtok")]);
  }

  /** The report's sections by their heading, each up to the next heading. */
  private static Map<String, String> sections(String html) {
    Map<String, String> out = new LinkedHashMap<>();
    String[] parts = html.split("<h2>");
    for (int i = 1; i < parts.length; i++) {
      int end = parts[i].indexOf("</h2>");
      out.put(parts[i].substring(0, end), parts[i].substring(end));
    }
    return out;
  }

  /** Chart areas in {@code html}: divs of class {@code chart}. */
  private static int areas(String html) {
    return areas(html, "chart");
  }

  private static int areas(String html, String css) {
    return html.split("<div class='" + css + "[' ]", -1).length - 1;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The traces a chart area is drawn with. */
  private static JsonNode newPlotData(String html, String id) throws IOException {
    String call = "Plotly.newPlot('" + id + "', ";
    int at = html.indexOf(call);
    assertTrue(at >= 0, "no chart " + id);
    try (JsonParser p = JSON.getFactory().createParser(html.substring(at + call.length()))) {
      return JSON.readTree(p);
    }
  }

  /** The serving charts' figures: per chart area, one figure per scenario. */
  private static JsonNode servingFigures(String html) throws IOException {
    String var = "var figures = ";
    try (JsonParser p = JSON.getFactory().createParser(html.substring(html.indexOf(var) + var.length()))) {
      return JSON.readTree(p);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<Double> numbers(JsonNode array) {
    List<Double> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asDouble()));
    return out;
  }

  /** Every chart area of the report in {@code dir} draws in headless Chromium, without a JavaScript error. */
  private static void rendersInChromium(Path dir, int charts) throws Exception {
    boolean chromium = Files.isExecutable(Path.of("/usr/bin/chromium"));
    if (!chromium) {
      assertTrue(System.getenv("LIFE_REQUIRE_CHROMIUM") == null,
          "LIFE_REQUIRE_CHROMIUM is set but /usr/bin/chromium is missing");
      org.junit.jupiter.api.Assumptions.abort("chromium not installed here: browser check skipped (CI installs it)");
    }
    Process p = new ProcessBuilder("bash", "scripts/report-screenshot", dir.resolve("report.html").toString(),
        dir.resolve("report.png").toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains(charts + " charts drawn"), out);
    assertTrue(Files.size(dir.resolve("report.png")) > 10_000);
  }
}
