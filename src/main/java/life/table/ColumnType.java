package life.table;

/** Storage type of a result column. */
public enum ColumnType {
  STRING,
  LONG,
  DOUBLE,
  BOOLEAN
}
