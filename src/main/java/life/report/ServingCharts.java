package life.report;

import static life.report.Plot.map;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import life.ops.Parallelism;
import life.serving.Capacity;

/**
 * The serving sections of a report, for sweeps with serving columns ({@code max_qps_at_slo}, {@code replicas},
 * {@code load_ttft_p90_ms}, {@code load_tpot_p90_ms}, {@code usd_per_mtok}, {@code j_per_token}). Per scenario
 * (model, prompt and output tokens, p90 objectives): a capacity chart ranking configurations (device × parallelism)
 * by USD per million output tokens, a bar per request rate labelled with the devices it needs; and per device, one
 * replica's p90 TTFT and TPOT against the rate, a line per parallelism. A selector switches every chart to another
 * scenario. A configuration at a rate shows its cheapest row over the other axes (weights, batch, ...).
 */
final class ServingCharts {
  private static final int MAX_SCENARIOS = 48;
  private static final int MAX_CONFIGS = 20;
  private static final int MAX_DEVICES = 16;
  private static final List<String> COLUMNS = List.of("point", "model", "hardware", "parallel", "prompt_len",
      "output_len", "qps", "slo_ttft_ms", "slo_tpot_ms", "max_qps_at_slo", "replicas", "load_ttft_p90_ms",
      "load_tpot_p90_ms", "usd_per_mtok", "j_per_token");
  /** Columns that name a scenario, a configuration or a rate: not among the "other axes" of a row. */
  private static final List<String> SHOWN = List.of("model", "hardware", "parallel", "prompt_len", "output_len",
      "qps", "slo_ttft_ms", "slo_tpot_ms");

  /** A configuration in one scenario: its cheapest row at each rate (0: no rate, one replica at its largest). */
  private static final class Config {
    final String hardware;
    final String parallel;
    final int devices;
    final TreeMap<Double, String[]> best = new TreeMap<>();

    Config(String hardware, String parallel) {
      this.hardware = hardware;
      this.parallel = parallel;
      int d;
      try {
        d = Parallelism.parse(parallel).devices();
      } catch (IllegalArgumentException e) {
        d = 1;
      }
      this.devices = d;
    }

    String label() {
      return hardware + " · " + (devices == 1 ? "1 device" : parallel);
    }
  }

  private static final class Scenario {
    final String label;
    final Map<String, Config> configs = new LinkedHashMap<>();
    final TreeSet<Double> rates = new TreeSet<>();

    Scenario(String label) {
      this.label = label;
    }
  }

  private final Map<String, Integer> col = new HashMap<>();
  private final boolean hasColumns;
  private final Map<String, Scenario> scenarios = new LinkedHashMap<>();
  private final Set<String> dropped = new HashSet<>();

  ServingCharts(List<String> columns) {
    for (int i = 0; i < columns.size(); i++) {
      col.put(columns.get(i), i);
    }
    hasColumns = col.keySet().containsAll(COLUMNS);
  }

  /** Whether the sweep has serving rows: the columns exist and some row has a {@code max_qps_at_slo}. */
  boolean present() {
    return !scenarios.isEmpty();
  }

  private String cell(String[] c, String name) {
    return c[col.get(name)];
  }

  private double number(String[] c, String name) {
    return ResultTable.number(cell(c, name));
  }

  /** Takes one result row (one that passed the report's {@code where}). */
  void accept(String[] c) {
    if (!hasColumns || cell(c, "max_qps_at_slo").isEmpty()) {
      return;
    }
    String key = String.join("\t", cell(c, "model"), cell(c, "prompt_len"), cell(c, "output_len"),
        cell(c, "slo_ttft_ms"), cell(c, "slo_tpot_ms"));
    Scenario s = scenarios.get(key);
    if (s == null) {
      if (scenarios.size() >= MAX_SCENARIOS) {
        dropped.add(key);
        return;
      }
      s = new Scenario(scenarioLabel(c));
      scenarios.put(key, s);
    }
    Config cf = s.configs.computeIfAbsent(cell(c, "hardware") + "\t" + cell(c, "parallel"),
        k -> new Config(cell(c, "hardware"), cell(c, "parallel")));
    double cost = number(c, "usd_per_mtok");
    if (!(cost >= 0)) {
      return;
    }
    double qps = number(c, "qps");
    double rate = qps > 0 ? qps : 0;
    s.rates.add(rate);
    String[] prev = cf.best.get(rate);
    if (prev == null || cost < number(prev, "usd_per_mtok")) {
      cf.best.put(rate, c.clone());
    }
  }

