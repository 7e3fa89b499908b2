package life.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import life.catalog.HardwareCatalog;
import life.catalog.ModelCatalog;
import life.forecast.Forecaster;
import life.forecast.OpTiming;
import life.forecast.Overlap;
import life.forecast.Request;
import life.io.Commit;
import life.io.FileOutput;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.spec.DType;
import life.spec.HardwareSpec;
import tech.tablesaw.aggregate.AggregateFunctions;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Marker;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/**
 * The hardware-selection report of a sweep: one self-contained HTML file (plotly.js inlined, nothing fetched) with
 * a frontier scatter per group (dominated points faded), a roofline per device with the operators of a forecast
 * placed on it, TTFT and TPOT against prompt length per device, a top-N table per group and the manifest; and
 * {@code summary.csv} (per group and device: frontier rows and the range of each objective). Tables are built
 * and summarized with Tablesaw.
 */
public final class Report {
  private static final String PLOTLY = "/META-INF/resources/webjars/plotly.js-dist/2.35.3/plotly.js";
  private static final int MAX_GROUPS = 12;
  private static final int MAX_DEVICES = 8;
  private static final int SAMPLE_PER_GROUP = 800;

  private final ResultTable table;
  private final Pareto.Options options;
  private final int topN;
  private final StringBuilder body = new StringBuilder();
  private int charts;

  private Report(ResultTable table, Pareto.Options options, int topN) {
    this.table = table;
    this.options = options;
    this.topN = topN;
  }

  /**
   * Writes {@code report.html} and {@code summary.csv} into {@code dir}, published together ({@link
   * Commit#publishTogether}); returns the number of charts.
   */
  public static int write(ResultTable table, Pareto.Options options, int topN, Path dir) throws IOException {
    Report r = new Report(table, options, topN);
    return r.build(dir);
  }

  private int build(Path dir) throws IOException {
    Pareto.Result front = Pareto.compute(table, options);
    Table frontier = frontierTable(front);
    Survey survey = survey();
    Map<String, List<double[]>> sample = survey.sample;
    List<Objective> obj = options.objectives();

    section("Pareto frontiers", "Objectives: " + Pareto.describe(obj) + (options.by().isEmpty() ? ""
        : "; one front per " + String.join(", ", options.by())) + (options.where() == null ? ""
        : "; rows where " + esc(options.where())) + ". " + front.rowsRead() + " rows, " + front.frontRows()
        + " on a frontier. Faded: a sample of the dominated rows.");
    int g = 0;
    for (String group : front.fronts().keySet()) {
      if (g++ >= MAX_GROUPS) {
        body.append("<p>… ").append(front.fronts().size() - MAX_GROUPS).append(" more groups in pareto.csv</p>");
        break;
      }
      frontierChart(group, frontier, sample.getOrDefault(group, List.of()));
    }

    section("Top " + topN + " per group", "Frontier rows sorted by " + obj.get(0) + ".");
    for (String group : front.fronts().keySet()) {
      Table t = frontier.where(frontier.stringColumn("front").isEqualTo(group));
      t = obj.get(0).maximize() ? t.sortDescendingOn(obj.get(0).column()) : t.sortAscendingOn(obj.get(0).column());
      body.append("<h3>").append(esc(group)).append("</h3>").append(html(t.first(topN), columnsForTop()));
    }

    latencyCharts(survey);
    rooflineCharts(survey);

    section("Manifest", "The sweep these results come from.");
    Map<String, Object> m = new LinkedHashMap<>();
    var mf = table.manifest();
    m.put("sweep", mf.sweepName);
    m.put("sweep file", mf.sweepFile);
    m.put("sweep sha256", mf.sweepSha256);
    m.put("tool version", mf.toolVersion);
    m.put("points", mf.points);
    m.put("rows", mf.rows);
    m.put("could not be forecast", mf.failed);
    m.put("removed by where", mf.removedBy);
    m.put("chunks", mf.completedCount() + " of " + mf.chunks + (mf.complete ? " (complete)" : " (incomplete)"));
    m.put("elapsed s", String.format(Locale.ROOT, "%.1f", mf.elapsedS));
    body.append("<table>");
    m.forEach((k, v) -> body.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(String.valueOf(v)))
        .append("</td></tr>"));
    body.append("</table>");

