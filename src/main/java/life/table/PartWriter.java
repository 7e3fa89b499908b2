package life.table;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import life.io.FileOutput;

/**
 * Writes one part file, batch after batch, so a chunk of any size streams through a small buffer. Implementations
 * are stateless and thread-safe; each {@link Sink} is used by one thread.
 */
public interface PartWriter {
  /** An open part file. */
  interface Sink extends AutoCloseable {
    void append(RowBatch batch) throws IOException;

    /** Completes the file (footer, flush) and closes the stream. */
    @Override
    void close() throws IOException;
  }

  /** Starts a file of rows of {@code schema} on {@code out}, which the sink closes. */
  Sink open(OutputStream out, RowSchema schema) throws IOException;

  /** Writes one batch as a complete file on {@code out} and closes it. */
  default void write(RowBatch batch, OutputStream out) throws IOException {
    try (Sink s = open(out, batch.schema())) {
      s.append(batch);
    }
  }

  /** Writes one batch as the new file {@code file} ({@link FileOutput#create}: exclusive, never through a link). */
  default void write(RowBatch batch, Path file) throws IOException {
    write(batch, FileOutput.create(file));
  }
}
