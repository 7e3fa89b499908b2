package life.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import tech.tablesaw.plotly.components.Figure;

/**
 * The body of a report page and its chart areas: each chart area is a {@code div} of class {@code chart}, drawn by a
 * script right after it, so the count of areas is the count of charts a browser must draw.
 */
final class Page {
  private static final String PLOTLY = "/META-INF/resources/webjars/plotly.js-dist/2.35.3/plotly.js";

  private final StringBuilder body = new StringBuilder();
  private int charts;

  int charts() {
    return charts;
  }

  Page section(String title, String html) {
    body.append("<h2>").append(esc(title)).append("</h2><p>").append(html).append("</p>\n");
    return this;
  }

  Page html(String html) {
    body.append(html);
    return this;
  }

  /** A Tablesaw figure in a new chart area. */
  void chart(Figure f) {
    String div = newArea("chart");
    body.append(f.asJavascript(div)).append('\n');
  }

  /** A plotly figure ({@code data} and {@code layout}, see {@link Plot}) in a new chart area of class {@code css}. */
  void chart(Map<String, Object> figure, String css) {
    String div = newArea(css);
    body.append("<script>Plotly.newPlot('").append(div).append("', ").append(Plot.json(figure.get("data")))
        .append(", ").append(Plot.json(figure.get("layout"))).append(");</script>\n");
  }

  /** An empty chart area of CSS class {@code css} for a script to draw into; returns its id. */
  String newArea(String css) {
    String div = "chart" + charts++;
    body.append("<div class='").append(css).append("' id='").append(div).append("'></div>\n");
    return div;
  }

  /** The whole page: plotly.js inlined (nothing is fetched), the title and the body. */
  String render(String name) throws IOException {
    String plotly;
    try (InputStream in = Page.class.getResourceAsStream(PLOTLY)) {
      if (in == null) {
        throw new IOException("plotly.js is missing from the classpath (" + PLOTLY + ")");
      }
      plotly = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    return "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>LIFE report: " + esc(name) + "</title>\n"
        + "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;"
        + "margin:0.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px;text-align:left}"
        + ".chart{margin:1em 0}.chart.half{display:inline-block;margin:0.5em 0}.wide{overflow-x:auto}"
        + ".scenario{position:sticky;top:0;z-index:10;background:#fff;padding:6px 0;border-bottom:1px solid #ccc}"
        + "</style>\n<script>" + plotly.replace("</script>", "<\\/script>")
        + "</script>\n</head><body><h1>LIFE report: " + esc(name) + "</h1>\n" + body + "</body></html>\n";
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
  }
}