  private String scenarioLabel(String[] c) {
    double ttft = number(c, "slo_ttft_ms");
    double tpot = number(c, "slo_tpot_ms");
    String slo = (ttft > 0 ? "TTFT ≤ " + Plot.number(ttft) + " ms" : "no TTFT objective") + ", "
        + (tpot > 0 ? "TPOT ≤ " + Plot.number(tpot) + " ms" : "no TPOT objective");
    return cell(c, "model") + " · " + cell(c, "prompt_len") + " → " + cell(c, "output_len") + " tokens · p90 " + slo;
  }

  /**
   * Writes the capacity and latency-against-load sections into {@code page}; {@code varying} lists the input
   * columns whose value differs between rows (named in each bar's hover text when not a scenario or rate column).
   */
  void write(Page page, List<String> varying) {
    List<String> others = varying.stream().filter(v -> !SHOWN.contains(v)).toList();
    List<Scenario> list = new ArrayList<>(scenarios.values());
    TreeSet<String> devices = new TreeSet<>();
    boolean rates = false;
    for (Scenario s : list) {
      for (Config c : s.configs.values()) {
        if (!c.best.isEmpty()) {
          devices.add(c.hardware);
        }
      }
      rates |= s.rates.stream().anyMatch(r -> r > 0);
    }
    Capacity.Costs costs = Capacity.Costs.DEFAULT;
    page.html("<div class='serving'>\n").section("Serving capacity", "For the scenario chosen below (model, prompt → "
        + "output tokens, p90 objectives): the configurations (device × parallelism) that meet the objectives, ranked "
        + "by usd_per_mtok at the largest rate, a bar per request rate (qps) labelled with the devices it needs "
        + "(replicas × devices per replica). usd_per_mtok is the sweep's: the replicas' price over "
        + Plot.number(costs.amortizeYears()) + " years plus their energy at " + Plot.number(costs.usdPerKwh())
        + " USD/kWh. Each bar is the cheapest row of its configuration and rate"
        + (others.isEmpty() ? "" : " over " + Page.esc(String.join(", ", others))) + "; hover for the row.");
    StringBuilder select = new StringBuilder("<div class='scenario'><label>Scenario: <select id='serving-scenario'>");
    for (Scenario s : list) {
      select.append("<option>").append(Page.esc(s.label)).append("</option>");
    }
    select.append("</select></label> ").append(list.size()).append(list.size() == 1 ? " scenario" : " scenarios")
        .append(dropped.isEmpty() ? "" : "; " + dropped.size() + " more not shown")
        .append("</div>\n");
    page.html(select.toString());
    Map<String, List<Object>> figures = new LinkedHashMap<>();
    figures.put(page.newArea("chart"), list.stream().map(s -> (Object) capacity(s, others)).toList());
    if (rates) {
      page.section("Latency against load", "Per device, for the scenario chosen above: one replica's p90 TTFT and "
          + "TPOT at its share of the rate (qps / replicas) against the rate, one line per parallelism; dotted: the "
          + "objectives. The rows are those of the capacity chart.");
      int n = 0;
      for (String d : devices) {
        if (n++ >= MAX_DEVICES) {
          page.html("<p>… " + (devices.size() - MAX_DEVICES) + " more devices</p>\n");
          break;
        }
        figures.put(page.newArea("chart"), list.stream().map(s -> (Object) latency(s, d, others)).toList());
      }
    } else {
      page.section("Latency against load", "The sweep has no qps axis: the latency at a load needs a request rate.");
    }
    page.html("<script>(function () {\n  var figures = " + Plot.json(figures) + ";\n"
        + "  var pick = document.getElementById('serving-scenario');\n"
        + "  function draw() {\n    for (var id in figures) {\n      var f = figures[id][pick.selectedIndex];\n"
        + "      Plotly.react(id, f.data, f.layout);\n    }\n  }\n"
        + "  pick.addEventListener('change', draw);\n  draw();\n})();</script>\n</div>\n");
  }

