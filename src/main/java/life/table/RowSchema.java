package life.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An ordered list of named, typed columns: the one schema that drives the CSV header, the Parquet schema and any
 * table built from results, so names never drift apart. Names carry their unit ({@code ttft_ms}).
 */
public record RowSchema(List<Column> columns) {
  /** One column. */
  public record Column(String name, ColumnType type) {
    public Column {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
    }
  }

  public RowSchema {
    columns = List.copyOf(columns);
  }

  public int size() {
    return columns.size();
  }

  public Column column(int i) {
    return columns.get(i);
  }

  public int indexOf(String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  public List<String> names() {
    List<String> n = new ArrayList<>(columns.size());
    columns.forEach(c -> n.add(c.name()));
    return n;
  }
}
