package life.exec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import life.catalog.InputFile;
import life.io.Commit;
import life.io.FileOutput;
import life.spec.InputException;
import life.table.ColumnType;

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

  /** Reads and checks {@code file}: every error is one line naming the file and what is wrong. */
  public static Manifest read(Path file) {
    String name = InputException.escape(file.toString());
    Manifest m;
    try {
      m = JSON.readValue(InputFile.read("manifest", file), Manifest.class);
    } catch (MismatchedInputException e) {
      throw new IllegalArgumentException(name + at(e) + ": not a readable manifest: field '" + path(e)
          + "' does not hold " + (e.getTargetType() == null ? "the expected value" : "a value of its type"));
    } catch (JsonProcessingException e) {
      String msg = String.valueOf(e.getOriginalMessage()).replaceAll(", from `[^`]*`\\)", ")");
      throw new IllegalArgumentException(name + at(e) + ": not a readable manifest: "
          + InputException.escape(msg.lines().findFirst().orElse(msg)));
    }
    if (m == null) {
      throw new IllegalArgumentException(name + ": not a readable manifest: the file holds no JSON object");
    }
    m.check(name);
    return m;
  }

  private static String at(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " line " + e.getLocation().getLineNr() + ", column "
        + e.getLocation().getColumnNr();
  }

  /** The JSON path of a mismatch: {@code schema[3].name}. */
  private static String path(MismatchedInputException e) {
    StringBuilder b = new StringBuilder();
    for (var r : e.getPath()) {
      if (r.getFieldName() != null) {
        b.append(b.length() == 0 ? "" : ".").append(InputException.clip(r.getFieldName()));
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.length() == 0 ? "(top level)" : b.toString();
  }

  /** Checks what later stages rely on: lists present, a name and a known type per column, ranges of chunks. */
  private void check(String file) {
    String bad = null;
    if (formats == null || formats.contains(null)) {
      bad = "field 'formats' must be a list of formats";
    } else if (schema == null || objectives == null || objectives.contains(null) || completed == null
        || removedBy == null || inputs == null || parts == null || parts.containsValue(null)) {
      bad = "fields 'schema', 'objectives', 'completed', 'parts', 'inputs' and 'removed_by' must be present";
    } else if (!(points >= 0 && partRows >= 1 && rows >= 0 && shardCount >= 1 && shardIndex >= 0
        && shardIndex < shardCount)) {
      bad = "fields 'points', 'part_rows', 'rows', 'shard_index' and 'shard_count' are out of range";
    } else if (chunks != points / partRows + (points % partRows == 0 ? 0 : 1)) {
      bad = "field 'chunks' is " + chunks + ", but " + points + " points in parts of " + partRows + " rows make "
          + (points / partRows + (points % partRows == 0 ? 0 : 1));
    }
    for (int i = 0; bad == null && i < schema.size(); i++) {
      Map<String, String> c = schema.get(i);
      if (c == null || c.get("name") == null || c.get("name").isEmpty()) {
        bad = "field 'schema[" + i + "].name' must be a column name";
      } else if (!TYPES.contains(String.valueOf(c.get("type")))) {
        bad = "field 'schema[" + i + "].type' is " + InputException.quote(c.get("type")) + " (allowed: "
            + String.join(", ", TYPES) + ")";
      }
    }
    for (int i = 0; bad == null && i < completed.size(); i++) {
      long[] r = completed.get(i);
      if (r == null || r.length != 2 || r[0] < 0 || r[1] < r[0] || r[1] >= chunks) {
        bad = "field 'completed[" + i + "]' must be a range [first, last] of chunks 0 to " + (chunks - 1);
      }
    }
    if (bad != null) {
      throw new IllegalArgumentException(file + ": not a valid manifest: " + bad);
    }
  }

  /** Column types of {@link #schema}: the ids of {@link ColumnType}. */
  private static final List<String> TYPES = Arrays.stream(ColumnType.values())
      .map(t -> t.name().toLowerCase(Locale.ROOT)).toList();

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
