package life.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import life.io.Commit;
import life.io.FileOutput;
import life.sweep.Constraint;
import life.table.ColumnType;
import life.table.CsvPartWriter;
import life.table.Digits;
import life.table.ParquetPartWriter;
import life.table.RowBatch;
import life.table.RowSchema;

/**
 * Exact Pareto frontiers of a sweep's results, per group: streams the result parts once, keeping only each group's
 * candidate front ({@link ParetoFront}), so memory is the size of the fronts, not of the table. No row is left out
 * unless {@code where} says so; a missing objective value ranks worst.
 */
public final class Pareto {
  /** What to compute. */
  public record Options(List<Objective> objectives, List<String> by, String where, Derived derived) {}

  /** One frontier row: its group, the cells as written in the result table, and the derived metrics. */
  public record Row(String group, long point, String[] cells, double[] derived) {}

  /** Fronts by group (sorted by group key), with counts. */
  public record Result(List<String> columns, Map<String, List<Row>> fronts, long rowsRead, long rowsKept) {
    public long frontRows() {
      return fronts.values().stream().mapToLong(List::size).sum();
    }
  }

  private Pareto() {}

  /** Columns an objective, a group key or a where clause can name. */
  public static List<String> numericColumns(ResultTable t) {
    List<String> out = new ArrayList<>();
    for (String c : t.columns()) {
      if (!"string".equals(t.type(c))) {
        out.add(c);
      }
    }
    out.addAll(Derived.NAMES);
    return out;
  }

  /**
   * Reads result rows for the Pareto step: each row's numeric values and derived metrics, whether it passes
   * {@code where}, its group key and its objective costs. One per pass; not thread-safe.
   */
  static final class Scan {
    final List<String> numeric;
    private final Options o;
    private final Constraint where;
    private final int[] numericIndex;
    private final int[] objIndex;
    private final int[] byIndex;
    private final int price;
    private final int tdp;
    private final int tputVar;
    final double[] vars;
    final double[] derived = new double[Derived.NAMES.size()];
    String group;

    Scan(ResultTable t, Options o) {
      List<String> cols = t.columns();
      for (String b : o.by()) {
        if (!cols.contains(b)) {
          throw new IllegalArgumentException("unknown --by column '" + b + "' (valid: " + String.join(", ", cols)
              + ")");
        }
      }
      this.o = o;
      numeric = numericColumns(t);
      where = o.where() == null || o.where().isBlank() ? null : Constraint.parse(o.where(), 0, numeric);
      numericIndex = numeric.stream().mapToInt(cols::indexOf).toArray();
      objIndex = o.objectives().stream().mapToInt(ob -> numeric.indexOf(ob.column())).toArray();
      byIndex = o.by().stream().mapToInt(cols::indexOf).toArray();
      price = cols.indexOf("price_usd");
      tdp = cols.indexOf("tdp_w");
      tputVar = numeric.indexOf("throughput_tps");
      vars = new double[numeric.size()];
    }

    /** Reads {@code cells}; returns whether the row passes {@code where}. */
    boolean read(String[] cells) {
      for (int i = 0; i < numericIndex.length; i++) {
        vars[i] = numericIndex[i] >= 0 ? ResultTable.number(cells[numericIndex[i]]) : Double.NaN;
      }
      int nd = derived.length;
      for (int i = 0; i < nd; i++) {
        derived[i] = Digits.round(o.derived().value(Derived.NAMES.get(i), vars[tputVar],
            ResultTable.number(cells[price]), ResultTable.number(cells[tdp])), 6);
        vars[numeric.size() - nd + i] = derived[i];
      }
      if (where != null && !where.test(vars)) {
        return false;
      }
      StringBuilder g = new StringBuilder();
      for (int i = 0; i < byIndex.length; i++) {
        g.append(i > 0 ? "|" : "").append(cells[byIndex[i]]);
      }
      group = byIndex.length == 0 ? "all" : g.toString();
      return true;
    }