  /** Orders configurations by cost at the largest rate, then at the next, ...; a missing cost ranks last. */
  private Comparator<Config> rank(Scenario s) {
    return (a, b) -> {
      for (double r : s.rates.descendingSet()) {
        int c = Double.compare(cost(a, r), cost(b, r));
        if (c != 0) {
          return c;
        }
      }
      return a.label().compareTo(b.label());
    };
  }

  private double cost(Config c, double rate) {
    String[] row = c.best.get(rate);
    return row == null ? Double.POSITIVE_INFINITY : number(row, "usd_per_mtok");
  }

  private static String rateName(double rate) {
    return rate > 0 ? Plot.number(rate) + " requests/s" : "at max_qps_at_slo";
  }

  /** Light to dark blue over the rates, so a bar's shade reads as its rate. */
  private static String rateColour(int i, int n) {
    double t = n == 1 ? 1 : (double) i / (n - 1);
    int[] lo = {158, 202, 225};
    int[] hi = {8, 48, 107};
    return String.format(Locale.ROOT, "rgb(%d,%d,%d)", Math.round(lo[0] + t * (hi[0] - lo[0])),
        Math.round(lo[1] + t * (hi[1] - lo[1])), Math.round(lo[2] + t * (hi[2] - lo[2])));
  }

  private long devicesNeeded(Config c, double rate, String[] row) {
    double replicas = rate > 0 ? number(row, "replicas") : 1;
    return Math.round(replicas) * c.devices;
  }

  /** Hover text of one configuration at one rate. */
  private String hover(Config c, double rate, String[] row, List<String> others) {
    double replicas = rate > 0 ? number(row, "replicas") : 1;
    long devices = devicesNeeded(c, rate, row);
    StringBuilder sb = new StringBuilder("<b>").append(Page.esc(c.label())).append("</b> at ")
        .append(rate > 0 ? rateName(rate) : "its largest rate within the objectives").append("<br>")
        .append(Plot.number(replicas)).append(replicas == 1 ? " replica × " : " replicas × ").append(c.devices)
        .append(c.devices == 1 ? " device = " : " devices = ").append(devices)
        .append(devices == 1 ? " device" : " devices")
        .append("<br>").append(Plot.number(number(row, "usd_per_mtok"))).append(" USD per million output tokens · ")
        .append(Plot.number(number(row, "j_per_token"))).append(" J per output token<br>one replica serves at most ")
        .append(Plot.number(number(row, "max_qps_at_slo"))).append(" requests/s within the objectives<br>p90 TTFT ")
        .append(Plot.number(number(row, "load_ttft_p90_ms"))).append(" ms, TPOT ")
        .append(Plot.number(number(row, "load_tpot_p90_ms"))).append(" ms at ")
        .append(Plot.number(rate > 0 ? rate / replicas : number(row, "max_qps_at_slo"))).append(" requests/s each");
    List<String> axes = new ArrayList<>();
    for (String o : others) {
      axes.add(o + " " + cell(row, o));
    }
    axes.add("point " + cell(row, "point"));
    return sb.append("<br>").append(Page.esc(String.join(" · ", axes))).toString();
  }

