package life.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads {@link ParquetPartWriter} output back with DuckDB, an independent Parquet reader, and against the CSV. */
final class ParquetPartWriterTest {
  private static final RowSchema SCHEMA = new RowSchema(List.of(
      new RowSchema.Column("model_id", ColumnType.STRING),
      new RowSchema.Column("batch_size", ColumnType.LONG),
      new RowSchema.Column("ttft_ms", ColumnType.DOUBLE),
      new RowSchema.Column("fits", ColumnType.BOOLEAN),
      new RowSchema.Column("note", ColumnType.STRING),
      new RowSchema.Column("tps", ColumnType.DOUBLE)));

  private static final String[] IDS = {"llama-3-8b", "a,b", "say \"hi\"", "Grüße, 東京 🚀", "line\nbreak", "'quoted'",
      "x"};
  private static final long[] LONGS = {0, 1, -1, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, 123456789012L};
  private static final double[] DOUBLES = {0.1, 1e-300, 1.7976931348623157E308, -2.5, Double.MIN_VALUE, -0.0,
      -1.7976931348623157E308};
  private static final double[] DOUBLES2 = {3.0, 0.30000000000000004, -1e-300, 1e21, 2.2250738585072014E-308, 0.0,
      123.456};

  @TempDir
  Path dir;

