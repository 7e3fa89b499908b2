package life.table;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes one part file, batch after batch, so a chunk of any size streams through a small buffer. Implementations
 * are stateless and thread-safe; each {@link Sink} is used by one thread.
 */
public interface PartWriter {
  /** An open part file. */
  interface Sink extends AutoCloseable {
    void append(RowBatch batch) throws IOException;

    /** Completes the file (footer, flush). */
    @Override
    void close() throws IOException;
  }

  /** Creates (or overwrites) {@code file} for rows of {@code schema}. */
  Sink open(Path file, RowSchema schema) throws IOException;

  /** Writes one batch as a complete file. */
  default void write(RowBatch batch, Path file) throws IOException {
    try (Sink s = open(file, batch.schema())) {
      s.append(batch);
    }
  }
}
