package life.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import life.exec.Manifest;
import life.exec.OutputFormat;
import life.exec.SweepRunner;
import life.spec.Limits;
import life.sweep.SweepEvaluator;
import life.sweep.SweepFile;
import life.sweep.SweepSpec;
import life.table.CsvPartWriter;
import life.table.RowBatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code life sweep FILE}: evaluates a sweep file's grid into streamed, resumable result tables. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = "Run a sweep file (sweeps/*.yaml) into results/<name>/: CSV and Parquet part files, manifest.json.")
final class SweepCommand implements Callable<Integer> {
  static final int DEFAULT_PART_ROWS = 50_000;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "Sweep file (YAML). Axis values within the limits "
      + "of life forecast: prompt, output, chunk and window at most " + Limits.MAX_TOKENS + " tokens, batch at most "
      + Limits.MAX_BATCH + ", a LoRA rank at most " + Limits.MAX_LORA_RANK + ", at most " + Limits.MAX_DEVICES
      + " devices.")
  Path file;

  @Option(names = "--out", paramLabel = "DIR", description = "Result folder (default: results/<sweep name>).")
  Path out;

  @Option(names = "--resume", description = "Continue an interrupted run in --out, skipping completed chunks.")
  boolean resume;

  @Option(names = "--threads", description = "Worker threads (default: all cores).")
  Integer threads;

  @Option(names = "--shard", paramLabel = "i/N", description = "Run only the chunks k with k mod N == i.")
  String shard;

  @Option(names = "--format", description = "csv, parquet or both (default both; on --resume, the run's).")
  String format;

  @Option(names = "--part-rows", description = "Jobs per chunk and part file (default 50000; on --resume, the run's).")
  Integer partRows;

  @Option(names = "--dry-run", description = "Print the point count, what each constraint removes, and the expected "
      + "output size and time; evaluate nothing.")
  boolean dryRun;

  @Option(names = "--quiet", description = "No progress output.")
  boolean quiet;

  @Option(names = "--stop-after-chunks", hidden = true, defaultValue = "-1",
      description = "Stop after this many chunks (simulates an interrupted run).")
  long stopAfterChunks;

  @Override
  public Integer call() throws Exception {
    SweepSpec s = SweepFile.read(file);
    PrintWriter pw = spec.commandLine().getOut();
    int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    Path dir = out != null ? out : Path.of("results", s.name());
    int si = 0;
    int sn = 1;
    Path mf = dir.resolve("manifest.json");
    if (resume && java.nio.file.Files.isRegularFile(mf)) {
      Manifest was = Manifest.read(mf);
      si = was.shardIndex;
      sn = was.shardCount;
      format = format != null ? format : String.join(",", was.formats);
      partRows = partRows != null ? partRows : (int) Math.min(Integer.MAX_VALUE, was.partRows);
    }
    format = format != null ? format : "both";
    partRows = partRows != null ? partRows : DEFAULT_PART_ROWS;
    if (shard != null) {
      String[] p = shard.split("/");
      try {
        si = Integer.parseInt(p[0]);
        sn = Integer.parseInt(p[1]);
      } catch (RuntimeException e) {
        throw new UsageError("--shard must be i/N (e.g. 0/4), got '" + shard + "'");
      }
    }
    SweepRunner.Options o = new SweepRunner.Options(dir, resume, t, si, sn, OutputFormat.parse(format), partRows,
        quiet, stopAfterChunks);
    if (dryRun) {
      dryRun(s, o, pw);
      return 0;
    }
    Manifest m = new SweepRunner(s, o).run();
    pw.printf(Locale.ROOT, "%s: %d of %d chunks done, %d rows written (%d points evaluated, %d could not be "
        + "forecast) in %.1f s -> %s%n", s.name(), m.completedCount(), m.shardChunks(), m.rows, m.jobs, m.failed,
        m.elapsedS, dir);
    m.removedBy.forEach((k, v) -> pw.printf(Locale.ROOT, "  where %-40s removed %d%n", k, v));
    if (!m.complete) {
      pw.println("  incomplete: continue with --resume");
    }
    pw.flush();
    return 0;
  }

  /** Samples up to 20,000 points (all of them in a smaller sweep) to estimate removals, output size and time. */
  private void dryRun(SweepSpec s, SweepRunner.Options o, PrintWriter pw) throws Exception {
    SweepEvaluator ev = new SweepEvaluator(s);
    long points = ev.plan().points();
    int sample = (int) Math.min(points, 20_000);
    RowBatch one = new RowBatch(ev.schema(), 1);
    RowBatch kept = new RowBatch(ev.schema(), sample);
    SweepEvaluator.Counts total = new SweepEvaluator.Counts(s.where().size());
    Random r = new Random(12345);
    long startNs = System.nanoTime();
    for (int i = 0; i < sample; i++) {
      long job = sample == points ? i : Math.floorMod(r.nextLong(), points);
      total.add(ev.evaluate(job, job + 1, one));
      if (one.size() == 1) {
        copyRow(one, kept);
      }
    }
    double secPerPoint = (System.nanoTime() - startNs) / 1e9 / sample;
    var csv = new java.io.ByteArrayOutputStream();
    new CsvPartWriter().write(kept, csv, false);
    double bytesPerRow = kept.size() == 0 ? 0 : (double) csv.size() / kept.size();
    double scale = (double) points / sample;
    boolean exact = sample == points;
    pw.printf(Locale.ROOT, "sweep %s (%s)%n", s.name(), s.file());
    for (SweepSpec.Axis a : s.axes()) {
      if (a.values().size() > 1 || a.line() > 0) {
        pw.printf(Locale.ROOT, "  axis %-10s %6d values%n", a.name().key(), a.values().size());
      }
    }
    pw.printf(Locale.ROOT, "points %d%n", points);
    for (int i = 0; i < s.where().size(); i++) {
      pw.printf(Locale.ROOT, "  where %-40s removes %s%n", s.where().get(i).text(), count(total.removed[i] * scale,
          exact));
    }
    double rows = total.rows * scale;
    pw.printf(Locale.ROOT, "rows %s%s%n", count(rows, exact), exact ? "" : " (estimated from " + sample
        + " sampled points)");
    pw.printf(Locale.ROOT, "output about %.1f MB of CSV%s in %d part files per format under %s%n",
        rows * bytesPerRow / 1e6, o.formats().contains(OutputFormat.PARQUET) ? " plus Parquet" : "",
        (points + o.partRows() - 1) / o.partRows(), o.out());
    pw.printf(Locale.ROOT, "time about %.1f s on %d threads (from this sample; the JIT makes long runs faster)%n",
        points * secPerPoint / o.threads(), o.threads());
    pw.flush();
  }

  private static String count(double v, boolean exact) {
    return exact ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "about %.3g", v);
  }

  private static void copyRow(RowBatch from, RowBatch to) {
    int r = to.addRow();
    for (int c = 0; c < from.schema().size(); c++) {
      switch (from.schema().column(c).type()) {
        case STRING -> to.strings(c)[r] = from.strings(c)[0];
        case LONG -> to.longs(c)[r] = from.longs(c)[0];
        case DOUBLE -> to.doubles(c)[r] = from.doubles(c)[0];
        case BOOLEAN -> to.booleans(c)[r] = from.booleans(c)[0];
      }
    }
  }

}