    /** Objective values of the last row read, as written. */
    double[] objectives() {
      double[] v = new double[objIndex.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = vars[objIndex[i]];
      }
      return v;
    }

    /** Costs (all minimized) of the last row read. */
    double[] costs() {
      double[] c = objectives();
      for (int i = 0; i < c.length; i++) {
        c[i] = o.objectives().get(i).cost(c[i]);
      }
      return c;
    }
  }

  public static Result compute(ResultTable t, Options o) throws IOException {
    Scan scan = new Scan(t, o);
    int point = t.columns().indexOf("point");
    Map<String, ParetoFront<Row>> fronts = new TreeMap<>();
    long[] counts = new long[2];
    t.forEachRow(cells -> {
      counts[0]++;
      if (!scan.read(cells)) {
        return;
      }
      counts[1]++;
      fronts.computeIfAbsent(scan.group, k -> new ParetoFront<>())
          .offer(scan.costs(), new Row(scan.group, Long.parseLong(cells[point]), cells.clone(), scan.derived.clone()));
    });
    Map<String, List<Row>> out = new LinkedHashMap<>();
    fronts.forEach((k, f) -> {
      List<Row> rows = new ArrayList<>(f.entries().stream().map(ParetoFront.Entry::item).toList());
      rows.sort(Comparator.comparingLong(Row::point));
      out.put(k, rows);
    });
    return new Result(t.columns(), out, counts[0], counts[1]);
  }

  /**
   * Writes {@code pareto.csv} (cells as in the result table) and {@code pareto.parquet} into {@code dir}, published
   * together ({@link Commit#publishTogether}): a reader never finds one of an older frontier beside the other.
   */
  public static void write(ResultTable t, Result r, Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    names.add("group");
    names.addAll(r.columns());
    names.addAll(Derived.NAMES);
    List<RowSchema.Column> text = new ArrayList<>();
    List<RowSchema.Column> typed = new ArrayList<>();
    for (String n : names) {
      text.add(new RowSchema.Column(n, ColumnType.STRING));
      String ty = n.equals("group") ? "string" : Derived.NAMES.contains(n) ? "double" : t.type(n);
      typed.add(new RowSchema.Column(n, ColumnType.valueOf(ty.toUpperCase(java.util.Locale.ROOT))));
    }
    int n = (int) Math.max(1, r.frontRows());
    RowBatch csv = new RowBatch(new RowSchema(text), n);
    RowBatch pq = new RowBatch(new RowSchema(typed), n);
    for (List<Row> rows : r.fronts().values()) {
      for (Row row : rows) {
        int i = csv.addRow();
        pq.addRow();
        for (int c = 0; c < names.size(); c++) {
          String cell = c == 0 ? row.group() : c <= r.columns().size() ? row.cells()[c - 1]
              : text(row.derived()[c - 1 - r.columns().size()]);
          csv.strings(c)[i] = cell;
          switch (typed.get(c).type()) {
            case STRING -> pq.strings(c)[i] = cell;
            case LONG -> pq.longs(c)[i] = Long.parseLong(cell);
            case DOUBLE -> pq.doubles(c)[i] = ResultTable.number(cell);
            case BOOLEAN -> pq.booleans(c)[i] = cell.equals("true");
          }
        }
      }
    }
    Files.createDirectories(dir);
    new CsvPartWriter().write(csv, FileOutput.create(Commit.temp(dir.resolve("pareto.csv"))));
    new ParquetPartWriter().write(pq, FileOutput.create(Commit.temp(dir.resolve("pareto.parquet"))));
    Commit.publishTogether(dir, "pareto", List.of("pareto.csv", "pareto.parquet"));
  }

  private static String text(double v) {
    if (Double.isNaN(v)) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    return Digits.appendShort(v, 6, sb) ? sb.toString() : Double.toString(v);
  }

  static String describe(List<Objective> objectives) {
    return String.join(", ", objectives.stream().map(Objective::toString).toList());
  }
}
