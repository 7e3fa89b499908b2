package life.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import life.sweep.SweepEvaluator;
import life.sweep.SweepSpec;
import life.table.PartWriter;
import life.table.RowBatch;
import life.table.RowSchema;

/**
 * Runs a sweep into a result folder: chunks of {@code partRows} jobs are the unit of work, output and recovery.
 * Chunk k (jobs [k·S, (k+1)·S)) is evaluated on a ForkJoin pool into a thread-confined buffer, written to temporary
 * part files, renamed when complete, and recorded in the manifest. Output is by chunk index, so it does not depend on
 * the thread count or on interruptions; a resumed run skips recorded chunks and gives the same part files, byte for
 * byte. A shard {@code i/N} runs the chunks with {@code k mod N == i}.
 */
public final class SweepRunner {
  /** How to run. */
  public record Options(Path out, boolean resume, int threads, int shardIndex, int shardCount,
      Set<OutputFormat> formats, int partRows, boolean quiet, long stopAfterChunks) {
    public Options {
      if (threads <= 0) {
        throw new IllegalArgumentException("--threads must be positive, got " + threads);
      }
      if (shardCount <= 0 || shardIndex < 0 || shardIndex >= shardCount) {
        throw new IllegalArgumentException("--shard must be i/N with 0 <= i < N, got " + shardIndex + "/" + shardCount);
      }
      if (partRows <= 0) {
        throw new IllegalArgumentException("--part-rows must be positive, got " + partRows);
      }
      if (formats.isEmpty()) {
        throw new IllegalArgumentException("at least one output format is needed");
      }
    }
  }

  /** Rows of the combined {@code results.csv} written beside the parts (a spreadsheet's row limit). */
  public static final long COMBINED_CSV_MAX_ROWS = 1_048_575;
  public static final String VERSION = "0.1.0";
  /** Rows evaluated and written at a time within a chunk. */
  static final int BATCH_ROWS = 4096;

  private final SweepEvaluator evaluator;
  private final Options o;
  private final Path parts;
  private final Path manifestFile;
  private Manifest manifest;

  public SweepRunner(SweepSpec spec, Options options) {
    this.evaluator = new SweepEvaluator(spec);
    this.o = options;
    this.parts = options.out().resolve("parts");
    this.manifestFile = options.out().resolve("manifest.json");
  }

  /** Part file of chunk {@code k} in {@code format}. */
  public static String partName(long k, OutputFormat format) {
    return String.format(Locale.ROOT, "part-%08d%s", k, format.extension());
  }