  /** Hover text of one configuration at one rate on a latency chart: the load and both latencies. */
  private String loadHover(Config c, double rate, String[] row, List<String> others) {
    double replicas = number(row, "replicas");
    StringBuilder sb = new StringBuilder("<b>").append(Page.esc(c.label())).append("</b> at ").append(rateName(rate))
        .append(": ").append(Plot.number(replicas)).append(replicas == 1 ? " replica" : " replicas").append(", ")
        .append(Plot.number(rate / replicas)).append(" requests/s each<br>p90 TTFT ")
        .append(Plot.number(number(row, "load_ttft_p90_ms"))).append(" ms · TPOT ")
        .append(Plot.number(number(row, "load_tpot_p90_ms"))).append(" ms<br>");
    List<String> axes = new ArrayList<>();
    for (String o : others) {
      axes.add(o + " " + cell(row, o));
    }
    axes.add("point " + cell(row, "point"));
    return sb.append(Page.esc(String.join(" · ", axes))).toString();
  }

  /** The capacity chart of one scenario. */
  private Map<String, Object> capacity(Scenario s, List<String> others) {
    List<Config> ranked = s.configs.values().stream().filter(c -> !c.best.isEmpty()).sorted(rank(s)).toList();
    List<Config> top = ranked.subList(0, Math.min(MAX_CONFIGS, ranked.size()));
    List<String> labels = top.stream().map(Config::label).toList();
    List<Object> data = new ArrayList<>();
    List<Double> all = new ArrayList<>();
    int i = 0;
    for (double rate : s.rates) {
      List<Double> x = new ArrayList<>();
      List<String> text = new ArrayList<>();
      List<String> hover = new ArrayList<>();
      for (Config c : top) {
        String[] row = c.best.get(rate);
        x.add(row == null ? null : number(row, "usd_per_mtok"));
        long d = row == null ? 0 : devicesNeeded(c, rate, row);
        text.add(row == null ? "" : d + (d == 1 ? " device" : " devices"));
        hover.add(row == null ? "" : hover(c, rate, row, others));
      }
      all.addAll(x);
      data.add(map("type", "bar", "orientation", "h", "name", rateName(rate), "y", labels, "x", Plot.values(x),
          "text", text, "textposition", "outside", "textfont", map("size", 10), "cliponaxis", false,
          "hovertext", hover, "hoverinfo", "text",
          "marker", map("color", rateColour(i++, s.rates.size()))));
    }
    String title = ranked.isEmpty() ? "No configuration meets the objectives"
        : (ranked.size() > top.size() ? "The " + top.size() + " cheapest of " : "") + ranked.size()
        + (ranked.size() == 1 ? " configuration" : " configurations") + " meeting the objectives, ranked at "
        + rateName(s.rates.last());
    int height = 150 + Math.max(1, top.size()) * Math.max(24, 13 * s.rates.size());
    Map<String, Object> axis = Plot.axis(Plot.title("usd_per_mtok") + " at the rate", all);
    return Plot.figure(data, map("title", map("text", title + "<br><sub>" + Page.esc(s.label) + "</sub>"),
        "barmode", "group", "bargap", 0.25, "height", height, "width", 1000, "margin", map("r", 90, "t", 80),
        "xaxis", axis, "yaxis", map("type", "category", "autorange", "reversed", "automargin", true),
        "legend", map("title", map("text", "qps (requests/s)"), "traceorder", "normal")));
  }

