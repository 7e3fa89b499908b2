package life.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** The HTML report opens offline: plotly is inlined, one drawn chart per chart area, in headless Chromium. */
  @Test
  void report_isSelfContained_andRendersInChromium() throws Exception {
    ResultTable t = ResultTable.open(results);
    var o = new Pareto.Options(Objective.parseList("tpot_ms:min,price_usd:min", Pareto.numericColumns(t)),
        List.of("model"), null, new Derived(3, 0.15));
    int charts = Report.write(t, o, 5, results);
    String html = Files.readString(results.resolve("report.html"));
    assertTrue(charts >= 2 + 2 + 5, "frontier per group, two latency charts, a roofline per device: " + charts);
    assertTrue(html.contains("Plotly.newPlot") && html.length() > 5_000_000, "plotly.js inlined");
    assertTrue(!html.contains("<script src="), "nothing is loaded from the network");
    assertTrue(Files.readAllLines(results.resolve("summary.csv")).size() > 2);
    boolean chromium = Files.isExecutable(Path.of("/usr/bin/chromium"));
    if (!chromium) {
      assertTrue(System.getenv("LIFE_REQUIRE_CHROMIUM") == null,
          "LIFE_REQUIRE_CHROMIUM is set but /usr/bin/chromium is missing");
      org.junit.jupiter.api.Assumptions.abort("chromium not installed here: browser check skipped (CI installs it)");
    }
    Process p = new ProcessBuilder("bash", "scripts/report-screenshot", results.resolve("report.html").toString(),
        results.resolve("report.png").toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains(charts + " charts drawn"), out);
    assertTrue(Files.size(results.resolve("report.png")) > 10_000);
  }
}
