package life.exec;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import life.table.CsvPartWriter;
import life.table.ParquetPartWriter;
import life.table.PartWriter;

/** Result-table formats: each a file extension and a part writer. */
public enum OutputFormat {
  CSV(".csv", CsvPartWriter::new),
  PARQUET(".parquet", ParquetPartWriter::new);

  private final String extension;
  private final Supplier<PartWriter> writer;

  OutputFormat(String extension, Supplier<PartWriter> writer) {
    this.extension = extension;
    this.writer = writer;
  }

  public String extension() {
    return extension;
  }

  public PartWriter writer() {
    return writer.get();
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code csv}, {@code parquet} or {@code both} (also {@code csv,parquet}). */
  public static Set<OutputFormat> parse(String s) {
    EnumSet<OutputFormat> out = EnumSet.noneOf(OutputFormat.class);
    for (String p : s.toLowerCase(Locale.ROOT).split("\\s*,\\s*")) {
      switch (p) {
        case "both" -> out.addAll(EnumSet.allOf(OutputFormat.class));
        case "csv" -> out.add(CSV);
        case "parquet" -> out.add(PARQUET);
        default -> throw new IllegalArgumentException("unknown format '" + p + "' (allowed: csv, parquet, both)");
      }
    }
    return out;
  }
}
