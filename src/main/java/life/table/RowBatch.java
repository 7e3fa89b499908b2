package life.table;

/**
 * A columnar buffer of rows for one schema: one primitive array per column, filled row by row by one thread and then
 * written by the part writers. Strings are interned by the caller where they repeat (ids).
 */
public final class RowBatch {
  private final RowSchema schema;
  private final Object[] data;
  private final int capacity;
  private int size;

  public RowBatch(RowSchema schema, int capacity) {
    this.schema = schema;
    this.capacity = capacity;
    this.data = new Object[schema.size()];
    for (int c = 0; c < schema.size(); c++) {
      data[c] = switch (schema.column(c).type()) {
        case STRING -> new String[capacity];
        case LONG -> new long[capacity];
        case DOUBLE -> new double[capacity];
        case BOOLEAN -> new boolean[capacity];
      };
    }
  }

  public RowSchema schema() {
    return schema;
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return capacity;
  }

  /** Starts a new row and returns its index; the caller then sets every column of it. */
  public int addRow() {
    if (size == capacity) {
      throw new IllegalStateException("row batch full (" + capacity + " rows)");
    }
    return size++;
  }

  public void clear() {
    size = 0;
  }

  public String[] strings(int col) {
    return (String[]) data[col];
  }

  public long[] longs(int col) {
    return (long[]) data[col];
  }

  public double[] doubles(int col) {
    return (double[]) data[col];
  }

  public boolean[] booleans(int col) {
    return (boolean[]) data[col];
  }
}
