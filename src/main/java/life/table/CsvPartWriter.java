package life.table;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CSV part files through Jackson's streaming {@link CsvGenerator}: a header row with the schema's names, RFC 4180
 * quoting (only where a cell needs it), {@code \n} line ends, numbers as their shortest exact decimal (locale-independent,
 * round-trips exactly), NaN ("not available", e.g. a device without a list price) as an empty cell, booleans as
 * {@code true}/{@code false}.
 */
public final class CsvPartWriter implements PartWriter {
  /** Jackson's Schubfach double writer: shortest exact digits, several times faster than JDK 17's toString. */
  /** Values with at most this many significant digits take the fast path of {@link Digits#appendShort}. */
  private static final int SHORT_DIGITS = 6;

  /** Text of the small integers (lengths, batch sizes, bits) most long cells hold. */
  private static final String[] SMALL = new String[65_536];

  static {
    for (int i = 0; i < SMALL.length; i++) {
      SMALL[i] = Integer.toString(i);
    }
  }

  /** Writes the decimal digits of {@code x} at the end of {@code buf}; returns how many chars. */
  private static int writeLong(long x, char[] buf) {
    String s = Long.toString(x);
    s.getChars(0, s.length(), buf, buf.length - s.length());
    return s.length();
  }

  /** True for text that CSV can hold as is: no separator, quote, line break or surrounding space. */
  private static boolean needsNoQuotes(String s) {
    if (s.isEmpty() || s.charAt(0) == ' ' || s.charAt(s.length() - 1) == ' ') {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == ',' || ch == '"' || ch == '\n' || ch == '\r' || ch == '#') {
        return false;
      }
    }
    return true;
  }

  private static final CsvFactory FACTORY = CsvFactory.builder()
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

  @Override
  public Sink open(Path file, RowSchema schema) throws IOException {
    Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
    w.write(String.join(",", schema.names()));
    w.write('\n');
    return new Sink() {
      @Override
      public void append(RowBatch batch) throws IOException {
        write(batch, w, false);
      }

      @Override
      public void close() throws IOException {
        w.close();
      }
    };
  }

  /** Writes the rows (and the header if {@code header}) to {@code w}, which stays open. */
  public void write(RowBatch batch, Writer w, boolean header) throws IOException {
    RowSchema s = batch.schema();
    if (header) {
      // Written here, not by the generator, so that a part with no rows still has its header.
      w.write(String.join(",", s.names()));
      w.write('\n');
    }
    CsvSchema.Builder b = CsvSchema.builder().setLineSeparator('\n').setUseHeader(false);
    for (String n : s.names()) {
      b.addColumn(n);
    }
    try (CsvGenerator g = FACTORY.createGenerator(w)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING);
      g.setSchema(b.build());
      int cols = s.size();
      ColumnType[] types = new ColumnType[cols];
      for (int c = 0; c < cols; c++) {
        types[c] = s.column(c).type();
      }
      char[] num = new char[32];
      // Many numeric cells repeat the cell above (device and model constants): reuse its text.
      long[] lastBits = new long[cols];
      char[][] lastText = new char[cols][32];
      int[] lastLen = new int[cols];
      java.util.IdentityHashMap<String, Boolean> plain = new java.util.IdentityHashMap<>();
      for (int r = 0; r < batch.size(); r++) {
        g.writeStartArray();
        for (int c = 0; c < cols; c++) {
          switch (types[c]) {
            case STRING -> {
              // Ids repeat (the same String instance): decide once per instance whether it needs quoting.
              String v = batch.strings(c)[r];
              if (plain.computeIfAbsent(v, CsvPartWriter::needsNoQuotes)) {
                g.writeRawValue(v);
              } else {
                g.writeString(v);
              }
            }
            case LONG -> {
              long x = batch.longs(c)[r];
              if (x >= 0 && x < SMALL.length) {
                g.writeRawValue(SMALL[(int) x]);
              } else {
                int n = writeLong(x, num);
                g.writeRawValue(num, 32 - n, n);
              }
            }
            case DOUBLE -> {
              double d = batch.doubles(c)[r];
              int n;
              long bits = Double.doubleToRawLongBits(d);
              if (lastLen[c] > 0 && lastBits[c] == bits) {
                g.writeRawValue(lastText[c], 0, lastLen[c]);
              } else if (Double.isNaN(d)) {
                g.writeNull();
              } else if ((n = Digits.writeShort(d, SHORT_DIGITS, lastText[c])) > 0) {
                lastBits[c] = bits;
                lastLen[c] = n;
                g.writeRawValue(lastText[c], 0, n);
              } else {
                lastLen[c] = 0;
                g.writeNumber(d);
              }
            }
            case BOOLEAN -> g.writeBoolean(batch.booleans(c)[r]);
          }
        }
        g.writeEndArray();
      }
      g.flush();
    }
  }
}
