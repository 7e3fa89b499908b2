package life.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishing written files. An output file is written under its temporary name ({@link #temp}) through
 * {@link FileOutput}, then renamed over its final name: a reader sees the old file or the new one, whole. Several
 * files that belong together (a frontier as CSV and Parquet, a report and its summary) are committed through a
 * journal: once every temporary file is on disk, a {@code NAME.commit} file listing them is published, the old files
 * are removed, the new ones renamed into place and the journal removed. A reader sees the old set, part of the new set,
 * or the new set, never old and new mixed; after a crash {@link #recover} (run by the next command holding the folder)
 * finishes the commit from the journal.
 */
public final class Commit {
  private static final String JOURNAL = ".commit";
  private static final String TEMP = ".tmp";

  private Commit() {}

  /** The temporary name {@code target} is written under before it is published. */
  public static Path temp(Path target) {
    return target.resolveSibling(target.getFileName() + TEMP);
  }

  /** Renames the written {@code temp(target)} over {@code target} (the name; a link there is replaced, not followed). */
  public static void publish(Path target) throws IOException {
    rename(target);
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /** {@link #publish} without syncing the directory: for many files of one folder, synced together afterwards. */
  public static void rename(Path target) throws IOException {
    Files.move(temp(target), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Forces a written file's contents to disk (of a {@link FileOutput#createUnsynced} file, before it is recorded). */
  public static void sync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      ch.force(true);
    }
  }

  /** Writes {@code lines} (each ended by a newline, UTF-8) as {@code target}: under its temporary name, then renamed. */
  public static void writeLines(Path target, List<String> lines) throws IOException {
    try (FileOutput out = FileOutput.create(temp(target))) {
      for (String l : lines) {
        out.write((l + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    publish(target);
  }

  /**
   * Publishes the written temporary files of {@code names} (plain file names in {@code dir}) as one unit, under the
   * journal {@code label.commit}.
   */
  public static void publishTogether(Path dir, String label, List<String> names) throws IOException {
    for (String n : names) {
      checkName(n);
    }
    Path journal = dir.resolve(label + JOURNAL);
    try (FileOutput out = FileOutput.create(temp(journal))) {
      out.write((String.join("\n", names) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    publish(journal);
    finish(dir, journal);
  }

  /** Finishes every commit whose journal is in {@code dir}, then removes stale temporary files there. */
  public static void recover(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> journals = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + JOURNAL)) {
      ds.forEach(journals::add);
    }
    for (Path j : journals) {
      if (Files.isRegularFile(j, LinkOption.NOFOLLOW_LINKS)) {
        finish(dir, j);
      } else {
        Files.delete(j);
      }
    }
    removeTemporaries(dir);
  }

  /** Removes the temporary files (and links planted under temporary names) in {@code dir}; never follows a link. */
  public static void removeTemporaries(Path dir) throws IOException {
    List<Path> stale = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + TEMP)) {
      ds.forEach(stale::add);
    }
    for (Path p : stale) {
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        Files.delete(p);
      }
    }
  }

  private static void finish(Path dir, Path journal) throws IOException {
    List<String> names = new ArrayList<>();
    for (String n : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
      if (!n.isEmpty()) {
        checkName(n);
        names.add(n);
      }
    }
    List<String> pending = new ArrayList<>();
    for (String n : names) {
      if (Files.isRegularFile(temp(dir.resolve(n)), LinkOption.NOFOLLOW_LINKS)) {
        pending.add(n);
      }
    }
    // All old files go before any new one arrives, so old and new are never side by side.
    for (String n : pending) {
      Files.deleteIfExists(dir.resolve(n));
    }
    for (String n : pending) {
      Files.move(temp(dir.resolve(n)), dir.resolve(n), StandardCopyOption.ATOMIC_MOVE);
    }
    syncDirectory(dir);
    Files.delete(journal);
    syncDirectory(dir);
  }

  private static void checkName(String n) {
    if (n.isEmpty() || n.contains("/") || n.contains("\\") || n.equals(".") || n.equals("..")) {
      throw new IllegalArgumentException("not a plain file name in a commit journal: '" + n + "'");
    }
  }

  /** Forces a directory's entries (renames, creations) to disk where the platform allows it. */
  public static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some platforms cannot open a directory for reading; the rename itself is still atomic there.
    }
  }
}
