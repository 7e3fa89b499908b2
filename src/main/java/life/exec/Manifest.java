package life.exec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import life.io.Commit;
import life.io.FileOutput;

/**
 * {@code manifest.json} of a result folder: which sweep (by content hash) and tool made it, the hashes of every input
 * file it read, the row schema, the chunk layout, which chunks are complete (as ranges) with each finished part's size
 * and CRC32C, and the counts of rows written and removed by each constraint. Rewritten atomically as chunks finish
 * so a crash leaves the last consistent state; its keys keep one order.
 */
@JsonPropertyOrder({"tool", "tool_version", "sweep_name", "sweep_file", "sweep_sha256", "inputs", "points",
    "part_rows", "chunks", "shard_index", "shard_count", "formats", "schema", "objectives", "completed", "parts",
    "jobs", "rows", "failed", "removed_by", "started", "updated", "elapsed_s", "complete"})
public final class Manifest {
  public String tool = "life";
  public String toolVersion;
  public String sweepName;
  public String sweepFile;
  public String sweepSha256;
  /** SHA-256 of each input file read besides the sweep file (hardware files, model configs), by path. */
  public Map<String, String> inputs = new TreeMap<>();
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
  /** Size and CRC32C of each finished part file, by file name. */
  public Map<String, FileOutput.Sum> parts = new TreeMap<>();
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

  /** When this manifest was last written, for {@link #writeAtMostEvery}. */
  @JsonIgnore
  private long writtenNs = System.nanoTime();

  /**
   * Writes it unless it was written less than {@code seconds} ago: a sweep of thousands of chunks records them a few
   * times a second rather than rewriting (and syncing) the manifest for each.
   */
  public void writeAtMostEvery(Path file, double seconds) throws IOException {
    if (System.nanoTime() - writtenNs >= seconds * 1e9) {
      write(file);
    }
  }

  /** Writes to its temporary name, forces it to disk and renames it over {@code file}. */
  public void write(Path file) throws IOException {
    writtenNs = System.nanoTime();
    try (FileOutput out = FileOutput.create(Commit.temp(file))) {
      JSON.writeValue(out, this);
    }
    Commit.publish(file);
  }

  /** A schema entry: a column's name and type, in that order. */
  static Map<String, String> column(String name, String type) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("type", type);
    return m;
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
