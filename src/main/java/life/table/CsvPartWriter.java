package life.table;

import com.fasterxml.jackson.core.JsonGenerator;
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
 * quoting (only where needed), {@code \n} line ends, numbers as {@link Double#toString} (locale-independent,
 * round-trips exactly), NaN ("not available", e.g. a device without a list price) as an empty cell, booleans as
 * {@code true}/{@code false}.
 */
public final class CsvPartWriter implements PartWriter {
  private static final CsvFactory FACTORY = new CsvFactory();

  @Override
  public void write(RowBatch batch, Path file) throws IOException {
    try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
      write(batch, w, true);
    }
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
      for (int r = 0; r < batch.size(); r++) {
        g.writeStartArray();
        for (int c = 0; c < cols; c++) {
          switch (s.column(c).type()) {
            case STRING -> g.writeString(batch.strings(c)[r]);
            case LONG -> g.writeNumber(batch.longs(c)[r]);
            case DOUBLE -> {
              double d = batch.doubles(c)[r];
              if (Double.isNaN(d)) {
                g.writeNull();
              } else {
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
