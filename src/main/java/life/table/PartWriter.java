package life.table;

import java.io.IOException;
import java.nio.file.Path;

/** Writes one batch of rows as one complete part file. Implementations are stateless and thread-safe. */
public interface PartWriter {
  void write(RowBatch batch, Path file) throws IOException;
}