  /** Runs the sweep (or the rest of it) and returns the final manifest. */
  public Manifest run() throws IOException {
    SweepSpec spec = evaluator.spec();
    long points = evaluator.plan().points();
    long chunks = (points + o.partRows() - 1) / o.partRows();
    prepare(spec, points, chunks);
    List<Long> todo = new ArrayList<>();
    for (long k = o.shardIndex(); k < chunks; k += o.shardCount()) {
      if (!manifest.isCompleted(k)) {
        todo.add(k);
      }
    }
    if (o.stopAfterChunks() >= 0 && todo.size() > o.stopAfterChunks()) {
      todo = todo.subList(0, (int) o.stopAfterChunks());
    }
    long shardPoints = 0;
    for (long k = o.shardIndex(); k < chunks; k += o.shardCount()) {
      shardPoints += Math.min(points, (k + 1) * o.partRows()) - k * o.partRows();
    }
    long start = System.nanoTime();
    double before = manifest.elapsedS;
    ThreadLocal<RowBatch> buffers = ThreadLocal.withInitial(() -> new RowBatch(evaluator.schema(), BATCH_ROWS));
    ForkJoinPool pool = new ForkJoinPool(o.threads());
    try (Progress progress = new Progress(spec.name(), shardPoints, manifest.jobs, o.quiet(), 10)) {
      List<Future<?>> futures = new ArrayList<>();
      for (long k : todo) {
        futures.add(pool.submit(() -> {
          long from = k * o.partRows();
          long to = Math.min(points, from + o.partRows());
          SweepEvaluator.Counts c = writeChunk(k, from, to, buffers.get());
          record(k, c, start, before);
          progress.advance(to - from);
        }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof UncheckedIOException u) {
            throw u.getCause();
          }
          if (cause instanceof RuntimeException r) {
            throw r;
          }
          throw new IOException(cause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    synchronized (this) {
      manifest.complete = manifest.completedCount() == manifest.shardChunks();
      manifest.write(manifestFile);
    }
    if (manifest.complete && o.shardCount() == 1) {
      writeCombinedCsv(o.out(), manifest);
    }
    return manifest;
  }

  private void prepare(SweepSpec spec, long points, long chunks) throws IOException {
    Path out = o.out();
    boolean exists = Files.isDirectory(out) && !isEmpty(out);
    if (exists && !o.resume()) {
      throw new IllegalArgumentException("result folder " + out + " is not empty: use --resume to continue it, "
          + "or choose another --out");
    }
    Files.createDirectories(parts);
    if (exists) {
      if (!Files.isRegularFile(manifestFile)) {
        throw new IllegalArgumentException("cannot resume " + out + ": it has no manifest.json");
      }
      manifest = Manifest.read(manifestFile);
      check(manifest.sweepSha256.equals(spec.sha256()), "the sweep file changed since the run started (sha256 "
          + manifest.sweepSha256 + " in the manifest)");
      check(manifest.partRows == o.partRows(), "it was run with --part-rows " + manifest.partRows);
      check(manifest.shardIndex == o.shardIndex() && manifest.shardCount == o.shardCount(),
          "it is shard " + manifest.shardIndex + "/" + manifest.shardCount);
      check(manifest.formats.equals(o.formats().stream().map(OutputFormat::id).toList()),
          "it was run with formats " + manifest.formats);
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(parts, "*.tmp")) {
        for (Path p : ds) {
          Files.delete(p);
        }
      }
      return;
    }
    manifest = new Manifest();
    manifest.toolVersion = VERSION;
    manifest.sweepName = spec.name();
    manifest.sweepFile = spec.file().toString();
    manifest.sweepSha256 = spec.sha256();
    manifest.points = points;
    manifest.partRows = o.partRows();
    manifest.chunks = chunks;
    manifest.shardIndex = o.shardIndex();
    manifest.shardCount = o.shardCount();
    manifest.formats = o.formats().stream().map(OutputFormat::id).toList();
    for (RowSchema.Column c : evaluator.schema().columns()) {
      manifest.schema.add(Map.of("name", c.name(), "type", c.type().name().toLowerCase(Locale.ROOT)));
    }
    spec.where().forEach(w -> manifest.removedBy.put(w.text(), 0L));
    manifest.objectives = List.copyOf(spec.objectives());
    manifest.started = Instant.now().toString();
    manifest.updated = manifest.started;
    manifest.write(manifestFile);
  }

  private void check(boolean ok, String why) {
    if (!ok) {
      throw new IllegalArgumentException("cannot resume " + o.out() + ": " + why);
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  /**
   * Evaluates jobs [from, to) in batches of {@link #BATCH_ROWS} (memory stays flat and cache-resident whatever the
   * chunk size), streaming them into temporary part files that are renamed once complete.
   */
  private SweepEvaluator.Counts writeChunk(long k, long from, long to, RowBatch batch) {
    SweepEvaluator.Counts counts = new SweepEvaluator.Counts(evaluator.spec().where().size());
    List<OutputFormat> formats = List.copyOf(o.formats());
    PartWriter.Sink[] sinks = new PartWriter.Sink[formats.size()];
    try {
      try {
        for (int i = 0; i < sinks.length; i++) {
          sinks[i] = formats.get(i).writer().open(parts.resolve(partName(k, formats.get(i)) + ".tmp"),
              evaluator.schema());
        }
        for (long s = from; s < to; s += BATCH_ROWS) {
          counts.add(evaluator.evaluate(s, Math.min(to, s + BATCH_ROWS), batch));
          for (PartWriter.Sink sink : sinks) {
            sink.append(batch);
          }
        }
      } finally {
        for (PartWriter.Sink sink : sinks) {
          if (sink != null) {
            sink.close();
          }
        }
      }
      for (OutputFormat f : formats) {
        Files.move(parts.resolve(partName(k, f) + ".tmp"), parts.resolve(partName(k, f)),
            StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return counts;
  }

  private synchronized void record(long k, SweepEvaluator.Counts c, long start, double before) {
    manifest.markCompleted(k);
    manifest.jobs += c.jobs;
    manifest.rows += c.rows;
    manifest.failed += c.failed;
    List<String> texts = evaluator.spec().where().stream().map(w -> w.text()).toList();
    for (int i = 0; i < texts.size(); i++) {
      manifest.removedBy.merge(texts.get(i), c.removed[i], Long::sum);
    }
    manifest.updated = Instant.now().toString();
    manifest.elapsedS = before + (System.nanoTime() - start) / 1e9;
    try {
      manifest.write(manifestFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Length of the header line of a CSV part, with its line end. */
  private static long headerBytes(FileChannel part) throws IOException {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 16);
    for (long at = 0; ; ) {
      b.clear();
      int n = part.read(b, at);
      if (n < 0) {
        return at;
      }
      for (int i = 0; i < n; i++) {
        if (b.get(i) == '\n') {
          return at + i + 1;
        }
      }
      at += n;
    }
  }

  /**
   * Concatenates the CSV parts into {@code results.csv} (one header) when the sweep is complete and small enough
   * for a spreadsheet; larger sweeps are read from {@code parts/} (DuckDB, pandas and Spark read the folder).
   */
  static void writeCombinedCsv(Path out, Manifest m) throws IOException {
    if (!m.formats.contains("csv") || m.rows > COMBINED_CSV_MAX_ROWS) {
      return;
    }
    Path tmp = out.resolve("results.csv.tmp");
    try (FileChannel w = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      for (long k = 0; k < m.chunks; k++) {
        try (FileChannel part = FileChannel.open(out.resolve("parts").resolve(partName(k, OutputFormat.CSV)))) {
          long skip = k == 0 ? 0 : headerBytes(part);
          // transferTo copies inside the kernel where it can (no trip through the heap).
          for (long at = skip, size = part.size(); at < size; ) {
            at += part.transferTo(at, size - at, w);
          }
        }
      }
    }
    Files.move(tmp, out.resolve("results.csv"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
