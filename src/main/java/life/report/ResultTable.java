package life.report;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import life.exec.Manifest;
import life.exec.OutputFormat;
import life.exec.SweepRunner;

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

  /** Opens {@code dir}, checking it is a sweep result folder with CSV parts and at least one completed chunk. */
  public static ResultTable open(Path dir) {
    Path mf = dir.resolve("manifest.json");
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("result folder " + dir + " does not exist");
    }
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
    Path part = dir.resolve("parts").resolve(SweepRunner.partName(m.completed.get(0)[0], OutputFormat.CSV));
    try (BufferedReader r = Files.newBufferedReader(part, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      if (header == null || !List.of(header.split(",", -1)).equals(m.schema.stream().map(c -> c.get("name"))
          .toList())) {
        throw new IllegalArgumentException(mf + ": field 'schema' does not list the columns of " + part);
      }
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("result folder " + dir + " has no part file " + part.getFileName()
          + " for its completed chunk " + m.completed.get(0)[0], e);
    } catch (IOException e) {
      throw new IllegalArgumentException(part + ": cannot read: " + e.getMessage(), e);
    }
    return new ResultTable(dir, m);
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

  /** Streams every row of every completed chunk, in chunk order, as the CSV text of its cells. */
  public void forEachRow(Consumer<String[]> rows) throws IOException {
    List<Path> parts = new ArrayList<>();
    for (long k = 0; k < manifest.chunks; k++) {
      if (manifest.isCompleted(k)) {
        parts.add(dir.resolve("parts").resolve(SweepRunner.partName(k, OutputFormat.CSV)));
      }
    }
    CsvParserSettings s = new CsvParserSettings();
    s.setHeaderExtractionEnabled(true);
    s.setNullValue("");
    s.setEmptyValue("");
    s.setMaxCharsPerColumn(100_000);
    s.setMaxColumns(Math.max(512, columns.size() + 1));
    for (Path p : parts) {
      CsvParser parser = new CsvParser(s);
      try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
        parser.beginParsing(r);
        String[] row;
        while ((row = parser.parseNext()) != null) {
          rows.accept(row);
        }
        parser.stopParsing();
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
