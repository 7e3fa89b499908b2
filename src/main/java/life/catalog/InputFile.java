package life.catalog;

import static life.spec.InputException.escape;
import static life.spec.InputException.quote;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.common.record.Record;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import life.spec.InputException;

/**
 * A user's input file read as text: a readable regular file, UTF-8 with or without a byte-order mark, and CSV tables
 * with a named column each. Every error is an {@link InputException} of one line naming the file, and the row or line
 * where there is one.
 */
public final class InputFile {
  /** The most characters a CSV cell may hold. */
  public static final int MAX_CELL_CHARS = 100_000;
  /** The most columns a CSV row may have. */
  public static final int MAX_COLUMNS = 512;
  /** The largest file an array holds. */
  private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  private InputFile() {}

  /** A CSV table: its header (trimmed names, each non-empty and distinct) and its rows; the header is row 1. */
  public record Csv(List<String> header, List<Record> rows) {
    public Csv {
      header = List.copyOf(header);
      rows = List.copyOf(rows);
    }

    public boolean has(String column) {
      return header.contains(column);
    }
  }

  /** The text of the regular file {@code path}; {@code what} names the file in errors ("hardware file"). */
  public static String read(String what, Path path) {
    return text(path.toString(), bytes(what, path));
  }

  /** The bytes of the regular file {@code path} (a directory, a device or a pipe is an error, and never read). */
  public static byte[] bytes(String what, Path path) {
    String name = what + " " + escape(path.toString());
    if (Files.isDirectory(path)) {
      throw new InputException(name + " is a directory");
    }
    if (!Files.exists(path)) {
      throw new InputException(name + " does not exist");
    }
    if (!Files.isRegularFile(path)) {
      throw new InputException(name + " is not a regular file");
    }
    try {
      if (Files.size(path) > MAX_BYTES) {
        throw new InputException(name + " is larger than 2 GiB, the most an input file may be");
      }
      return Files.readAllBytes(path);
    } catch (AccessDeniedException e) {
      throw new InputException(name + ": cannot read: permission denied", e);
    } catch (IOException e) {
      throw new InputException(name + ": cannot read: " + escape(String.valueOf(e.getMessage())), e);
    }
  }

  /** {@code bytes} as UTF-8 text, a leading byte-order mark dropped; anything else than UTF-8 is an error. */
  public static String text(String file, byte[] bytes) {
    int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb
        && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    CharBuffer out = CharBuffer.allocate(bytes.length - start);
    CoderResult r = d.decode(in, out, true);
    if (!r.isError()) {
      r = d.flush(out);
    }
    if (r.isError()) {
      int at = in.position();
      int line = 1;
      for (int i = 0; i < at; i++) {
        if (bytes[i] == '\n') {
          line++;
        }
      }
      throw new InputException(escape(file) + " line " + line + ": not UTF-8 text (byte "
          + String.format(Locale.ROOT, "0x%02x", bytes[at] & 0xff) + " at offset " + at + "); save the file as UTF-8");
    }
    return out.flip().toString();
  }

  /**
   * The CSV table in {@code text}: a header row naming every column, then the rows; empty lines are skipped. A cell
   * longer than {@value #MAX_CELL_CHARS} characters or a row of more than {@value #MAX_COLUMNS} columns is an error.
   */
  public static Csv csv(String file, String text) {
    CsvParserSettings s = new CsvParserSettings();
    s.setHeaderExtractionEnabled(true);
    s.setLineSeparatorDetectionEnabled(true);
    s.setMaxCharsPerColumn(MAX_CELL_CHARS);
    s.setMaxColumns(MAX_COLUMNS);
    s.setSkipEmptyLines(true);
    // The text is in memory: no reader thread, and a buffer no larger than the text.
    s.setReadInputOnSeparateThread(false);
    s.setInputBufferSize(Math.max(1024, Math.min(text.length() + 1, 1 << 20)));
    CsvParser p = new CsvParser(s);
    List<Record> rows = new ArrayList<>();
    String[] header;
    try {
      p.beginParsing(new StringReader(text));
      Record r;
      while ((r = p.parseNextRecord()) != null) {
        rows.add(r);
      }
      header = p.getRecordMetadata() == null ? null : p.getRecordMetadata().headers();
    } catch (TextParsingException e) {
      boolean inHeader = p.getContext() == null || p.getContext().headers() == null;
      throw new InputException(escape(file) + " row " + (inHeader ? 1 : rows.size() + 2) + problem(e));
    } finally {
      p.stopParsing();
    }
    if (header == null) {
      throw new InputException(escape(file) + ": the file is empty (expected a header row naming the columns)");
    }
    List<String> names = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < header.length; i++) {
      String h = header[i] == null ? "" : header[i].trim();
      if (h.isEmpty()) {
        throw new InputException(escape(file) + " row 1: column " + (i + 1) + " of the header has no name (every "
            + "column needs one)");
      }
      if (!seen.add(h)) {
        throw new InputException(escape(file) + " row 1: column " + quote(h) + " appears twice in the header");
      }
      names.add(h);
    }
    return new Csv(names, rows);
  }

  /** What is wrong where the parser stopped: {@code ", column C: ..."} or {@code ": ..."}. */
  private static String problem(TextParsingException e) {
    String m = String.valueOf(e.getMessage());
    if (m.startsWith("Length of parsed input")) {
      return String.format(Locale.ROOT, ", column %d: a cell is longer than %,d characters (the most a cell may hold)",
          e.getColumnIndex() + 1, MAX_CELL_CHARS);
    }
    if (e.getColumnIndex() >= MAX_COLUMNS) {
      return ": the row has more than " + MAX_COLUMNS + " columns (the most a row may have)";
    }
    return ": not valid CSV: " + escape(m.lines().findFirst().orElse(m));
  }
}
