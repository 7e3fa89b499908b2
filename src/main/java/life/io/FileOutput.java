package life.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * A new file, written once: created exclusively (whatever stood at its name, a stale temporary file or a planted
 * link, is removed first and never followed), counted and check-summed (CRC32C) as it is written, and forced to disk
 * when closed, so a rename after {@link #close} publishes complete contents ({@link #createUnsynced}: the caller
 * forces it later, with {@link Commit#sync}, before anything records it as written). Not thread-safe.
 */
public final class FileOutput extends OutputStream {
  private static final int BUFFER_BYTES = 1 << 16;

  private final FileChannel channel;
  private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
  private final CRC32C crc = new CRC32C();
  private final boolean sync;
  private long bytes;
  private boolean closed;

  private FileOutput(FileChannel channel, boolean sync) {
    this.channel = channel;
    this.sync = sync;
  }

  /**
   * Creates {@code file} anew. Deleting a link removes the link, not its target; {@code CREATE_NEW} fails rather than
   * follow a link planted between the delete and the create.
   */
  public static FileOutput create(Path file) throws IOException {
    return create(file, true);
  }

  /**
   * Creates {@code file} anew, like {@link #create}, but does not force it to disk when closed: for files written by
   * the many (sweep parts) whose syncing is left to one thread, so the writers need not wait for the disk.
   */
  public static FileOutput createUnsynced(Path file) throws IOException {
    return create(file, false);
  }

  private static FileOutput create(Path file, boolean sync) throws IOException {
    Files.deleteIfExists(file);
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS);
    return new FileOutput(ch, sync);
  }

  /** The size and CRC32C of what was written so far. */
  public Sum sum() {
    return new Sum(bytes, hex(crc.getValue()));
  }

  /** A CRC32C value as a manifest records it: 8 lower-case hex digits. */
  public static String hex(long crc) {
    return String.format(Locale.ROOT, "%08x", crc);
  }

  @Override
  public void write(int b) throws IOException {
    if (!buf.hasRemaining()) {
      drain();
    }
    buf.put((byte) b);
    crc.update(b);
    bytes++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    crc.update(b, off, len);
    bytes += len;
    if (len >= BUFFER_BYTES) {
      drain();
      ByteBuffer w = ByteBuffer.wrap(b, off, len);
      while (w.hasRemaining()) {
        channel.write(w);
      }
      return;
    }
    if (len > buf.remaining()) {
      drain();
    }
    buf.put(b, off, len);
  }

  private void drain() throws IOException {
    buf.flip();
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    buf.clear();
  }

  @Override
  public void flush() throws IOException {
    drain();
  }

  /** Writes out the buffer, forces the file's contents to the device (unless made unsynced) and closes it. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (channel) {
      drain();
      if (sync) {
        channel.force(true);
      }
    }
  }

  /** Size and CRC32C of an existing file, read in full (a link is not followed). */
  public static Sum sum(Path file) throws IOException {
    CRC32C c = new CRC32C();
    long n = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
      while (ch.read(b) >= 0) {
        b.flip();
        n += b.remaining();
        c.update(b);
        b.clear();
      }
    }
    return new Sum(n, hex(c.getValue()));
  }

  /** A file's length in bytes and its CRC32C (8 hex digits). */
  public record Sum(long bytes, String crc32c) {}
}
