package life.table;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * CSV part files: a header row with the schema's names, RFC 4180 quoting (only where a cell needs it), {@code \n}
 * line ends, UTF-8, numbers as their shortest exact decimal (locale-independent, round-trips exactly), NaN ("not
 * available", e.g. a device without a list price) and empty text as an empty cell, booleans as {@code true}/{@code
 * false}.
 *
 * <p>Cells are encoded straight into a byte buffer, not through a {@code Writer}: this is the sweep's hot path (a
 * sweep row is about 265 bytes), and Jackson's {@code CsvGenerator}, which wrote these files before, spent most of a
 * sweep's time on per-cell checks and char-to-byte encoding (rows/s measured by {@code life bench}, see the README).
 * Text that repeats the cell above (ids, bounds) reuses its encoded bytes; so do repeated numbers. Non-short doubles
 * fall back on Jackson's Schubfach writer ({@link NumberOutput}).
 */
public final class CsvPartWriter implements PartWriter {
  /** Values with at most this many significant digits take the fast path of {@link Digits#writeShort}. */
  private static final int SHORT_DIGITS = 6;
  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
  /** Bytes a non-text cell and its separator can take: a double's text is at most 25 (Schubfach), a long's 20. */
  private static final int CELL = 26;
  private static final int[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
      1_000_000_000};

  @Override
  public Sink open(OutputStream out, RowSchema schema) throws IOException {
    Encoder e = new Encoder(schema, out);
    e.header();
    return new Sink() {
      @Override
      public void append(RowBatch batch) throws IOException {
        e.rows(batch);
      }

      @Override
      public void close() throws IOException {
        e.flush();
        e.out.close();
      }
    };
  }

  /** Writes the rows (and the header if {@code header}) to {@code out}, which stays open. */
  public void write(RowBatch batch, OutputStream out, boolean header) throws IOException {
    Encoder e = new Encoder(batch.schema(), out);
    if (header) {
      e.header();
    }
    e.rows(batch);
    e.flush();
  }

  /** One file's encoder: a byte buffer, and per column the last cell's encoded bytes. */
  private static final class Encoder {
    private final RowSchema schema;
    private final OutputStream out;
    private final ColumnType[] types;
    private byte[] buf = new byte[1 << 16];
    private int pos;
    private final String[] lastString;
    private final byte[][] lastStringBytes;
    private final long[] lastBits;
    private final byte[][] lastNumber;
    private final int[] lastLen;

    Encoder(RowSchema schema, OutputStream out) {
      this.schema = schema;
      this.out = out;
      int cols = schema.size();
      types = new ColumnType[cols];
      for (int c = 0; c < cols; c++) {
        types[c] = schema.column(c).type();
      }
      lastString = new String[cols];
      lastStringBytes = new byte[cols][];
      lastBits = new long[cols];
      lastNumber = new byte[cols][32];
      lastLen = new int[cols];
    }

    void header() throws IOException {
      for (int c = 0; c < schema.size(); c++) {
        if (c > 0) {
          put((byte) ',');
        }
        put(encode(schema.column(c).name()));
      }
      put((byte) '\n');
    }

    void rows(RowBatch batch) throws IOException {
      int cols = types.length;
      // Every cell but text fits in CELL bytes with its separator; text makes its own room.
      int reserve = cols * CELL + 1;
      for (int r = 0; r < batch.size(); r++) {
        ensure(reserve);
        for (int c = 0; c < cols; c++) {
          if (c > 0) {
            buf[pos++] = ',';
          }
          switch (types[c]) {
            case STRING -> {
              String v = batch.strings(c)[r];
              if (v != lastString[c]) {
                lastString[c] = v;
                lastStringBytes[c] = encode(v);
              }
              byte[] b = lastStringBytes[c];
              ensure(b.length + reserve);
              System.arraycopy(b, 0, buf, pos, b.length);
              pos += b.length;
            }
            case LONG -> putLong(batch.longs(c)[r]);
            case DOUBLE -> putDouble(c, batch.doubles(c)[r]);
            case BOOLEAN -> {
              byte[] b = batch.booleans(c)[r] ? TRUE : FALSE;
              System.arraycopy(b, 0, buf, pos, b.length);
              pos += b.length;
            }
          }
        }
        buf[pos++] = '\n';
      }
    }

    /** Writes a double's text (at most 25 bytes) into the reserved room. */
    private void putDouble(int c, double d) {
      long bits = Double.doubleToRawLongBits(d);
      if (lastLen[c] > 0 && lastBits[c] == bits) {
        System.arraycopy(lastNumber[c], 0, buf, pos, lastLen[c]);
        pos += lastLen[c];
        return;
      }
      if (Double.isNaN(d)) {
        return;
      }
      int n = Digits.writeShort(d, SHORT_DIGITS, buf, pos);
      if (n > 0) {
        lastBits[c] = bits;
        lastLen[c] = n;
        System.arraycopy(buf, pos, lastNumber[c], 0, n);
        pos += n;
      } else {
        lastLen[c] = 0;
        putAscii(NumberOutput.toString(d, true));
      }
    }

    /** Writes a long's digits (at most 20 bytes) into the reserved room. */
    private void putLong(long x) {
      if (x < 0 || x > Integer.MAX_VALUE) {
        putAscii(Long.toString(x));
        return;
      }
      int n = 1;
      while (n < 10 && x >= POW10[n]) {
        n++;
      }
      pos = Digits.digits((int) x, n, buf, pos);
    }

    private void putAscii(String t) {
      for (int i = 0; i < t.length(); i++) {
        buf[pos++] = (byte) t.charAt(i);
      }
    }

    private void put(byte b) throws IOException {
      ensure(1);
      buf[pos++] = b;
    }

    private void put(byte[] b) throws IOException {
      ensure(b.length);
      System.arraycopy(b, 0, buf, pos, b.length);
      pos += b.length;
    }

    /** Room for {@code n} more bytes: writes the buffer out when full, grows it for a cell longer than itself. */
    private void ensure(int n) throws IOException {
      if (pos + n > buf.length) {
        flush();
        if (n > buf.length) {
          buf = new byte[Math.max(n, 2 * buf.length)];
        }
      }
    }

    void flush() throws IOException {
      out.write(buf, 0, pos);
      pos = 0;
    }
  }

  /** The cell's UTF-8 bytes, quoted (quotes doubled) where RFC 4180 needs it or spaces at either end would be lost. */
  static byte[] encode(String s) {
    if (s == null || s.isEmpty()) {
      return new byte[0];
    }
    boolean quote = s.charAt(0) == ' ' || s.charAt(s.length() - 1) == ' ' || s.charAt(0) == '#';
    for (int i = 0; i < s.length() && !quote; i++) {
      char ch = s.charAt(i);
      quote = ch == ',' || ch == '"' || ch == '\n' || ch == '\r';
    }
    String cell = quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
    return cell.getBytes(StandardCharsets.UTF_8);
  }
}
