package life.report;

import java.io.IOException;
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
import tech.tablesaw.plotly.components.Line;
import tech.tablesaw.plotly.components.Marker;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/**
 * The hardware-selection report of a sweep: one self-contained HTML file (plotly.js inlined, nothing fetched) with,
 * per group, a frontier scatter per pair of objectives (points coloured by device, the row on hover, a sample of
 * all rows faded), a top-N table per group, for sweeps with serving columns the capacity and latency-against-load
 * charts of {@link ServingCharts}, TTFT and TPOT against prompt length per device, a roofline per device with the
 * operators of a forecast placed on it, and the manifest; and {@code summary.csv} (per group and device: frontier
 * rows and the range of each objective). Tables are built and summarized with Tablesaw.
 */
public final class Report {
  private static final int MAX_GROUPS = 12;
  private static final int MAX_DEVICES = 8;
  private static final int SAMPLE_PER_GROUP = 800;
  /** Columns a sweep axis sets: those whose value differs between rows are named in a frontier point's hover. */
  private static final List<String> INPUTS = List.of("model", "hardware", "dtype", "weights", "kv_bits", "kv_keep",
      "lora", "attention", "window", "fusion", "overlap", "counting", "stack_requested", "parallel", "prompt_len",
      "output_len", "batch", "chunk", "qps", "slo_ttft_ms", "slo_tpot_ms");
  private static final List<String> SERVING = List.of("qps", "slo_ttft_ms", "slo_tpot_ms", "max_qps_at_slo",
      "replicas", "load_ttft_p90_ms", "load_tpot_p90_ms", "usd_per_mtok", "j_per_token");

  private final ResultTable table;
  private final Pareto.Options options;
  private final int topN;
  private final Page page = new Page();
  private final Map<String, String> colours = new HashMap<>();
  private final List<String> varyingInputs = new ArrayList<>();

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
    int d = 0;
    for (String device : survey.devices) {
      colours.put(device, Plot.colour(d++));
    }
    List<Objective> obj = options.objectives();
    for (int i = 0; i < INPUTS.size(); i++) {
      if (survey.varies[i]) {
        varyingInputs.add(INPUTS.get(i));
      }
    }

    int pairs = obj.size() * (obj.size() - 1) / 2;
    FrontierCharts charts = new FrontierCharts(table.columns(), obj, colours, varyingInputs);
    page.section("Pareto frontiers", "Objectives: " + Pareto.describe(obj) + (options.by().isEmpty() ? ""
        : "; one front per " + String.join(", ", options.by())) + (options.where() == null ? ""
        : "; rows where " + Page.esc(options.where())) + ". " + front.rowsRead() + " rows, " + front.frontRows()
        + " on a frontier" + (pairs > 1 ? ", shown on each pair of objectives (a point on the front of all "
        + obj.size() + " can look dominated on one pair)" : "") + ". Frontier points are coloured by device; hover "
        + "for the row. Faded: a sample of all rows.");
    int g = 0;
    for (String group : front.fronts().keySet()) {
      if (g++ >= MAX_GROUPS) {
        page.html("<p>… " + (front.fronts().size() - MAX_GROUPS) + " more groups in pareto.csv</p>");
        break;
      }
      if (front.fronts().size() > 1) {
        page.html("<h3>" + Page.esc(group) + "</h3>\n");
      }
      charts.write(page, group, front.fronts().get(group), survey.sample.getOrDefault(group, List.of()));
    }

    page.section("Top " + topN + " per group", "Frontier rows sorted by " + obj.get(0) + ".");
    for (String group : front.fronts().keySet()) {
      Table t = frontier.where(frontier.stringColumn("front").isEqualTo(group));
      t = obj.get(0).maximize() ? t.sortDescendingOn(obj.get(0).column()) : t.sortAscendingOn(obj.get(0).column());
      List<String> top = columnsForTop(survey.serving.present()).stream().filter(frontier::containsColumn).toList();
      page.html("<h3>" + Page.esc(group) + "</h3>" + html(t.first(topN), top));
    }

    if (survey.serving.present()) {
      survey.serving.write(page, varyingInputs);
    }
    latencyCharts(survey);
    rooflineCharts(survey);

    page.section("Manifest", "The sweep these results come from.");
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
    StringBuilder manifest = new StringBuilder("<table>");
    m.forEach((k, v) -> manifest.append("<tr><th>").append(Page.esc(k)).append("</th><td>")
        .append(Page.esc(String.valueOf(v))).append("</td></tr>"));
    page.html(manifest.append("</table>").toString());

