package life.report;

import static life.report.Plot.map;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A group's Pareto frontier drawn on every objective: with two objectives one scatter (the front joined by a line),
 * with more one scatter per pair (a point on the front of all can look dominated on one pair). Frontier points get
 * a trace, a colour and a legend entry per device; hovering one shows its row: device and model, the inputs that
 * vary between rows, the objectives and key metrics with their units. Faded: a sample of all rows of the group.
 */
final class FrontierCharts {
  /** Metrics named in a point's hover besides the objectives, when the row has them. */
  private static final List<String> METRICS = List.of("ttft_ms", "tpot_ms", "throughput_tps", "memory_gib",
      "price_usd", "max_qps_at_slo", "replicas", "load_ttft_p90_ms", "load_tpot_p90_ms", "usd_per_mtok",
      "j_per_token");

  private final List<String> columns;
  private final List<Objective> objectives;
  private final Map<String, String> colours;
  private final List<String> varying;

  /** Charts over a result table's {@code columns}: {@code colours} by device, {@code varying} input columns. */
  FrontierCharts(List<String> columns, List<Objective> objectives, Map<String, String> colours,
      List<String> varying) {
    this.columns = columns;
    this.objectives = objectives;
    this.colours = colours;
    this.varying = varying;
  }

  /** The charts of one group: its frontier rows and a sample of its rows' objective values. */
  void write(Page page, String group, List<Pareto.Row> rows, List<double[]> sample) {
    int n = objectives.size();
    if (n < 2) {
      chart(page, group, rows, sample, 0, 0, "chart");
    }
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        chart(page, group, rows, sample, i, j, n > 2 ? "chart half" : "chart");
      }
    }
  }

  /** Objectives {@code i} (x) against {@code j} (y). */
  private void chart(Page page, String group, List<Pareto.Row> rows, List<double[]> sample, int i, int j,
      String css) {
    Objective ox = objectives.get(i);
    Objective oy = objectives.get(j);
    int hw = columns.indexOf("hardware");
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (double[] v : sample) {
      xs.add(v[i]);
      ys.add(v[j]);
    }
    List<Object> data = new ArrayList<>();
    data.add(map("type", "scatter", "mode", "markers", "name", "sampled rows", "x", Plot.values(xs),
        "y", Plot.values(ys), "hoverinfo", "x+y", "marker", map("color", "#9aa5b1", "opacity", 0.25, "size", 5)));
    Map<String, List<Pareto.Row>> byDevice = new TreeMap<>();
    List<double[]> line = new ArrayList<>();
    for (Pareto.Row r : rows) {
      byDevice.computeIfAbsent(r.cells()[hw], k -> new ArrayList<>()).add(r);
      line.add(new double[] {value(r, ox), value(r, oy)});
    }
    if (objectives.size() == 2) {
      line.sort(Comparator.comparingDouble((double[] p) -> p[0]).thenComparingDouble(p -> p[1]));
      data.add(map("type", "scatter", "mode", "lines", "name", "frontier", "hoverinfo", "skip",
          "x", Plot.values(line.stream().mapToDouble(p -> p[0]).toArray()),
          "y", Plot.values(line.stream().mapToDouble(p -> p[1]).toArray()), "line", map("color", "#444", "width", 1)));
    }
    byDevice.forEach((device, list) -> {
      double[] x = list.stream().mapToDouble(r -> value(r, ox)).toArray();
      double[] y = list.stream().mapToDouble(r -> value(r, oy)).toArray();
      for (int k = 0; k < x.length; k++) {
        xs.add(x[k]);
        ys.add(y[k]);
      }
      data.add(map("type", "scatter", "mode", "markers", "name", device, "legendgroup", device,
          "x", Plot.values(x), "y", Plot.values(y), "hovertext", list.stream().map(this::hover).toList(),
          "hoverinfo", "text", "marker", map("color", colours.getOrDefault(device, "#d62728"), "size", 9,
          "line", map("color", "#fff", "width", 1))));
    });
    boolean half = css.contains("half");
    page.chart(Plot.figure(data, map("title", map("text", Page.esc(group + ": " + ox + " vs " + oy)),
        "height", half ? 400 : 440, "width", half ? 540 : 900, "hovermode", "closest",
        "xaxis", Plot.axis(Plot.title(ox.column()), xs), "yaxis", Plot.axis(Plot.title(oy.column()), ys))), css);
  }

  /** An objective's value in a frontier row: a result cell, or a derived metric. */
  private double value(Pareto.Row r, Objective o) {
    return value(r, o.column());
  }

  private double value(Pareto.Row r, String column) {
    int d = Derived.NAMES.indexOf(column);
    return d >= 0 ? r.derived()[d] : ResultTable.number(r.cells()[columns.indexOf(column)]);
  }

  /** A frontier row on hover. */
  private String hover(Pareto.Row r) {
    StringBuilder sb = new StringBuilder("<b>").append(Page.esc(r.cells()[columns.indexOf("hardware")]))
        .append("</b> · ").append(Page.esc(r.cells()[columns.indexOf("model")])).append("<br>");
    List<String> inputs = new ArrayList<>();
    inputs.add("point " + r.point());
    for (String c : varying) {
      if (!c.equals("hardware") && !c.equals("model")) {
        inputs.add(c + " " + r.cells()[columns.indexOf(c)]);
      }
    }
    for (int k = 0; k < inputs.size(); k += 4) {
      sb.append(Page.esc(String.join(" · ", inputs.subList(k, Math.min(inputs.size(), k + 4))))).append("<br>");
    }
    List<String> shown = new ArrayList<>();
    for (Objective o : objectives) {
      if (!shown.contains(o.column())) {
        shown.add(o.column());
      }
    }
    for (String c : METRICS) {
      if (!shown.contains(c) && columns.contains(c) && !r.cells()[columns.indexOf(c)].isEmpty()) {
        shown.add(c);
      }
    }
    for (String c : shown) {
      String u = Plot.unit(c);
      sb.append("<br>").append(c).append(": ").append(Plot.number(value(r, c))).append(u.isEmpty() ? "" : " " + u);
    }
    return sb.toString();
  }
}
