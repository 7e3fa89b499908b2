package life.exec;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a result folder: which sweep (by content hash) and tool made it, the row schema, the chunk
 * layout, which chunks are complete (as ranges), and the counts of rows written and removed by each constraint.
 * Rewritten atomically after every chunk, so a crash leaves the last consistent state.
 */
public final class Manifest {
  public String tool = "life";
  public String toolVersion;
  public String sweepName;
  public String sweepFile;
  public String sweepSha256;
  public long points;
  public long partRows;
  public long chunks;
  public int shardIndex;
  public int shardCount = 1;
  public List<String> formats = new ArrayList<>();
  public List<Map<String, String>> schema = new ArrayList<>();
  /** The sweep file's Pareto objectives ({@code column:min|max}), the default of {@code life pareto}. */
  public List<String> objectives = new ArrayList<>();
  /** Completed chunk indices as sorted, disjoint [first, last] ranges. */
  public List<long[]> completed = new ArrayList<>();
  public long jobs;
  public long rows;
  public long failed;
  public Map<String, Long> removedBy = new LinkedHashMap<>();
  public String started;
  public String updated;
  public double elapsedS;
  @JsonProperty("complete")
  public boolean complete;

  static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public static Manifest read(Path file) {
    try {
      return JSON.readValue(file.toFile(), Manifest.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not a readable manifest: " + e.getMessage().lines().findFirst()
          .orElse(""));
    }
  }

  /** Writes to a temporary file and renames it over {@code file}. */
  public void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public boolean isCompleted(long chunk) {
    for (long[] r : completed) {
      if (chunk >= r[0] && chunk <= r[1]) {
        return true;
      }
    }
    return false;
  }

  /** Number of completed chunks. */
  public long completedCount() {
    long n = 0;
    for (long[] r : completed) {
      n += r[1] - r[0] + 1;
    }
    return n;
  }

  /** Marks {@code chunk} complete, merging ranges. */
  public void markCompleted(long chunk) {
    List<long[]> out = new ArrayList<>();
    long[] add = {chunk, chunk};
    boolean placed = false;
    for (long[] r : completed) {
      if (r[1] + 1 < add[0]) {
        out.add(r);
      } else if (add[1] + 1 < r[0]) {
        if (!placed) {
          out.add(add);
          placed = true;
        }
        out.add(r);
      } else {
        add = new long[] {Math.min(r[0], add[0]), Math.max(r[1], add[1])};
      }
    }
    if (!placed) {
      out.add(add);
    }
    completed = out;
  }

  /** Chunks this manifest's shard is responsible for. */
  public long shardChunks() {
    return chunks <= shardIndex ? 0 : (chunks - 1 - shardIndex) / shardCount + 1;
  }
}
