package life.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges shard result folders ({@code life sweep --shard i/N}) into one folder equal to a single run's: checks that
 * the shards come from the same sweep file and layout and together cover every chunk exactly once, then gathers their
 * part files and sums their counts.
 */
public final class Merger {
  private Merger() {}

  public static Manifest merge(List<Path> shards, Path out) throws IOException {
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
      require(m.sweepSha256.equals(first.sweepSha256), d + " is from another sweep (sha256 " + m.sweepSha256 + ", "
          + shards.get(0) + " has " + first.sweepSha256 + ")");
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
    if (Files.isDirectory(out)) {
      try (var s = Files.list(out)) {
        require(s.findAny().isEmpty(), "output folder " + out + " is not empty");
      }
    }
    Path parts = out.resolve("parts");
    Files.createDirectories(parts);
    Manifest merged = Manifest.read(shards.get(0).resolve("manifest.json"));
    merged.shardIndex = 0;
    merged.shardCount = 1;
    merged.completed = new ArrayList<>();
    merged.jobs = 0;
    merged.rows = 0;
    merged.failed = 0;
    merged.elapsedS = 0;
    merged.removedBy.replaceAll((k, v) -> 0L);
    for (int i = 0; i < ms.size(); i++) {
      Manifest m = ms.get(i);
      for (long k = m.shardIndex; k < m.chunks; k += n) {
        for (String f : m.formats) {
          String name = SweepRunner.partName(k, OutputFormat.valueOf(f.toUpperCase(java.util.Locale.ROOT)));
          Files.copy(shards.get(i).resolve("parts").resolve(name), parts.resolve(name),
              StandardCopyOption.REPLACE_EXISTING);
        }
        merged.markCompleted(k);
      }
      merged.jobs += m.jobs;
      merged.rows += m.rows;
      merged.failed += m.failed;
      merged.elapsedS += m.elapsedS;
      m.removedBy.forEach((k, v) -> merged.removedBy.merge(k, v, Long::sum));
    }
    merged.complete = merged.completedCount() == merged.chunks;
    merged.updated = java.time.Instant.now().toString();
    merged.write(out.resolve("manifest.json"));
    SweepRunner.writeCombinedCsv(out, merged);
    return merged;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("cannot merge: " + message);
    }
  }
}
