package life.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import life.catalog.HardwareCatalog;
import life.catalog.ModelCatalog;
import life.forecast.Forecast;
import life.forecast.Forecaster;
import life.forecast.Overlap;
import life.forecast.Request;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.ops.WeightFormat;
import life.spec.DType;
import life.sweep.SweepFile;
import life.sweep.SweepSpec;
import life.table.Digits;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep engine end to end on a small sweep: counts, resume, threads, shards, formats. */
final class SweepRunnerTest {
  private static final String SWEEP = """
      name: small
      axes:
        model: [llama-2-7b, mistral-7b, phi-3-mini]
        hardware: [nvidia-rtx-4090, apple-m2-max-38c, nvidia-l4]
        weights: [none, int4]
        prompt: [512, 2048, 3900]
        output: [64, 300]
        batch: [1, 16]
        stack: [none]
      where:
        - prompt + output <= max_context
        - batch * (prompt + output) <= 40_000
        - fits
      """;

  @TempDir Path dir;
  private SweepSpec spec;

  @BeforeEach
  void write() throws IOException {
    Path f = dir.resolve("small.yaml");
    Files.writeString(f, SWEEP);
    spec = SweepFile.read(f);
  }

  private SweepRunner.Options options(String out, boolean resume, int threads, int si, int sn, long stopAfter) {
    return new SweepRunner.Options(dir.resolve(out), resume, threads, si, sn, EnumSet.allOf(OutputFormat.class), 50,
        true, stopAfter);
  }

  private Manifest run(String out, int threads) throws IOException {
    return new SweepRunner(spec, options(out, false, threads, 0, 1, -1)).run();
  }