    Table summary = summary(frontier);
    Files.createDirectories(dir);
    try (java.io.Writer w = new java.io.OutputStreamWriter(FileOutput.create(Commit.temp(dir.resolve("summary.csv"))),
        StandardCharsets.UTF_8)) {
      summary.write().csv(w);
    }
    try (FileOutput w = FileOutput.create(Commit.temp(dir.resolve("report.html")))) {
      w.write(page.render(mf.sweepName).getBytes(StandardCharsets.UTF_8));
    }
    Commit.publishTogether(dir, "report", List.of("report.html", "summary.csv"));
    return page.charts();
  }

  /** The frontier rows as a Tablesaw table: group, ids, objective, serving and derived columns. */
  private Table frontierTable(Pareto.Result r) {
    List<String> cols = r.columns();
    List<String> text = new ArrayList<>(List.of("front", "model", "hardware", "weights", "lora", "fusion", "parallel",
        "status"));
    List<String> nums = new ArrayList<>(List.of("prompt_len", "output_len", "batch", "ttft_ms", "tpot_ms", "tps",
        "throughput_tps", "memory_gib", "price_usd", "tdp_w"));
    nums.addAll(SERVING);
    for (Objective o : options.objectives()) {
      if (!nums.contains(o.column())) {
        nums.add(o.column());
      }
    }
    nums.removeAll(Derived.NAMES);
    text.removeIf(c -> !c.equals("front") && !cols.contains(c));
    nums.removeIf(c -> !cols.contains(c));
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
   * group's objective values (the faded points), the devices, the first model, per (device, prompt length) the
   * best TTFT and TPOT of that model, which {@link #INPUTS} vary, and the serving charts' rows.
   */
  private static final class Survey {
    final Map<String, List<double[]>> sample = new HashMap<>();
    final Map<String, long[]> seen = new HashMap<>();
    final java.util.TreeSet<String> devices = new java.util.TreeSet<>();
    String model;
    final Map<String, double[]> best = new TreeMap<>();
    final String[] firstInput = new String[INPUTS.size()];
    final boolean[] varies = new boolean[INPUTS.size()];
    ServingCharts serving;
  }

  private Survey survey() throws IOException {
    Pareto.Scan scan = new Pareto.Scan(table, options);
    List<String> cols = table.columns();
    int model = cols.indexOf("model");
    int hw = cols.indexOf("hardware");
    int prompt = cols.indexOf("prompt_len");
    int ttft = cols.indexOf("ttft_ms");
    int tpot = cols.indexOf("tpot_ms");
    int[] inputs = INPUTS.stream().mapToInt(cols::indexOf).toArray();
    Survey sv = new Survey();
    sv.serving = new ServingCharts(cols);
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
      for (int i = 0; i < inputs.length; i++) {
        if (inputs[i] >= 0) {
          if (sv.firstInput[i] == null) {
            sv.firstInput[i] = c[inputs[i]];
          } else if (!sv.firstInput[i].equals(c[inputs[i]])) {
            sv.varies[i] = true;
          }
        }
      }
      sv.serving.accept(c);
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
    page.section("Latency against prompt length", "Model " + Page.esc(sv.model) + "; each point is the best over the "
        + "other axes (batch, quantization, ...).");
    for (String metric : List.of("ttft_ms", "tpot_ms")) {
      List<Trace> traces = new ArrayList<>();
      int d = 0;
      for (String h : best.stringColumn("hardware").unique().asList()) {
        if (d++ >= MAX_DEVICES * 2) {
          break;
        }
        Table s = best.where(best.stringColumn("hardware").isEqualTo(h));
        String colour = colours.getOrDefault(h, "#d62728");
        traces.add(ScatterTrace.builder(s.intColumn("prompt_len").asDoubleArray(),
            s.doubleColumn("Min [" + metric + "]").asDoubleArray()).name(h).mode(ScatterTrace.Mode.LINE_AND_MARKERS)
            .line(Line.builder().color(colour).build()).marker(Marker.builder().color(colour).build()).build());
      }
      page.chart(new Figure(Layout.builder().title(metric + " against prompt length").height(420).width(760)
          .xAxis(Axis.builder().title(Plot.title("prompt_len")).type(Axis.Type.LOG).build())
          .yAxis(Axis.builder().title(Plot.title(metric)).type(Axis.Type.LOG).build()).build(),
          traces.toArray(new Trace[0])));
    }
  }

  /** Per device: its roofline and the operators of a prefill and a decode step of the sweep's first model. */
  private void rooflineCharts(Survey sv) {
    java.util.SortedSet<String> devices = sv.devices;

    page.section("Rooflines", "Each device's roofline (compute_eff × 16-bit peak, mem_eff × bandwidth) with the "
        + "operators of " + Page.esc(sv.model) + " (fp16, prompt 1024, batch 1): prefill (circles) and one decode step "
        + "(squares) at their arithmetic intensity and attained rate.");
    HardwareCatalog catalog = HardwareCatalog.builtIn();
    int n = 0;
    for (String id : devices) {
      if (n++ >= MAX_DEVICES) {
        page.html("<p>… " + (devices.size() - MAX_DEVICES) + " more devices</p>");
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
      page.chart(new Figure(Layout.builder().title("Roofline: " + id).height(400).width(760)
          .xAxis(Axis.builder().title("arithmetic intensity (ops/byte)").type(Axis.Type.LOG).build())
          .yAxis(Axis.builder().title("attained GOP/s").type(Axis.Type.LOG).build()).build(),
          traces.toArray(new Trace[0])));
    }
  }

  private List<String> columnsForTop(boolean serving) {
    List<String> c = new ArrayList<>(List.of("hardware", "weights", "batch", "prompt_len", "output_len"));
    if (serving) {
      c.addAll(List.of("parallel", "qps", "slo_ttft_ms", "slo_tpot_ms"));
    }
    for (Objective o : options.objectives()) {
      if (!c.contains(o.column())) {
        c.add(o.column());
      }
    }
    List<String> extra = serving ? List.of("max_qps_at_slo", "replicas", "usd_per_mtok", "j_per_token", "memory_gib",
        "price_usd") : List.of("ttft_ms", "tpot_ms", "memory_gib", "price_usd");
    for (String e : extra) {
      if (!c.contains(e)) {
        c.add(e);
      }
    }
    return c;
  }

  private static String html(Table t, List<String> cols) {
    StringBuilder sb = new StringBuilder("<div class='wide'><table><tr>");
    for (String c : cols) {
      sb.append("<th>").append(Page.esc(c)).append("</th>");
    }
    sb.append("</tr>");
    for (int i = 0; i < t.rowCount(); i++) {
      sb.append("<tr>");
      for (String c : cols) {
        sb.append("<td>").append(Page.esc(t.column(c).getString(i))).append("</td>");
      }
      sb.append("</tr>");
    }
    return sb.append("</table></div>").toString();
  }
}
