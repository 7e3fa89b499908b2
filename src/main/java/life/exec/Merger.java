package life.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import life.io.Commit;
import life.io.FileOutput;

/**
 * Merges shard result folders ({@code life sweep --shard i/N}) into one folder equal to a single run's: checks that
 * the shards come from the same sweep file, inputs, tool version and layout and together cover every chunk exactly
 * once, then copies their part files (each through a temporary name, checked against the size and CRC32C its shard's
 * manifest recorded) and sums their counts. The output folder is locked meanwhile; its manifest records each copied
 * chunk, so an interrupted merge continues with {@code resume}. The manifest says {@code complete} only at the end.
 */
public final class Merger {
  private Merger() {}

  public static Manifest merge(List<Path> shards, Path out) throws IOException {
    return merge(shards, out, false);
  }

  public static Manifest merge(List<Path> shards, Path out, boolean resume) throws IOException {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("give the shard folders to merge");
    }
    List<Manifest> ms = new ArrayList<>();
    for (Path d : shards) {
      Path mf = d.resolve("manifest.json");
      if (!Files.isRegularFile(mf)) {
        throw new IllegalArgumentException(d + " has no manifest.json: not a sweep result folder");
      }
      ms.add(Manifest.read(mf));
    }
    Manifest first = ms.get(0);
    int n = first.shardCount;
    boolean[] seen = new boolean[n];
    for (int i = 0; i < ms.size(); i++) {
      Manifest m = ms.get(i);
      Path d = shards.get(i);
      require(SweepRunner.VERSION.equals(m.toolVersion), d + " was made by life " + m.toolVersion + ", this is life "
          + SweepRunner.VERSION);
      require(m.sweepSha256.equals(first.sweepSha256), d + " is from another sweep (sha256 " + m.sweepSha256 + ", "
          + shards.get(0) + " has " + first.sweepSha256 + ")");
      require(m.inputs.equals(first.inputs), d + " read other input files than " + shards.get(0) + " (" + m.inputs
          + " against " + first.inputs + ")");
      require(m.partRows == first.partRows && m.chunks == first.chunks && m.formats.equals(first.formats),
          d + " has another layout (part rows, chunks or formats) than " + shards.get(0));
      require(m.shardCount == n, d + " is shard " + m.shardIndex + "/" + m.shardCount + ", not of " + n + " shards");
      require(!seen[m.shardIndex], "shard " + m.shardIndex + "/" + n + " is given twice");
      seen[m.shardIndex] = true;
      require(m.complete, d + " (shard " + m.shardIndex + "/" + n + ") is not complete: resume it first");
    }
    for (int i = 0; i < n; i++) {
      require(seen[i], "shard " + i + "/" + n + " is missing");
    }
    FolderLock lock = FolderLock.acquire(out, "life merge");
    try {
      return mergeLocked(shards, ms, out, resume);
    } finally {
      lock.close();
    }
  }

  private static Manifest mergeLocked(List<Path> shards, List<Manifest> ms, Path out, boolean resume)
      throws IOException {
    Manifest first = ms.get(0);
    Path parts = out.resolve("parts");
    Path manifestFile = out.resolve("manifest.json");
    Manifest merged;
    if (!SweepRunner.isEmpty(out)) {
      if (!resume) {
        throw new IllegalArgumentException("cannot merge: output folder " + out + " is not empty (--resume continues "
            + "an interrupted merge into it)");
      }
      require(Files.isRegularFile(manifestFile), "cannot resume: " + out + " has no manifest.json");
      merged = Manifest.read(manifestFile);
      require(merged.sweepSha256.equals(first.sweepSha256) && merged.shardCount == 1 && merged.chunks == first.chunks
          && merged.formats.equals(first.formats) && SweepRunner.VERSION.equals(merged.toolVersion)
          && merged.inputs.equals(first.inputs), out + " holds another sweep or layout than the shards");
      SweepRunner.verifyParts(merged, parts, "cannot resume the merge into " + out);
    } else {
      merged = Manifest.read(shards.get(0).resolve("manifest.json"));
      merged.shardIndex = 0;
      merged.shardCount = 1;
      merged.completed = new ArrayList<>();
      merged.parts = new TreeMap<>();
      merged.jobs = 0;
      merged.rows = 0;
      merged.failed = 0;
      merged.elapsedS = 0;
      merged.removedBy.replaceAll((k, v) -> 0L);
      merged.complete = false;
      merged.write(manifestFile);
    }
    if (Files.isSymbolicLink(parts)) {
      throw new IllegalArgumentException(parts + " is a link, not a folder: remove it");
    }
    Files.createDirectories(parts);
    Commit.removeTemporaries(parts);
    int n = first.shardCount;
    for (int i = 0; i < ms.size(); i++) {
      Manifest m = ms.get(i);
      for (long k = m.shardIndex; k < m.chunks; k += n) {
        if (merged.isCompleted(k)) {
          continue;
        }
        for (String f : m.formats) {
          String name = SweepRunner.partName(k, OutputFormat.valueOf(f.toUpperCase(Locale.ROOT)));
          merged.parts.put(name, copy(shards.get(i).resolve("parts").resolve(name), parts.resolve(name),
              m.parts.get(name)));
        }
        merged.markCompleted(k);
        merged.writeAtMostEvery(manifestFile, SweepRunner.MANIFEST_EVERY_S);
      }
    }
    merged.jobs = 0;
    merged.rows = 0;
    merged.failed = 0;
    merged.elapsedS = 0;
    merged.removedBy.replaceAll((k, v) -> 0L);
    for (Manifest m : ms) {
      merged.jobs += m.jobs;
      merged.rows += m.rows;
      merged.failed += m.failed;
      merged.elapsedS += m.elapsedS;
      m.removedBy.forEach((k, v) -> merged.removedBy.merge(k, v, Long::sum));
    }
    merged.complete = merged.completedCount() == merged.chunks;
    merged.updated = java.time.Instant.now().toString();
    merged.write(manifestFile);
    SweepRunner.writeCombinedCsv(out, merged);
    return merged;
  }

  /** Copies a shard's part through a temporary name, refusing it unless it matches {@code want}. */
  private static FileOutput.Sum copy(Path from, Path to, FileOutput.Sum want) throws IOException {
    require(want != null, "the manifest of " + from.getParent().getParent() + " has no checksum for " + from);
    require(Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS), "the shard part " + from + " is missing");
    FileOutput w = FileOutput.create(Commit.temp(to));
    try (w; InputStream in = Files.newInputStream(from, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      in.transferTo(w);
    }
    FileOutput.Sum got = w.sum();
    if (!got.equals(want)) {
      Files.deleteIfExists(Commit.temp(to));
      throw new IllegalArgumentException("cannot merge: the shard part " + from + " is damaged (" + got.bytes()
          + " bytes, CRC32C " + got.crc32c() + "; its manifest recorded " + want.bytes() + " bytes, " + want.crc32c()
          + ")");
    }
    Commit.publish(to);
    return got;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message.startsWith("cannot ") ? message : "cannot merge: " + message);
    }
  }
}
