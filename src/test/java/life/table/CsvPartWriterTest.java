package life.table;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import life.io.FileOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Reads {@link CsvPartWriter} output back with univocity, an independent CSV parser, cell by cell. */
final class CsvPartWriterTest {
  private static final RowSchema SCHEMA = new RowSchema(List.of(
      new RowSchema.Column("point", ColumnType.LONG),
      new RowSchema.Column("model", ColumnType.STRING),
      new RowSchema.Column("ttft_ms", ColumnType.DOUBLE),
      new RowSchema.Column("fits", ColumnType.BOOLEAN),
      new RowSchema.Column("status", ColumnType.STRING)));

  private static final String[] TEXT = {"llama-3-8b", "a,b", "say \"hi\"", "Grüße, 東京 🚀", "line\nbreak",
      "cr\rhere", " padded ", "#comment", "", "'quoted'", "x".repeat(150_000)};

  @TempDir
  Path dir;

  @Test
  void batchesAppendedToOneFile_readBackCellForCell() throws Exception {
    Random rnd = new Random(2026);
    int batches = 5;
    int rows = 3_000;
    RowBatch[] written = new RowBatch[batches];
    Path file = dir.resolve("part.csv");
    try (PartWriter.Sink sink = new CsvPartWriter().open(FileOutput.create(file), SCHEMA)) {
      for (int b = 0; b < batches; b++) {
        RowBatch batch = new RowBatch(SCHEMA, rows);
        for (int i = 0; i < rows; i++) {
          int r = batch.addRow();
          batch.longs(0)[r] = switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt(100);
            case 1 -> rnd.nextLong();
            case 2 -> Integer.MAX_VALUE + (long) rnd.nextInt(3) - 1;
            default -> (long) b * rows + i;
          };
          // Repeats (the cell above), 6-digit values (the fast path) and full doubles (the fallback).
          batch.doubles(2)[r] = switch (rnd.nextInt(5)) {
            case 0 -> r > 0 ? batch.doubles(2)[r - 1] : 1.5;
            case 1 -> Digits.round(Math.pow(10, rnd.nextDouble() * 40 - 20) * (rnd.nextBoolean() ? 1 : -1), 6);
            case 2 -> rnd.nextDouble() * 1e6;
            case 3 -> Double.NaN;
            default -> new double[] {0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, 1e21, 1e-7}[rnd.nextInt(6)];
          };
          batch.booleans(3)[r] = rnd.nextBoolean();
          batch.strings(1)[r] = TEXT[rnd.nextInt(TEXT.length)];
          // A fresh instance with the same text as the cell above must not be mistaken for it.
          batch.strings(4)[r] = new String(TEXT[rnd.nextInt(3)]);
        }
        written[b] = batch;
        sink.append(batch);
      }
    }

    CsvParserSettings settings = new CsvParserSettings();
    settings.setMaxCharsPerColumn(-1);
    settings.getFormat().setLineSeparator("\n");
    settings.setKeepQuotes(false);
    settings.setIgnoreLeadingWhitespaces(false);
    settings.setIgnoreTrailingWhitespaces(false);
    settings.setCommentProcessingEnabled(false);
    List<String[]> read;
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      read = new CsvParser(settings).parseAll(in);
    }
    assertEquals(List.of("point", "model", "ttft_ms", "fits", "status"), List.of(read.get(0)));
    assertEquals(1 + batches * rows, read.size());
    for (int b = 0; b < batches; b++) {
      RowBatch batch = written[b];
      for (int r = 0; r < rows; r++) {
        String[] cells = read.get(1 + b * rows + r);
        String where = "batch " + b + " row " + r;
        assertEquals(batch.longs(0)[r], Long.parseLong(cells[0]), where);
        assertText(batch.strings(1)[r], cells[1], where);
        double d = batch.doubles(2)[r];
        if (Double.isNaN(d)) {
          assertNull(cells[2], where + ": NaN is an empty cell");
        } else {
          assertEquals(Double.doubleToLongBits(d), Double.doubleToLongBits(Double.parseDouble(cells[2])),
              where + ": " + cells[2]);
        }
        assertEquals(Boolean.toString(batch.booleans(3)[r]), cells[3], where);
        assertText(batch.strings(4)[r], cells[4], where);
      }
    }
  }

  @Test
  void emptyPart_hasItsHeaderOnly() throws Exception {
    Path file = dir.resolve("empty.csv");
    new CsvPartWriter().write(new RowBatch(SCHEMA, 1), file);
    assertEquals("point,model,ttft_ms,fits,status\n", Files.readString(file));
  }

  @Test
  void shortValues_areWrittenAsTheirShortestDecimal() throws Exception {
    RowBatch batch = new RowBatch(SCHEMA, 4);
    double[] values = {20450.4, 1.23457E7, 0.00439453, 611};
    for (double v : values) {
      int r = batch.addRow();
      batch.doubles(2)[r] = v;
      batch.strings(1)[r] = "m";
      batch.strings(4)[r] = "ok";
    }
    Path file = dir.resolve("short.csv");
    new CsvPartWriter().write(batch, file);
    List<String> lines = Files.readAllLines(file);
    assertEquals(List.of("0,m,20450.4,false,ok", "0,m,1.23457E7,false,ok", "0,m,0.00439453,false,ok",
        "0,m,611.0,false,ok"), lines.subList(1, lines.size()));
  }

  private static void assertText(String expected, String cell, String where) {
    assertEquals(expected.isEmpty() ? null : expected, cell, where);
  }
}