  /** One device's latency against load in one scenario: TTFT on the left, TPOT on the right. */
  private Map<String, Object> latency(Scenario s, String device, List<String> others) {
    List<Config> configs = s.configs.values().stream().filter(c -> c.hardware.equals(device) && !c.best.isEmpty())
        .sorted(Comparator.comparingInt((Config c) -> c.devices).thenComparing(c -> c.parallel)).toList();
    List<Object> data = new ArrayList<>();
    List<Double> xs = new ArrayList<>();
    Map<String, List<Double>> ys = Map.of("load_ttft_p90_ms", new ArrayList<>(), "load_tpot_p90_ms",
        new ArrayList<>());
    int i = 0;
    for (Config c : configs) {
      String colour = Plot.colour(i++);
      List<Double> x = new ArrayList<>();
      List<String> hover = new ArrayList<>();
      Map<String, List<Double>> y = Map.of("load_ttft_p90_ms", new ArrayList<>(), "load_tpot_p90_ms",
          new ArrayList<>());
      c.best.forEach((rate, row) -> {
        if (rate > 0) {
          x.add(rate);
          y.forEach((metric, v) -> v.add(number(row, metric)));
          hover.add(loadHover(c, rate, row, others));
        }
      });
      xs.addAll(x);
      String name = c.devices == 1 ? "1 device" : c.parallel;
      int axis = 1;
      for (String metric : List.of("load_ttft_p90_ms", "load_tpot_p90_ms")) {
        ys.get(metric).addAll(y.get(metric));
        data.add(map("type", "scatter", "mode", "lines+markers", "name", name, "legendgroup", name,
            "showlegend", axis == 1, "x", Plot.values(x), "y", Plot.values(y.get(metric)), "xaxis", "x" + suffix(axis),
            "yaxis", "y" + suffix(axis), "line", map("color", colour), "hovertext", hover, "hoverinfo", "text"));
        axis++;
      }
    }
    if (!xs.isEmpty()) {
      double lo = xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
      double hi = xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
      int axis = 1;
      for (String slo : List.of("slo_ttft_ms", "slo_tpot_ms")) {
        double v = number(configs.get(0).best.lastEntry().getValue(), slo);
        if (v > 0) {
          ys.get(axis == 1 ? "load_ttft_p90_ms" : "load_tpot_p90_ms").add(v);
          data.add(map("type", "scatter", "mode", "lines", "name", "objective", "legendgroup", "objective",
              "showlegend", axis == 1, "x", List.of(lo, hi), "y", List.of(v, v), "xaxis", "x" + suffix(axis),
              "yaxis", "y" + suffix(axis), "line", map("color", "#555", "dash", "dot"),
              "hovertext", List.of("p90 objective " + Plot.number(v) + " ms", "p90 objective " + Plot.number(v)
              + " ms"), "hoverinfo", "text"));
        }
        axis++;
      }
    }
    if (configs.isEmpty()) {
      return Plot.figure(data, map("title", map("text", Page.esc(device) + "<br><sub>" + Page.esc(s.label)
          + "</sub>"), "height", 220, "width", 1000, "margin", map("t", 80), "xaxis", map("visible", false),
          "yaxis", map("visible", false), "annotations", List.of(map("text", "no configuration of this device "
          + "meets the objectives in this scenario", "xref", "paper", "yref", "paper", "x", 0.5, "y", 0.5,
          "showarrow", false, "font", map("size", 14)))));
    }
    String title = device + ": p90 latency of a replica against the request rate";
    Map<String, Object> x1 = Plot.axis(Plot.title("qps"), xs);
    Map<String, Object> x2 = Plot.axis(Plot.title("qps"), xs);
    x1.put("domain", List.of(0.0, 0.45));
    x2.put("domain", List.of(0.55, 1.0));
    x2.put("anchor", "y2");
    Map<String, Object> y1 = Plot.axis(Plot.title("load_ttft_p90_ms"), ys.get("load_ttft_p90_ms"));
    Map<String, Object> y2 = Plot.axis(Plot.title("load_tpot_p90_ms"), ys.get("load_tpot_p90_ms"));
    y1.put("anchor", "x");
    y2.put("anchor", "x2");
    return Plot.figure(data, map("title", map("text", Page.esc(title) + "<br><sub>" + Page.esc(s.label) + "</sub>"),
        "height", 380, "width", 1000, "margin", map("t", 80), "xaxis", x1, "xaxis2", x2, "yaxis", y1, "yaxis2", y2,
        "legend", map("title", map("text", "parallelism"))));
  }

  private static String suffix(int axis) {
    return axis == 1 ? "" : String.valueOf(axis);
  }
}
