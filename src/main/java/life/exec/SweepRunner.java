package life.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import life.catalog.ModelCatalog;
import life.io.Commit;
import life.io.FileOutput;
import life.sweep.AxisName;
import life.sweep.SweepEvaluator;
import life.sweep.SweepFile;
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
  public static final String VERSION = "0.2.0";
  /** Rows evaluated and written at a time within a chunk. */
  static final int BATCH_ROWS = 4096;
  /** Seconds a SIGTERM or SIGINT waits for the running chunks to finish. */
  static final int STOP_WAIT_S = 30;
  /** Seconds between manifest writes while chunks finish (a chunk finished but not yet recorded is redone). */
  static final double MANIFEST_EVERY_S = 1.0;
  /** Permits for running chunks: a stop waits until it holds them all. */
  private static final int PERMITS = Integer.MAX_VALUE;
  private final java.util.concurrent.Semaphore running = new java.util.concurrent.Semaphore(PERMITS);
  /** Set by a stop: no chunk starts after it. */
  private volatile boolean stopping;
  /**
   * The one thread that syncs each finished chunk's parts to disk and then records it, so the workers go on computing
   * while the disk catches up, and no chunk is recorded before its parts are durable.
   */
  private final java.util.concurrent.ExecutorService recorder = java.util.concurrent.Executors.newSingleThreadExecutor(
      r -> {
        Thread t = new Thread(r, "life-recorder");
        t.setDaemon(true);
        return t;
      });

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

  /**
   * Runs the sweep (or the rest of it) and returns the final manifest. The result folder is locked meanwhile
   * ({@link FolderLock}); on SIGTERM or SIGINT no new chunk starts, the running ones finish (up to
   * {@value #STOP_WAIT_S} s), the manifest records them and the command to resume is printed.
   */
  public Manifest run() throws IOException {
    FolderLock lock = FolderLock.acquire(o.out(), "life sweep " + evaluator.spec().file());
    try {
      return runLocked();
    } finally {
      lock.close();
    }
  }

  private Manifest runLocked() throws IOException {
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
    Thread onSignal = new Thread(this::stopOnSignal, "life-stop");
    Runtime.getRuntime().addShutdownHook(onSignal);
    boolean ok = false;
    try (Progress progress = new Progress(spec.name(), shardPoints, manifest.jobs, o.quiet(), 10)) {
      List<Future<?>> futures = new ArrayList<>();
      List<Future<?>> records = java.util.Collections.synchronizedList(new ArrayList<>());
      for (long k : todo) {
        futures.add(pool.submit(() -> {
          if (stopping || !running.tryAcquire()) {
            return;
          }
          try {
            if (stopping) {
              return;
            }
            long from = k * o.partRows();
            long to = Math.min(points, from + o.partRows());
            Chunk c = writeChunk(k, from, to, buffers.get());
            records.add(recorder.submit(() -> {
              syncParts(c);
              record(k, c, start, before);
              return null;
            }));
            progress.advance(to - from);
          } finally {
            running.release();
          }
        }));
      }
      for (Future<?> f : futures) {
        await(f);
      }
      recorder.shutdown();
      for (Future<?> f : List.copyOf(records)) {
        await(f);
      }
      ok = true;
    } finally {
      // After a failure no further chunk starts, and the folder's lock is held until the running ones have ended.
      stopping = true;
      pool.shutdownNow();
      recorder.shutdown();
      try {
        pool.awaitTermination(STOP_WAIT_S, java.util.concurrent.TimeUnit.SECONDS);
        recorder.awaitTermination(STOP_WAIT_S, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(onSignal);
      } catch (IllegalStateException e) {
        // Shutting down: the hook is running and finishes the manifest.
      }
      synchronized (this) {
        manifest.complete = manifest.completedCount() == manifest.shardChunks();
        try {
          manifest.write(manifestFile);
        } catch (IOException e) {
          if (ok) {
            throw e;
          }
        }
      }
    }
    if (manifest.complete && o.shardCount() == 1) {
      writeCombinedCsv(o.out(), manifest);
    }
    return manifest;
  }

  private void prepare(SweepSpec spec, long points, long chunks) throws IOException {
    Path out = o.out();
    boolean exists = !isEmpty(out);
    if (exists && !o.resume()) {
      throw new IllegalArgumentException("result folder " + out + " is not empty: use --resume to continue it, "
          + "or choose another --out");
    }
    if (Files.isSymbolicLink(parts) || Files.exists(parts, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(parts)) {
      throw new IllegalArgumentException(parts + " is not a folder (a link or a file): remove it");
    }
    Files.createDirectories(parts);
    Commit.removeTemporaries(parts);
    Map<String, String> inputs = inputHashes(spec);
    if (exists) {
      if (!Files.isRegularFile(manifestFile)) {
        throw new IllegalArgumentException("cannot resume " + out + ": it has no manifest.json");
      }
      manifest = Manifest.read(manifestFile);
      check(VERSION.equals(manifest.toolVersion), "it was made by life " + manifest.toolVersion + ", this is life "
          + VERSION + " (results of two versions would be mixed)");
      check(spec.sha256().equals(manifest.sweepSha256), "the sweep file " + spec.file()
          + " changed since the run started (sha256 " + manifest.sweepSha256 + " in the manifest)");
      for (Map.Entry<String, String> e : inputs.entrySet()) {
        check(e.getValue().equals(manifest.inputs.get(e.getKey())), "the input file " + e.getKey()
            + (manifest.inputs.containsKey(e.getKey()) ? " changed since the run started" : " was not read by it"));
      }
      check(manifest.partRows == o.partRows(), "it was run with --part-rows " + manifest.partRows);
      check(manifest.shardIndex == o.shardIndex() && manifest.shardCount == o.shardCount(),
          "it is shard " + manifest.shardIndex + "/" + manifest.shardCount);
      check(manifest.formats.equals(o.formats().stream().map(OutputFormat::id).toList()),
          "it was run with formats " + manifest.formats);
      verifyParts(manifest, parts, "cannot resume " + out);
      return;
    }
    manifest = new Manifest();
    manifest.toolVersion = VERSION;
    manifest.sweepName = spec.name();
    manifest.sweepFile = spec.file().toString();
    manifest.sweepSha256 = spec.sha256();
    manifest.inputs.putAll(inputs);
    manifest.points = points;
    manifest.partRows = o.partRows();
    manifest.chunks = chunks;
    manifest.shardIndex = o.shardIndex();
    manifest.shardCount = o.shardCount();
    manifest.formats = o.formats().stream().map(OutputFormat::id).toList();
    for (RowSchema.Column c : evaluator.schema().columns()) {
      manifest.schema.add(Manifest.column(c.name(), c.type().name().toLowerCase(Locale.ROOT)));
    }
    spec.where().forEach(w -> manifest.removedBy.put(w.text(), 0L));
    manifest.objectives = List.copyOf(spec.objectives());
    manifest.started = Instant.now().toString();
    manifest.updated = manifest.started;
    manifest.write(manifestFile);
  }

  /**
   * SHA-256 of the files the sweep reads besides itself: its hardware files (by path from the sweep file's folder, so
   * shards run elsewhere compare equal) and the models given as {@code config.json} paths (as written).
   */
  static Map<String, String> inputHashes(SweepSpec spec) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Path home = spec.file().toAbsolutePath().getParent();
    for (Path p : spec.hardwareFiles()) {
      out.put(home.relativize(p.toAbsolutePath()).toString(), sha256(p));
    }
    for (SweepSpec.Axis a : spec.axes()) {
      if (a.name() == AxisName.MODEL) {
        for (String v : a.values()) {
          if (!ModelCatalog.builtIn().entries().containsKey(v)) {
            out.put(v, sha256(Path.of(v)));
          }
        }
      }
    }
    return out;
  }

  private static String sha256(Path p) throws IOException {
    return SweepFile.sha256(Files.readAllBytes(p));
  }


  /**
   * Checks that every part file the manifest records as finished is there with its recorded size and CRC32C; the
   * first that is not is refused in one line starting with {@code what}.
   */
  static void verifyParts(Manifest m, Path parts, String what) throws IOException {
    for (long[] r : m.completed) {
      for (long k = r[0]; k <= r[1]; k++) {
        for (String f : m.formats) {
          String name = partName(k, OutputFormat.valueOf(f.toUpperCase(Locale.ROOT)));
          Path p = parts.resolve(name);
          FileOutput.Sum want = m.parts.get(name);
          if (want == null) {
            throw new IllegalArgumentException(what + ": the manifest has no size or checksum for the finished part "
                + p);
          }
          if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(what + ": the finished part " + p + (Files.exists(p,
                LinkOption.NOFOLLOW_LINKS) ? " is not a regular file" : " is missing") + " (chunk " + k + ")");
          }
          FileOutput.Sum got = FileOutput.sum(p);
          if (got.bytes() != want.bytes()) {
            throw new IllegalArgumentException(what + ": the finished part " + p + " has " + got.bytes()
                + " bytes, the manifest recorded " + want.bytes() + " (truncated or changed)");
          }
          if (!got.crc32c().equals(want.crc32c())) {
            throw new IllegalArgumentException(what + ": the finished part " + p + " is damaged (CRC32C "
                + got.crc32c() + ", the manifest recorded " + want.crc32c() + ")");
          }
        }
      }
    }
  }

  private void check(boolean ok, String why) {
    if (!ok) {
      throw new IllegalArgumentException("cannot resume " + o.out() + ": " + why);
    }
  }

  /** Whether {@code dir} holds nothing but its lock file. */
  static boolean isEmpty(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return true;
    }
    try (var s = Files.list(dir)) {
      return s.allMatch(FolderLock::isLockFile);
    }
  }

  /** A finished chunk's counts and the size and checksum of each of its part files. */
  private record Chunk(SweepEvaluator.Counts counts, Map<String, FileOutput.Sum> sums) {}

  /**
   * Evaluates jobs [from, to) in batches of {@link #BATCH_ROWS} (memory stays flat and cache-resident whatever the
   * chunk size), streaming them into temporary part files that are renamed once complete.
   */
  private Chunk writeChunk(long k, long from, long to, RowBatch batch) {
    SweepEvaluator.Counts counts = new SweepEvaluator.Counts(evaluator.spec().where().size());
    List<OutputFormat> formats = List.copyOf(o.formats());
    PartWriter.Sink[] sinks = new PartWriter.Sink[formats.size()];
    FileOutput[] files = new FileOutput[formats.size()];
    Map<String, FileOutput.Sum> sums = new TreeMap<>();
    try {
      try {
        for (int i = 0; i < sinks.length; i++) {
          files[i] = FileOutput.createUnsynced(Commit.temp(parts.resolve(partName(k, formats.get(i)))));
          sinks[i] = formats.get(i).writer().open(files[i], evaluator.schema());
        }
        for (long s = from; s < to; s += BATCH_ROWS) {
          counts.add(evaluator.evaluate(s, Math.min(to, s + BATCH_ROWS), batch));
          for (PartWriter.Sink sink : sinks) {
            sink.append(batch);
          }
        }
      } finally {
        for (int i = 0; i < sinks.length; i++) {
          if (sinks[i] != null) {
            sinks[i].close();
          } else if (files[i] != null) {
            files[i].close();
          }
        }
      }
      for (int i = 0; i < formats.size(); i++) {
        String name = partName(k, formats.get(i));
        sums.put(name, files[i].sum());
        Commit.rename(parts.resolve(name));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Chunk(counts, sums);
  }

  /** Waits for a task of the run, rethrowing what it threw as this method's exception. */
  private static void await(Future<?> f) throws IOException {
    try {
      f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (cause instanceof IOException io) {
        throw io;
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

  /** Forces a finished chunk's parts and their folder entries to disk. */
  private void syncParts(Chunk c) throws IOException {
    for (String name : c.sums().keySet()) {
      Commit.sync(parts.resolve(name));
    }
    Commit.syncDirectory(parts);
  }

  /**
   * On SIGTERM or SIGINT (a shutdown hook): lets no further chunk start, waits up to {@value #STOP_WAIT_S} s for the
   * running ones, records them and says how to resume.
   */
  private void stopOnSignal() {
    stopping = true;
    boolean drained = false;
    try {
      drained = running.tryAcquire(PERMITS, STOP_WAIT_S, java.util.concurrent.TimeUnit.SECONDS);
      recorder.shutdown();
      drained &= recorder.awaitTermination(STOP_WAIT_S, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long done;
    long of;
    synchronized (this) {
      try {
        manifest.write(manifestFile);
      } catch (IOException e) {
        System.err.println("life: could not record the last chunks in " + manifestFile + ": " + e.getMessage());
      }
      done = manifest.completedCount();
      of = manifest.shardChunks();
    }
    if (done < of) {
      String cmd = "life sweep " + evaluator.spec().file() + " --out " + o.out() + " --resume";
      System.err.println("life: stopped with " + done + " of " + of + " chunks done" + (drained ? ""
          : " (chunks still running were dropped)") + "; continue with: " + cmd);
    }
  }

  private synchronized void record(long k, Chunk chunk, long start, double before) {
    SweepEvaluator.Counts c = chunk.counts();
    manifest.markCompleted(k);
    manifest.parts.putAll(chunk.sums());
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
      manifest.writeAtMostEvery(manifestFile, MANIFEST_EVERY_S);
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
    Path target = out.resolve("results.csv");
    try (FileOutput w = FileOutput.create(Commit.temp(target))) {
      byte[] buf = new byte[1 << 20];
      for (long k = 0; k < m.chunks; k++) {
        Path p = out.resolve("parts").resolve(partName(k, OutputFormat.CSV));
        try (FileChannel part = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            java.io.InputStream in = java.nio.channels.Channels.newInputStream(part.position(k == 0 ? 0
                : headerBytes(part)))) {
          for (int n; (n = in.read(buf)) > 0; ) {
            w.write(buf, 0, n);
          }
        }
      }
    }
    Commit.publish(target);
  }
}