    Table summary = summary(frontier);
    Files.createDirectories(dir);
    try (java.io.Writer w = new java.io.OutputStreamWriter(FileOutput.create(Commit.temp(dir.resolve("summary.csv"))),
        StandardCharsets.UTF_8)) {
      summary.write().csv(w);
    }
    try (FileOutput w = FileOutput.create(Commit.temp(dir.resolve("report.html")))) {
      w.write(page(mf.sweepName).getBytes(StandardCharsets.UTF_8));
    }
    Commit.publishTogether(dir, "report", List.of("report.html", "summary.csv"));
    return charts;
  }

  /** The frontier rows as a Tablesaw table: group, ids, objective and derived columns. */
  private Table frontierTable(Pareto.Result r) {
    List<String> cols = r.columns();
    List<String> text = List.of("front", "model", "hardware", "weights", "lora", "fusion", "status");
    List<String> nums = new ArrayList<>(List.of("prompt_len", "output_len", "batch", "ttft_ms", "tpot_ms", "tps",
        "throughput_tps", "memory_gib", "price_usd", "tdp_w"));
    for (Objective o : options.objectives()) {
      if (!nums.contains(o.column())) {
        nums.add(o.column());
      }
    }
    nums.removeAll(Derived.NAMES);
    Table t = Table.create("frontier");
    for (String c : text) {
      t.addColumns(StringColumn.create(c));
    }
    for (String c : nums) {
      t.addColumns(DoubleColumn.create(c));
    }
    for (String c : Derived.NAMES) {
      t.addColumns(DoubleColumn.create(c));
    }
    for (List<Pareto.Row> rows : r.fronts().values()) {
      for (Pareto.Row row : rows) {
        for (String c : text) {
          t.stringColumn(c).append(c.equals("front") ? row.group() : row.cells()[cols.indexOf(c)]);
        }
        for (String c : nums) {
          t.doubleColumn(c).append(ResultTable.number(row.cells()[cols.indexOf(c)]));
        }
        for (int i = 0; i < Derived.NAMES.size(); i++) {
          t.doubleColumn(Derived.NAMES.get(i)).append(row.derived()[i]);
        }
      }
    }
    return t;
  }

  /** Per group and device: frontier rows and the range of each objective (Tablesaw group-by). */
  private Table summary(Table frontier) {
    List<String> cols = options.objectives().stream().map(Objective::column).distinct().toList();
    Table out = null;
    for (String c : cols) {
      // One summary per objective over the same groups (same row order); their min/max columns are put side by side.
      Table s = frontier.summarize(c, AggregateFunctions.count, AggregateFunctions.min, AggregateFunctions.max)
          .by("front", "hardware");
      if (out == null) {
        out = s;
        out.column(2).setName("frontier_rows");
      } else {
        out.addColumns(s.column(3), s.column(4));
      }
    }
    out.setName("summary");
    return out.sortOn("front", "hardware");
  }

  /**
   * What the charts need beyond the fronts, gathered in one pass over the results: a reservoir sample of each
   * group's objective values (the faded points), the devices, the first model, and per (device, prompt length) the
   * best TTFT and TPOT of that model.
   */
  private static final class Survey {
    final Map<String, List<double[]>> sample = new HashMap<>();
    final Map<String, long[]> seen = new HashMap<>();
    final java.util.TreeSet<String> devices = new java.util.TreeSet<>();
    String model;
    final Map<String, double[]> best = new TreeMap<>();
  }

  private Survey survey() throws IOException {
    Pareto.Scan scan = new Pareto.Scan(table, options);
    List<String> cols = table.columns();
    int model = cols.indexOf("model");
    int hw = cols.indexOf("hardware");
    int prompt = cols.indexOf("prompt_len");
    int ttft = cols.indexOf("ttft_ms");
    int tpot = cols.indexOf("tpot_ms");
    Survey sv = new Survey();
    Random rnd = new Random(12345);
    table.forEachRow(c -> {
      sv.devices.add(c[hw]);
      if (sv.model == null) {
        sv.model = c[model];
      }
      if (c[model].equals(sv.model) && !c[ttft].isEmpty()) {
        double[] b = sv.best.computeIfAbsent(c[hw] + "\t" + c[prompt], k -> new double[] {Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY});
        b[0] = Math.min(b[0], ResultTable.number(c[ttft]));
        b[1] = Math.min(b[1], ResultTable.number(c[tpot]));
      }
      if (!scan.read(c)) {
        return;
      }
      double[] v = scan.objectives();
      List<double[]> list = sv.sample.computeIfAbsent(scan.group, k -> new ArrayList<>());
      long n = ++sv.seen.computeIfAbsent(scan.group, k -> new long[1])[0];
      if (list.size() < SAMPLE_PER_GROUP) {
        list.add(v);
      } else {
        long j = (long) (rnd.nextDouble() * n);
        if (j < SAMPLE_PER_GROUP) {
          list.set((int) j, v);
        }
      }
    });
    return sv;
  }

  private void frontierChart(String group, Table frontier, List<double[]> sample) {
    List<Objective> obj = options.objectives();
    Objective ox = obj.get(0);
    Objective oy = obj.size() > 1 ? obj.get(1) : obj.get(0);
    Table f = frontier.where(frontier.stringColumn("front").isEqualTo(group)).sortAscendingOn(ox.column());
    double[] sx = sample.stream().mapToDouble(v -> v[0]).toArray();
    double[] sy = sample.stream().mapToDouble(v -> v[obj.size() > 1 ? 1 : 0]).toArray();
    String[] labels = new String[f.rowCount()];
    for (int i = 0; i < labels.length; i++) {
      Row r = f.row(i);
      labels[i] = r.getString("hardware") + " " + r.getString("weights") + " batch " + (long) r.getDouble("batch");
    }
    Trace dominated = ScatterTrace.builder(sx, sy).name("sampled rows").mode(ScatterTrace.Mode.MARKERS)
        .marker(Marker.builder().color("#9aa5b1").opacity(0.25).size(5).build()).build();
    Trace front = ScatterTrace.builder(f.doubleColumn(ox.column()).asDoubleArray(),
        f.doubleColumn(oy.column()).asDoubleArray()).name("frontier").mode(ScatterTrace.Mode.LINE_AND_MARKERS)
        .text(labels).marker(Marker.builder().color("#d62728").size(9).build()).build();
    chart(new Figure(Layout.builder().title(group + ": " + ox + " vs " + oy).height(420).width(760)
        .xAxis(Axis.builder().title(ox.column()).type(Axis.Type.LOG).build())
        .yAxis(Axis.builder().title(oy.column()).type(Axis.Type.LOG).build()).build(), dominated, front));
  }

  /** TTFT and TPOT against prompt length, one line per device: the best over the other axes (first model). */
  private void latencyCharts(Survey sv) {
    Table t = Table.create("latency", StringColumn.create("hardware"), IntColumn.create("prompt_len"),
        DoubleColumn.create("Min [ttft_ms]"), DoubleColumn.create("Min [tpot_ms]"));
    sv.best.forEach((k, v) -> {
      String[] p = k.split("\t");
      t.stringColumn("hardware").append(p[0]);
      t.intColumn("prompt_len").append(Integer.parseInt(p[1]));
      t.doubleColumn("Min [ttft_ms]").append(v[0]);
      t.doubleColumn("Min [tpot_ms]").append(v[1]);
    });
    Table best = t.sortOn("hardware", "prompt_len");
    section("Latency against prompt length", "Model " + esc(sv.model) + "; each point is the best over the other "
        + "axes (batch, quantization, ...).");
    for (String metric : List.of("ttft_ms", "tpot_ms")) {
      List<Trace> traces = new ArrayList<>();
      int d = 0;
      for (String h : best.stringColumn("hardware").unique().asList()) {
        if (d++ >= MAX_DEVICES * 2) {
          break;
        }
        Table s = best.where(best.stringColumn("hardware").isEqualTo(h));
        traces.add(ScatterTrace.builder(s.intColumn("prompt_len").asDoubleArray(),
            s.doubleColumn("Min [" + metric + "]").asDoubleArray()).name(h).mode(ScatterTrace.Mode.LINE_AND_MARKERS)
            .build());
      }
      chart(new Figure(Layout.builder().title(metric + " against prompt length").height(420).width(760)
          .xAxis(Axis.builder().title("prompt_len").type(Axis.Type.LOG).build())
          .yAxis(Axis.builder().title(metric).type(Axis.Type.LOG).build()).build(), traces.toArray(new Trace[0])));
    }
  }

  /** Per device: its roofline and the operators of a prefill and a decode step of the sweep's first model. */
  private void rooflineCharts(Survey sv) {
    java.util.SortedSet<String> devices = sv.devices;

    section("Rooflines", "Each device's roofline (compute_eff × 16-bit peak, mem_eff × bandwidth) with the "
        + "operators of " + esc(sv.model) + " (fp16, prompt 1024, batch 1): prefill (circles) and one decode step "
        + "(squares) at their arithmetic intensity and attained rate.");
    HardwareCatalog catalog = HardwareCatalog.builtIn();
    int n = 0;
    for (String id : devices) {
      if (n++ >= MAX_DEVICES) {
        body.append("<p>… ").append(devices.size() - MAX_DEVICES).append(" more devices</p>");
        break;
      }
      HardwareSpec h;
      try {
        h = catalog.resolve(id);
      } catch (RuntimeException e) {
        continue;
      }
      Forecaster f;
      try {
        life.scenario.Built b = life.scenario.ScenarioText.setup(java.util.Map.of("model", sv.model, "hardware", id,
            "stack", "none"), catalog, null).build();
        if (!(b instanceof life.scenario.Built.Ready ready)) {
          continue;
        }
        f = ready.forecaster();
      } catch (IllegalArgumentException e) {
        continue;
      }
      double peak = f.efficiencies().computeEff() * (h.peak(DType.FP16).isPresent()
          ? h.peak(DType.FP16).getAsDouble() : h.peak(DType.BF16).orElse(Double.NaN)) / 1e9;
      double bw = f.efficiencies().memEff() * h.memBytesPerSecond() / 1e9;
      double[] ix = {0.01, peak / bw, 1e5};
      double[] iy = {0.01 * bw, peak, peak};
      List<Trace> traces = new ArrayList<>();
      traces.add(ScatterTrace.builder(ix, iy).name("roofline").mode(ScatterTrace.Mode.LINE).build());
      for (String phase : List.of("prefill", "decode")) {
        List<double[]> pts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (OpTiming op : f.breakdown(new Request(1024, 2, 1))) {
          if (op.phase().equals(phase) && op.gops() > 0 && op.gb() > 0 && op.timeMs() > 0) {
            pts.add(new double[] {op.gops() / op.gb(), op.gops() / (op.timeMs() / 1e3)});
            names.add(op.op());
          }
        }
        traces.add(ScatterTrace.builder(pts.stream().mapToDouble(p -> p[0]).toArray(),
            pts.stream().mapToDouble(p -> p[1]).toArray()).name(phase).mode(ScatterTrace.Mode.MARKERS)
            .text(names.toArray(new String[0])).marker(Marker.builder().size(8)
            .symbol(phase.equals("prefill") ? tech.tablesaw.plotly.components.Symbol.CIRCLE
                : tech.tablesaw.plotly.components.Symbol.SQUARE).build()).build());
      }
      chart(new Figure(Layout.builder().title("Roofline: " + id).height(400).width(760)
          .xAxis(Axis.builder().title("arithmetic intensity (ops/byte)").type(Axis.Type.LOG).build())
          .yAxis(Axis.builder().title("attained GOP/s").type(Axis.Type.LOG).build()).build(),
          traces.toArray(new Trace[0])));
    }
  }

  private List<String> columnsForTop() {
    List<String> c = new ArrayList<>(List.of("hardware", "weights", "batch", "prompt_len", "output_len"));
    for (Objective o : options.objectives()) {
      if (!c.contains(o.column())) {
        c.add(o.column());
      }
    }
    for (String extra : List.of("ttft_ms", "tpot_ms", "memory_gib", "price_usd")) {
      if (!c.contains(extra)) {
        c.add(extra);
      }
    }
    return c;
  }

  private void chart(Figure f) {
    String div = "chart" + charts++;
    body.append("<div class='chart' id='").append(div).append("'></div>\n").append(f.asJavascript(div)).append('\n');
  }

  private void section(String title, String text) {
    body.append("<h2>").append(esc(title)).append("</h2><p>").append(text).append("</p>\n");
  }

  private static String html(Table t, List<String> cols) {
    StringBuilder sb = new StringBuilder("<table><tr>");
    for (String c : cols) {
      sb.append("<th>").append(esc(c)).append("</th>");
    }
    sb.append("</tr>");
    for (int i = 0; i < t.rowCount(); i++) {
      sb.append("<tr>");
      for (String c : cols) {
        sb.append("<td>").append(esc(t.column(c).getString(i))).append("</td>");
      }
      sb.append("</tr>");
    }
    return sb.append("</table>").toString();
  }

  private String page(String name) throws IOException {
    String plotly;
    try (InputStream in = Report.class.getResourceAsStream(PLOTLY)) {
      if (in == null) {
        throw new IOException("plotly.js is missing from the classpath (" + PLOTLY + ")");
      }
      plotly = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    return "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>LIFE report: " + esc(name) + "</title>\n"
        + "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;"
        + "margin:0.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px;text-align:left}"
        + ".chart{margin:1em 0}</style>\n<script>" + plotly.replace("</script>", "<\\/script>")
        + "</script>\n</head><body><h1>LIFE report: " + esc(name) + "</h1>\n" + body + "</body></html>\n";
  }

  private static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
  }
}