  /** Every part file of a result folder, by name. */
  private Map<String, byte[]> parts(String out) throws IOException {
    Map<String, byte[]> m = new TreeMap<>();
    try (var s = Files.list(dir.resolve(out).resolve("parts"))) {
      for (Path p : s.toList()) {
        m.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return m;
  }

  private void assertSameTables(String a, String b) throws IOException {
    Map<String, byte[]> pa = parts(a);
    Map<String, byte[]> pb = parts(b);
    assertEquals(pa.keySet(), pb.keySet());
    pa.forEach((k, v) -> assertArrayEquals(v, pb.get(k), k));
    assertArrayEquals(Files.readAllBytes(dir.resolve(a).resolve("results.csv")),
        Files.readAllBytes(dir.resolve(b).resolve("results.csv")));
  }

  @Test
  void constraintCounts_matchBruteForce() throws IOException {
    Manifest m = run("full", 2);
    assertEquals(3 * 3 * 2 * 3 * 2 * 2, m.jobs);
    // Axis-only constraints counted by hand over the grid, in the order they are checked.
    long ctx = 0;
    long tokens = 0;
    int[] maxCtx = {4096, 32768, 4096};
    for (int model = 0; model < 3; model++) {
      for (int rest = 0; rest < 3 * 2; rest++) {
        for (long p : new long[] {512, 2048, 3900}) {
          for (long o : new long[] {64, 300}) {
            for (long b : new long[] {1, 16}) {
              if (p + o > maxCtx[model]) {
                ctx++;
              } else if (b * (p + o) > 40_000) {
                tokens++;
              }
            }
          }
        }
      }
    }
    assertEquals(ctx, m.removedBy.get("prompt + output <= max_context"));
    assertEquals(tokens, m.removedBy.get("batch * (prompt + output) <= 40_000"));
    long fits = m.removedBy.get("fits");
    assertTrue(fits > 0, "the 24 GiB L4 and RTX 4090 cannot hold every fp16 batch");
    assertEquals(m.jobs - ctx - tokens - fits, m.rows);
    assertEquals(m.rows + 1, Files.readAllLines(dir.resolve("full/results.csv")).size());
    assertTrue(m.complete);
  }

  @Test
  void threadCount_doesNotChangeOutput() throws IOException {
    run("one", 1);
    run("two", 2);
    assertSameTables("one", "two");
  }

  @Test
  void resumeAfterInterruption_givesIdenticalTables() throws IOException {
    run("whole", 2);
    Manifest first = new SweepRunner(spec, options("resumed", false, 2, 0, 1, 2)).run();
    assertFalse(first.complete);
    assertEquals(2, first.completedCount());
    // A crash mid-chunk leaves a temporary file; resume removes it and redoes the chunk.
    Files.writeString(dir.resolve("resumed/parts/part-00000005.csv.tmp"), "half a chunk");
    Manifest second = new SweepRunner(spec, options("resumed", true, 2, 0, 1, -1)).run();
    assertTrue(second.complete);
    assertEquals(run("check", 1).rows, second.rows);
    assertSameTables("whole", "resumed");
    assertFalse(Files.exists(dir.resolve("resumed/parts/part-00000005.csv.tmp")));
  }

  @Test
  void rerunWithoutResume_refusesANonEmptyFolder() throws IOException {
    run("x", 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run("x", 2));
    assertTrue(e.getMessage().contains("--resume"), e.getMessage());
  }

  @Test
  void resumeWithAnotherSweep_isRefused() throws IOException {
    new SweepRunner(spec, options("y", false, 1, 0, 1, 1)).run();
    Path other = dir.resolve("other.yaml");
    Files.writeString(other, SWEEP.replace("[64, 300]", "[64, 301]"));
    SweepSpec changed = SweepFile.read(other);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SweepRunner(changed, options("y", true, 1, 0, 1, -1)).run());
    assertTrue(e.getMessage().contains("the sweep file " + other + " changed since the run started"), e.getMessage());
  }

  @Test
  void threeShardsMerged_equalTheWholeSweep() throws IOException {
    run("whole", 2);
    for (int i = 0; i < 3; i++) {
      assertTrue(new SweepRunner(spec, options("shard" + i, false, 1, i, 3, -1)).run().complete);
    }
    Manifest m = Merger.merge(List.of(dir.resolve("shard2"), dir.resolve("shard0"), dir.resolve("shard1")),
        dir.resolve("merged"));
    assertTrue(m.complete);
    assertSameTables("whole", "merged");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Merger.merge(List.of(dir.resolve("shard0"), dir.resolve("shard1")), dir.resolve("m2")));
    assertTrue(e.getMessage().contains("shard 2/3 is missing"), e.getMessage());
  }

