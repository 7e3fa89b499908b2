package life.report;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import life.exec.Manifest;
import life.exec.OutputFormat;
import life.exec.SweepRunner;
import life.io.FileOutput;

/**
 * A sweep result folder read back: its manifest and its CSV part files streamed row by row as the text written
 * (so values are passed on exactly), never loaded whole.
 */
public final class ResultTable {
  private final Path dir;
  private final Manifest manifest;
  private final List<String> columns;

  private ResultTable(Path dir, Manifest manifest) {
    this.dir = dir;
    this.manifest = manifest;
    this.columns = manifest.schema.stream().map(m -> m.get("name")).toList();
  }

  /** Refuses a result folder that does not exist (before a command locks, and so creates, it). */
  public static void requireFolder(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("result folder " + dir + " does not exist");
    }
  }

  /** Opens {@code dir}, checking it is a sweep result folder with CSV parts and at least one completed chunk. */
  public static ResultTable open(Path dir) {
    Path mf = dir.resolve("manifest.json");
    requireFolder(dir);
    if (!Files.isRegularFile(mf)) {
      throw new IllegalArgumentException("result folder " + dir + " has no manifest.json: run `life sweep` into it "
          + "first");
    }
    Manifest m = Manifest.read(mf);
    if (!m.formats.contains("csv")) {
      throw new IllegalArgumentException("result folder " + dir + " has no CSV parts (formats " + m.formats
          + "); rerun the sweep with --format csv or both");
    }
    if (m.completedCount() == 0 || m.rows == 0) {
      throw new IllegalArgumentException("result folder " + dir + " is empty: no completed chunk has rows");
    }
    ResultTable t = new ResultTable(dir, m);
    for (Path p : t.csvParts()) {
      FileOutput.Sum want = m.parts.get(p.getFileName().toString());
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new IllegalArgumentException("cannot read " + dir + ": the finished part " + p + " is missing");
      }
      long size;
      try {
        size = Files.size(p);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + p + ": " + e.getMessage());
      }
      if (want == null || want.bytes() != size) {
        throw new IllegalArgumentException("cannot read " + dir + ": the finished part " + p + (want == null
            ? " has no size or checksum in the manifest" : " has " + size + " bytes, the manifest recorded "
            + want.bytes() + " (truncated or changed)"));
      }
    }
    Path first = t.csvParts().get(0);
    try (BufferedReader r = Files.newBufferedReader(first, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (header == null || !List.of(header.split(",", -1)).equals(t.columns)) {
        throw new IllegalArgumentException(mf + ": field 'schema' does not list the columns of " + first);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(first + ": cannot read: " + e.getMessage(), e);
    }
    return t;
  }

  /** The CSV part files of the completed chunks, in chunk order. */
  private List<Path> csvParts() {
    List<Path> parts = new ArrayList<>();
    for (long k = 0; k < manifest.chunks; k++) {
      if (manifest.isCompleted(k)) {
        parts.add(dir.resolve("parts").resolve(SweepRunner.partName(k, OutputFormat.CSV)));
      }
    }
    return parts;
  }

  public Path dir() {
    return dir;
  }

  public Manifest manifest() {
    return manifest;
  }

  public List<String> columns() {
    return columns;
  }

  /** Column types by name ({@code string}, {@code long}, {@code double}, {@code boolean}). */
  public String type(String column) {
    for (Map<String, String> c : manifest.schema) {
      if (c.get("name").equals(column)) {
        return c.get("type");
      }
    }
    return null;
  }

  /**
   * Streams every row of every completed chunk, in chunk order, as the CSV text of its cells. Each part's header and
   * cell counts are checked as it is read, and its CRC32C against the manifest's at its end: a part changed since it
   * was written is refused in one line (before the caller writes anything from it).
   */
  public void forEachRow(Consumer<String[]> rows) throws IOException {
    List<Path> parts = csvParts();
    CsvParserSettings s = new CsvParserSettings();
    s.setHeaderExtractionEnabled(true);
    s.setNullValue("");
    s.setEmptyValue("");
    s.setMaxCharsPerColumn(100_000);
    s.setMaxColumns(Math.max(512, columns.size() + 1));
    for (Path p : parts) {
      CsvParser parser = new CsvParser(s);
      CRC32C crc = new CRC32C();
      try (Reader r = new InputStreamReader(new CheckedInputStream(Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS),
          crc), StandardCharsets.UTF_8)) {
        parser.beginParsing(r);
        String[] row;
        while ((row = parser.parseNext()) != null) {
          if (row.length != columns.size()) {
            throw new IllegalArgumentException("cannot read " + p + ": line " + parser.getContext().currentLine()
                + " has " + row.length + " cells, the schema " + columns.size() + " (the part was changed)");
          }
          rows.accept(row);
        }
        String[] header = parser.getContext().headers();
        if (header == null || !List.of(header).equals(columns)) {
          throw new IllegalArgumentException("cannot read " + p + ": its header is not the manifest's schema");
        }
        parser.stopParsing();
      }
      String want = manifest.parts.get(p.getFileName().toString()).crc32c();
      String got = FileOutput.hex(crc.getValue());
      if (!got.equals(want)) {
        throw new IllegalArgumentException("cannot read " + p + ": it is damaged (CRC32C " + got + ", the manifest "
            + "recorded " + want + ")");
      }
    }
  }

  /** The number a cell holds: empty is NaN, booleans are 1 and 0. */
  public static double number(String cell) {
    if (cell == null || cell.isEmpty()) {
      return Double.NaN;
    }
    if (cell.equals("true")) {
      return 1;
    }
    if (cell.equals("false")) {
      return 0;
    }
    try {
      return Double.parseDouble(cell);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