  @Test
  void parquet_readBackByDuckDb_equalsBatch() throws Exception {
    RowBatch batch = edgeCaseBatch();
    Path parquet = dir.resolve("part.parquet");
    new ParquetPartWriter().write(batch, parquet);

    try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
      List<Object[]> rows = query(db, "SELECT * EXCLUDE (file_row_number) FROM read_parquet(" + lit(parquet)
          + ", file_row_number = true) ORDER BY file_row_number");
      assertRowsEqualBatch(batch, rows);
    }
  }

  /**
   * NaN ("not available", as for a device without a list price) is a null in Parquet, as it is an empty cell in the
   * CSV: DuckDB counts it as null, skips it in {@code avg} and reads the CSV's blank the same way.
   */
  @Test
  void nan_isNullInParquet_likeTheEmptyCsvCell() throws Exception {
    RowBatch batch = new RowBatch(SCHEMA, 4);
    double[] ttft = {1.5, Double.NaN, 2.5, Double.NaN};
    for (int i = 0; i < ttft.length; i++) {
      int r = batch.addRow();
      batch.strings(0)[r] = "m" + i;
      batch.longs(1)[r] = i;
      batch.doubles(2)[r] = ttft[i];
      batch.booleans(3)[r] = true;
      batch.strings(4)[r] = "";
      batch.doubles(5)[r] = 10.0 * i;
    }
    Path parquet = dir.resolve("nan.parquet");
    Path csv = dir.resolve("nan.csv");
    new ParquetPartWriter().write(batch, parquet);
    new CsvPartWriter().write(batch, csv);
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
      for (String read : List.of("read_parquet(" + lit(parquet) + ")", "read_csv(" + lit(csv) + ", header = true)")) {
        List<Object[]> r = query(db, "SELECT count(*) FILTER (WHERE ttft_ms IS NULL), "
            + "count(*) FILTER (WHERE isnan(ttft_ms)), avg(ttft_ms), avg(tps) FROM " + read);
        assertEquals(2L, ((Number) r.get(0)[0]).longValue(), read);
        assertEquals(0L, ((Number) r.get(0)[1]).longValue(), read);
        assertEquals(2.0, ((Number) r.get(0)[2]).doubleValue(), 1e-12, read);
        assertEquals(15.0, ((Number) r.get(0)[3]).doubleValue(), 1e-12, read);
      }
    }
  }

  @Test
  void parquet_schema_isPrimitivesNamedLikeTheColumns_optionalOnlyForDoubles() throws Exception {
    Path parquet = dir.resolve("part.parquet");
    new ParquetPartWriter().write(edgeCaseBatch(), parquet);

    try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
      List<Object[]> schema = query(db, "SELECT name, type, repetition_type, logical_type FROM parquet_schema("
          + lit(parquet) + ")");
      assertEquals(SCHEMA.size() + 1, schema.size());
      assertEquals(ParquetPartWriter.MESSAGE_NAME, schema.get(0)[0]);
      String[] physical = {"BYTE_ARRAY", "INT64", "DOUBLE", "BOOLEAN", "BYTE_ARRAY", "DOUBLE"};
      for (int c = 0; c < SCHEMA.size(); c++) {
        Object[] col = schema.get(c + 1);
        assertEquals(SCHEMA.column(c).name(), col[0]);
        assertEquals(physical[c], col[1], SCHEMA.column(c).name());
        assertEquals(SCHEMA.column(c).type() == ColumnType.DOUBLE ? "OPTIONAL" : "REQUIRED", col[2],
            SCHEMA.column(c).name());
        if (SCHEMA.column(c).type() == ColumnType.STRING) {
          assertTrue(String.valueOf(col[3]).contains("StringType"), String.valueOf(col[3]));
        }
      }
      List<Object[]> codecs = query(db, "SELECT DISTINCT compression FROM parquet_metadata(" + lit(parquet) + ")");
      assertEquals(1, codecs.size());
      assertEquals("SNAPPY", codecs.get(0)[0]);
    }
  }

  @Test
  void csvAndParquet_readByDuckDb_giveSameValues() throws Exception {
    RowBatch batch = edgeCaseBatch();
    Path parquet = dir.resolve("part.parquet");
    Path csv = dir.resolve("part.csv");
    new ParquetPartWriter().write(batch, parquet);
    new CsvPartWriter().write(batch, csv);

    StringJoiner types = new StringJoiner(", ", "{", "}");
    for (RowSchema.Column c : SCHEMA.columns()) {
      String t = switch (c.type()) {
        case STRING -> "VARCHAR";
        case LONG -> "BIGINT";
        case DOUBLE -> "DOUBLE";
        case BOOLEAN -> "BOOLEAN";
      };
      types.add("'" + c.name() + "': '" + t + "'");
    }
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
      List<Object[]> fromCsv = query(db, "SELECT * FROM read_csv(" + lit(csv) + ", header = true, auto_detect = false,"
          + " delim = ',', quote = '\"', escape = '\"', columns = " + types + ")");
      List<Object[]> fromParquet = query(db, "SELECT * FROM read_parquet(" + lit(parquet) + ")");
      assertRowsEqualBatch(batch, fromCsv);
      assertEquals(fromParquet.size(), fromCsv.size());
      for (int r = 0; r < fromCsv.size(); r++) {
        assertArrayEquals(fromParquet.get(r), fromCsv.get(r), "row " + r);
      }
    }
  }

  @Test
  void sameBatchWrittenTwice_givesByteIdenticalFiles() throws Exception {
    RowBatch batch = randomBatch(50_000, 42);
    Path a = dir.resolve("a.parquet");
    Path b = dir.resolve("b.parquet");
    ParquetPartWriter w = new ParquetPartWriter();
    w.write(batch, a);
    w.write(batch, b);
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
  }

  @Test
  void parallelWrites_giveSameBytesAsSequential() throws Exception {
    RowBatch batch = randomBatch(20_000, 7);
    ParquetPartWriter w = new ParquetPartWriter();
    Path reference = dir.resolve("ref.parquet");
    w.write(batch, reference);
    byte[] expected = Files.readAllBytes(reference);

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> done = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Path p = dir.resolve("p" + i + ".parquet");
        done.add(pool.submit(() -> {
          w.write(batch, p);
          return p;
        }));
      }
      for (Future<Path> f : done) {
        assertArrayEquals(expected, Files.readAllBytes(f.get()));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void existingFile_isOverwritten() throws Exception {
    Path parquet = dir.resolve("part.parquet");
    Files.writeString(parquet, "stale content that is not parquet");
    RowBatch batch = edgeCaseBatch();
    new ParquetPartWriter().write(batch, parquet);

    try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
      assertRowsEqualBatch(batch, query(db, "SELECT * FROM read_parquet(" + lit(parquet) + ")"));
    }
  }

  @Test
  void emptyBatch_givesValidFileWithZeroRowsAndAllColumns() throws Exception {
    Path parquet = dir.resolve("empty.parquet");
    new ParquetPartWriter().write(new RowBatch(SCHEMA, 4), parquet);

    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM read_parquet(" + lit(parquet) + ")")) {
      ResultSetMetaData md = rs.getMetaData();
      assertEquals(SCHEMA.size(), md.getColumnCount());
      for (int c = 0; c < SCHEMA.size(); c++) {
        assertEquals(SCHEMA.column(c).name(), md.getColumnName(c + 1));
      }
      assertFalse(rs.next());
    }
  }

  @Test
  void nullString_isRejectedBeforeTheFileIsCreated() {
    RowBatch batch = new RowBatch(SCHEMA, 1);
    batch.addRow();
    Path parquet = dir.resolve("null.parquet");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ParquetPartWriter().write(batch, parquet));
    assertTrue(e.getMessage().contains("model_id"), e.getMessage());
    assertFalse(Files.exists(parquet));
  }

  private static RowBatch edgeCaseBatch() {
    RowBatch b = new RowBatch(SCHEMA, IDS.length);
    for (int i = 0; i < IDS.length; i++) {
      int r = b.addRow();
      b.strings(0)[r] = IDS[i];
      b.longs(1)[r] = LONGS[i];
      b.doubles(2)[r] = DOUBLES[i];
      b.booleans(3)[r] = i % 2 == 0;
      b.strings(4)[r] = IDS[IDS.length - 1 - i] + i;
      b.doubles(5)[r] = DOUBLES2[i];
    }
    return b;
  }

  private static RowBatch randomBatch(int rows, long seed) {
    Random rnd = new Random(seed);
    RowBatch b = new RowBatch(SCHEMA, rows);
    for (int i = 0; i < rows; i++) {
      int r = b.addRow();
      b.strings(0)[r] = "model-" + rnd.nextInt(20);
      b.longs(1)[r] = rnd.nextLong();
      b.doubles(2)[r] = rnd.nextDouble() * 1e4;
      b.booleans(3)[r] = rnd.nextBoolean();
      b.strings(4)[r] = Long.toHexString(rnd.nextLong());
      b.doubles(5)[r] = rnd.nextInt(100) / 8.0;
    }
    return b;
  }

  /** Every row of the result, in order, as Java values (String, Long, Double, Boolean). */
  private static List<Object[]> query(Connection db, String sql) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        Object[] row = new Object[n];
        for (int c = 0; c < n; c++) {
          row[c] = rs.getObject(c + 1);
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static void assertRowsEqualBatch(RowBatch batch, List<Object[]> rows) {
    assertEquals(batch.size(), rows.size());
    for (int r = 0; r < batch.size(); r++) {
      Object[] row = rows.get(r);
      assertEquals(SCHEMA.size(), row.length);
      for (int c = 0; c < SCHEMA.size(); c++) {
        String where = "row " + r + " column " + SCHEMA.column(c).name();
        switch (SCHEMA.column(c).type()) {
          case STRING -> assertEquals(batch.strings(c)[r], row[c], where);
          case LONG -> assertEquals(batch.longs(c)[r], (Long) row[c], where);
          // assertEquals(double, double) compares bit patterns, so -0.0 and 0.0 differ: exact round trip.
          case DOUBLE -> assertEquals(batch.doubles(c)[r], (Double) row[c], where);
          case BOOLEAN -> assertEquals(batch.booleans(c)[r], (Boolean) row[c], where);
        }
      }
    }
  }

  /** A SQL string literal for a path. */
  private static String lit(Path p) {
    return "'" + p.toAbsolutePath().toString().replace("'", "''") + "'";
  }
}