  /** DuckDB (an independent reader) sees the same table in the Parquet parts as in the CSV. */
  @Test
  void parquetParts_readBackEqualTheCsv() throws Exception {
    run("pq", 2);
    String pq = dir.resolve("pq/parts").toString() + "/*.parquet";
    String csv = dir.resolve("pq/results.csv").toString();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE p AS SELECT * FROM read_parquet('" + pq + "')");
      st.execute("CREATE TABLE c AS SELECT * FROM read_csv('" + csv + "', header = true, nullstr = '')");
      try (ResultSet r = st.executeQuery("SELECT count(*) FROM p")) {
        r.next();
        assertEquals(run("count", 1).rows, r.getLong(1));
      }
      String[] cols = {"point", "model", "hardware", "weights", "prompt_len", "batch", "ttft_ms", "tpot_ms",
          "memory_gib", "fits", "decode_bound"};
      StringBuilder cmp = new StringBuilder("SELECT count(*) FROM p JOIN c USING (point) WHERE ");
      for (int i = 1; i < cols.length; i++) {
        cmp.append(i > 1 ? " OR " : "").append("CAST(p.").append(cols[i]).append(" AS VARCHAR) <> CAST(c.")
            .append(cols[i]).append(" AS VARCHAR)");
      }
      try (ResultSet r = st.executeQuery(cmp.toString())) {
        r.next();
        assertEquals(0, r.getLong(1), "rows differing between Parquet and CSV");
      }
      try (ResultSet r = st.executeQuery("SELECT count(*) FROM p JOIN c USING (point)")) {
        r.next();
        assertEquals(run("count2", 1).rows, r.getLong(1));
      }
    }
  }

  /** A sweep row carries the same numbers as the forecast of that point, to the tables' 6 significant digits. */
  @Test
  void sweepRow_equalsTheForecastOfItsPoint() throws Exception {
    run("rows", 1);
    List<String> lines = Files.readAllLines(dir.resolve("rows/results.csv"));
    List<String> header = List.of(lines.get(0).split(","));
    String row = lines.stream().filter(l -> l.contains(",mistral-7b,apple-m2-max-38c,fp16,int4,") && l.contains(
        ",2048,300,16,")).findFirst().orElseThrow();
    String[] v = row.split(",");
    GraphOptions o = GraphOptions.defaults(DType.FP16).withWeights(WeightFormat.bits(4, 128));
    Forecast f = new Forecaster(GraphBuilder.build(ModelCatalog.builtIn().resolve("mistral-7b"), o), HardwareCatalog.builtIn().resolve("apple-m2-max-38c"), life.stack.Efficiencies.of((HardwareCatalog.builtIn().resolve("apple-m2-max-38c")).kind()), Overlap.OPERATOR).forecast(new Request(2048, 300, 16));
    assertEquals(Digits.round(f.ttftMs(), 6), Double.parseDouble(v[header.indexOf("ttft_ms")]), 0);
    assertEquals(Digits.round(f.tpotMs(), 6), Double.parseDouble(v[header.indexOf("tpot_ms")]), 0);
    assertEquals(Digits.round(f.memoryGib(), 6), Double.parseDouble(v[header.indexOf("memory_gib")]), 0);
    assertEquals(Digits.round(f.dispatchesPerStep(), 6), Double.parseDouble(v[header.indexOf("dispatches_per_step")]), 0);
    assertEquals(f.decodeBound().id(), v[header.indexOf("decode_bound")]);
    assertEquals("4.25", v[header.indexOf("weight_bits")]);
    assertEquals("ok", v[header.indexOf("status")]);
  }

  /** A tensor-parallel point: its row is the tp forecast, and the price and power are both devices'. */
  @Test
  void parallelAxis_rowIsTheTensorParallelForecast() throws Exception {
    Path f = dir.resolve("tp.yaml");
    Files.writeString(f, "name: tp\naxes:\n  model: [llama-3.1-8b]\n  hardware: [nvidia-rtx-4090]\n"
        + "  parallel: [1, tp:2, tp:3]\n  prompt: [1024]\n  output: [128]\n  batch: [4]\n"
        + "  stack: [none]\n");
    Manifest m = new SweepRunner(SweepFile.read(f), new SweepRunner.Options(dir.resolve("tp"), false, 1, 0, 1,
        EnumSet.of(OutputFormat.CSV), 50, true, -1)).run();
    assertEquals(3, m.rows);
    assertEquals(1, m.failed, "tp:3 does not divide 32 heads");
    List<String> lines = Files.readAllLines(dir.resolve("tp/results.csv"));
    List<String> header = List.of(lines.get(0).split(","));
    String[] one = lines.get(1).split(",", -1);
    String[] two = lines.get(2).split(",", -1);
    String[] three = lines.get(3).split(",", -1);
    assertEquals("tp:2", two[header.indexOf("parallel")]);
    GraphOptions o = GraphOptions.defaults(DType.FP16).withParallel(life.ops.Parallelism.parse("tp:2"));
    Forecast fc = new Forecaster(GraphBuilder.build(ModelCatalog.builtIn().resolve("llama-3.1-8b"), o), HardwareCatalog.builtIn().resolve("nvidia-rtx-4090"), life.stack.Efficiencies.of((HardwareCatalog.builtIn().resolve("nvidia-rtx-4090")).kind()), Overlap.OPERATOR).forecast(new Request(1024, 128, 4));
    assertEquals(Digits.round(fc.tpotMs(), 6), Double.parseDouble(two[header.indexOf("tpot_ms")]), 0);
    assertEquals(Digits.round(fc.weightsGib(), 6), Double.parseDouble(two[header.indexOf("weights_gib")]), 0);
    int price = header.indexOf("price_usd");
    assertEquals(2 * Double.parseDouble(one[price]), Double.parseDouble(two[price]), 1e-9);
    assertTrue(three[header.indexOf("status")].contains("tp:3 does not divide the 32 attention heads"));
  }

  /**
   * With {@code intervals: true} each time and rate gets its 80 % interval, the band of its basis, stack and phase
   * applied to it (the same as {@code life forecast}'s); without it the columns are not there.
   */
  @Test
  void intervals_areTheBandsOfEachRowsBasisStackAndPhase() throws Exception {
    Path f = dir.resolve("iv.yaml");
    String body = "axes:\n  model: [llama-2-7b]\n  hardware: [nvidia-rtx-4090, intel-arc-b580]\n"
        + "  weights: [q4_0]\n  prompt: [512]\n  output: [128]\n  stack: [llama.cpp/cuda, llama.cpp/sycl]\n";
    Files.writeString(f, "name: iv\nintervals: true\n" + body);
    Manifest m = new SweepRunner(SweepFile.read(f), new SweepRunner.Options(dir.resolve("iv"), false, 1, 0, 1,
        EnumSet.of(OutputFormat.CSV), 50, true, -1)).run();
    assertEquals(4, m.rows);
    List<String> lines = Files.readAllLines(dir.resolve("iv/results.csv"));
    List<String> header = List.of(lines.get(0).split(","));
    int checked = 0;
    for (String line : lines.subList(1, lines.size())) {
      String[] v = line.split(",", -1);
      if (!v[header.indexOf("status")].equals("ok")) {
        continue;
      }
      life.stack.Intervals.Basis basis = life.stack.Intervals.Basis.of(v[header.indexOf("efficiencies")]);
      String stack = v[header.indexOf("stack")].replaceFirst("@.*$", "");
      for (Map.Entry<String, life.stack.Intervals.Phase> c : life.stack.Intervals.COLUMNS.entrySet()) {
        double x = Double.parseDouble(v[header.indexOf(c.getKey())]);
        double[] lohi = life.stack.Intervals.interval(c.getKey(), x,
            life.stack.Intervals.of(basis, stack, c.getValue()));
        assertEquals(Digits.round(lohi[0], 6), Double.parseDouble(v[header.indexOf(c.getKey() + "_lo")]),
            1e-5 * Math.abs(lohi[0]), c.getKey());
        assertEquals(Digits.round(lohi[1], 6), Double.parseDouble(v[header.indexOf(c.getKey() + "_hi")]),
            1e-5 * Math.abs(lohi[1]), c.getKey());
        assertTrue(lohi[0] < lohi[1], c.getKey());
        checked++;
      }
    }
    assertTrue(checked >= 12, "rows with intervals checked: " + checked);
    Files.writeString(f, "name: iv\n" + body);
    new SweepRunner(SweepFile.read(f), new SweepRunner.Options(dir.resolve("plain"), false, 1, 0, 1,
        EnumSet.of(OutputFormat.CSV), 50, true, -1)).run();
    String plain = Files.readAllLines(dir.resolve("plain/results.csv")).get(0);
    assertFalse(plain.contains("_lo"), plain);
    assertEquals(lines.get(0), plain + "," + String.join(",", life.stack.Intervals.COLUMNS.keySet().stream()
        .flatMap(n -> java.util.stream.Stream.of(n + "_lo", n + "_hi")).toList()));
  }
}
