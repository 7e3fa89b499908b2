package life.exec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import life.io.Commit;

/**
 * The exclusive right to write into an output folder: an operating-system lock on its {@value #NAME} file, held from
 * {@link #acquire} to {@link #close}. The system drops the lock when its process ends, however it ends, so a lock of a
 * dead process is never in the way. A second writer, in this process or another, is refused in one line that names
 * the holder. Taking the lock also finishes an interrupted multi-file commit and removes stale temporary files
 * ({@link Commit#recover}). The lock file stays in the folder (removing it would let two writers lock two different
 * files of one name).
 */
public final class FolderLock implements AutoCloseable {
  /** The lock file's name; commands that check a folder is empty ignore it. */
  public static final String NAME = ".life.lock";

  /**
   * Folders locked by this process. Checked before the lock file is opened: closing a second channel on a locked file
   * can release the first channel's lock on some systems ({@link FileLock}).
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private FolderLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /** Creates {@code dir} if needed and locks it for {@code command} (e.g. {@code "life sweep"}). */
  public static FolderLock acquire(Path dir, String command) throws IOException {
    if (Files.isSymbolicLink(dir.resolve(NAME)) || Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(Files.isDirectory(dir) ? dir.resolve(NAME) + " is a link, not a lock file: "
          + "remove it" : dir + " is not a folder");
    }
    Files.createDirectories(dir);
    Path key = dir.toRealPath();
    if (!HELD.add(key)) {
      throw new IllegalArgumentException(dir + " is in use by another command of this process: wait for it to end, "
          + "or use another folder");
    }
    try {
      return lock(dir, key, command);
    } catch (IOException | RuntimeException e) {
      HELD.remove(key);
      throw e;
    }
  }

  private static FolderLock lock(Path dir, Path key, String command) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(dir.resolve(NAME), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    } catch (FileSystemException e) {
      throw new IllegalArgumentException("cannot lock " + dir + ": " + e.getMessage());
    }
    FileLock l = null;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      String holder = holder(ch);
      ch.close();
      throw new IllegalArgumentException(dir + " is in use by another life process" + (holder.isEmpty() ? ""
          : " (" + holder + ")") + ": wait for it to end, or use another folder");
    }
    String me = "pid " + ProcessHandle.current().pid() + ", " + command + ", since " + Instant.now();
    ch.truncate(0);
    ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
    FolderLock held = new FolderLock(key, ch, l);
    try {
      Commit.recover(dir);
    } catch (IOException | RuntimeException e) {
      held.close();
      throw e;
    }
    return held;
  }

  /** What the holder wrote into the lock file: its pid, command and start. */
  private static String holder(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(512);
      ch.read(b, 0);
      String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
      return s.lines().findFirst().orElse("").strip();
    } catch (IOException e) {
      return "";
    }
  }

  /** Whether {@code p} is a folder's lock file (ignored when a command checks that a folder is empty). */
  public static boolean isLockFile(Path p) {
    return p.getFileName().toString().equals(NAME);
  }

  @Override
  public void close() throws IOException {
    try (channel) {
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      HELD.remove(key);
    }
  }
}
