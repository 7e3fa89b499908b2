package life.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import life.exec.Manifest;
import life.exec.OutputFormat;
import life.exec.SweepRunner;
import life.sweep.SweepFile;
import life.sweep.SweepSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.LongStream;
import life.catalog.HardwareCatalog;
import life.forecast.Forecaster;
import life.forecast.Request;
import java.util.EnumSet;
import life.spec.DType;
import life.spec.HardwareSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code life bench}: full forecasts per second (prefill plus every decode step, closed form) over a fixed built-in
 * grid of dense models × devices × prompt and output lengths × batches, on a ForkJoin pool, plain and with every
 * optimization on; then rows per second of a built-in sweep evaluated and written to CSV part files.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure forecasts per second on a fixed built-in grid.")
final class BenchCommand implements Callable<Integer> {
  static final List<String> MODELS = List.of("llama-2-7b", "llama-2-13b", "llama-3.1-8b", "mistral-7b", "qwen2.5-7b",
      "llama-2-70b", "gemma-2-2b", "phi-3-mini");
  static final long[] PROMPTS = {128, 512, 1024, 2048, 4096, 8192};
  static final long[] OUTPUTS = {1, 64, 256, 1024, 4096};
  static final int[] BATCHES = {1, 4, 16, 64};

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--threads", description = "Worker threads (default: all cores).")
  Integer threads;

  @Option(names = "--seconds", defaultValue = "5", description = "Measured seconds after warm-up (default ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--format", defaultValue = "text", description = "text or json.")
  String format;

  /** The bench's first grid: dense fp16, no stack (the raw roofline at the device kinds' efficiencies). */
  static final java.util.Map<String, String> DENSE = java.util.Map.of("stack", "none", "dtype", "fp16");

  /** Every optimization on at once: the bench's second grid. */
  static final java.util.Map<String, String> OPTIMIZED = java.util.Map.of("stack", "none", "dtype", "fp16", "weights",
      "int4", "kv_bits", "8", "kv_keep", "0.5", "lora", "unmerged:16", "window", "4096", "fusion", "all");

  static final long OPTIMIZED_CHUNK = 512;

  @Override
  public Integer call() throws Exception {
    int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (t <= 0) {
      throw new UsageError("--threads must be positive, got " + t);
    }
    if (!(seconds > 0)) {
      throw new UsageError("--seconds must be positive, got " + seconds);
    }
    if (!format.equals("text") && !format.equals("json")) {
      throw new UsageError("--format must be text or json, got '" + format + "'");
    }
    ForkJoinPool pool = new ForkJoinPool(t);
    try {
      double[] dense = measure(pool, forecasters(DENSE), 0);
      double[] opt = measure(pool, forecasters(OPTIMIZED), OPTIMIZED_CHUNK);
      double[] written = written(t, seconds, "/bench/bench-sweep.yaml", 20_000);
      double[] serving = written(t, seconds, "/bench/bench-serving.yaml", 4_096);
      double[] steps = simulatedSteps(seconds);
      PrintWriter out = spec.commandLine().getOut();
      int cores = Runtime.getRuntime().availableProcessors();
      if (format.equals("json")) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("threads", t);
        o.put("cores", cores);
        o.put("grid_points", (long) dense[2]);
        o.put("forecasts_per_s", dense[0]);
        o.put("forecasts_per_s_optimized", opt[0]);
        o.put("optimized_slowdown", dense[0] / opt[0]);
        o.put("rows_per_s", written[0]);
        o.put("rows_per_s_slowest_run", written[4]);
        o.put("rows_per_s_fastest_run", written[5]);
        o.put("write_runs", (long) written[3]);
        o.put("rows_per_run", (long) written[1]);
        o.put("csv_bytes_per_row", written[2]);
        o.put("serving_rows_per_s", serving[0]);
        o.put("serving_rows_per_run", (long) serving[1]);
        o.put("simulated_steps_per_s_one_core", steps[0]);
        o.put("simulated_steps_per_run", (long) steps[1]);
        o.put("checksum", dense[1] + opt[1]);
        out.println(new ObjectMapper().writeValueAsString(o));
      } else {
        out.printf(Locale.ROOT, "threads %d (cores %d)%ngrid %d points (%d models x devices x %d shapes)%n"
            + "forecasts_per_s %.0f (dense, fp16)%nforecasts_per_s_optimized %.0f (int4 weights, 8-bit KV keeping "
            + "half, unmerged LoRA r16, chunked prefill 512, window 4096, every fusion)%noptimized_slowdown %.2fx%n"
            + "rows_per_s %.0f (evaluated and written to CSV part files: %d runs of %d rows, %.0f bytes each; "
            + "runs %.0f to %.0f)%n",
            t, cores, (long) dense[2], MODELS.size(), PROMPTS.length * OUTPUTS.length * BATCHES.length, dense[0],
            opt[0], dense[0] / opt[0], written[0], (long) written[3], (long) written[1], written[2], written[4],
            written[5]);
        out.printf(Locale.ROOT, "serving_rows_per_s %.0f (every row with max_qps_at_slo, replicas, p90 latencies at "
            + "the rate, USD/Mtok and J/token from the steady-state model; %d rows a run, written to CSV)%n"
            + "simulated_steps_per_s_one_core %.0f (life serve's simulator on one thread: Llama-3.1-8B on an H100 "
            + "under vLLM at 20 requests/s, lognormal prompts of mean 1000, outputs of 50-400 tokens; %d steps a "
            + "run)%n", serving[0], (long) serving[1], steps[0], (long) steps[1]);
      }
      out.flush();
    } finally {
      pool.shutdown();
    }
    return 0;
  }

  /**
   * {rows/s, rows per run, CSV bytes per row, runs, slowest run's rows/s, fastest run's rows/s} of the built-in bench
   * sweep run end to end (evaluated and written to CSV part files in a temporary folder): one warm-up run, then runs
   * until {@code seconds} have passed (at least two); rows/s is all measured rows over all measured time.
   */
  private static double[] written(int threads, double seconds, String sweep, int partRows) throws Exception {
    Path dir = Files.createTempDirectory("life-bench");
    try {
      Path file = dir.resolve("bench.yaml");
      try (var in = BenchCommand.class.getResourceAsStream(sweep)) {
        Files.copy(in, file);
      }
      SweepSpec s = SweepFile.read(file);
      long rows = 0;
      double elapsed = 0;
      double bytesPerRow = 0;
      double slowest = Double.POSITIVE_INFINITY;
      double fastest = 0;
      int runs = 0;
      for (int run = 0; run < 3 || elapsed < seconds; run++) {
        Path out = dir.resolve("out");
        long t0 = System.nanoTime();
        Manifest m = new SweepRunner(s, new SweepRunner.Options(out, false, threads, 0, 1,
            EnumSet.of(OutputFormat.CSV), partRows, true, -1)).run();
        double el = (System.nanoTime() - t0) / 1e9;
        try (var files = Files.list(out.resolve("parts"))) {
          bytesPerRow = (double) files.mapToLong(p -> p.toFile().length()).sum() / m.rows;
        }
        delete(out);
        if (run > 0) {
          rows += m.rows;
          elapsed += el;
          runs++;
          slowest = Math.min(slowest, m.rows / el);
          fastest = Math.max(fastest, m.rows / el);
        }
      }
      return new double[] {rows / elapsed, (double) rows / runs, bytesPerRow, runs, slowest, fastest};
    } finally {
      delete(dir);
    }
  }

  /**
   * {simulated engine steps/s, steps per run} of {@code life serve}'s simulator on the calling thread: one warm-up
   * run, then runs until {@code seconds} have passed (at least two).
   */
  private static double[] simulatedSteps(double seconds) {
    java.util.Map<String, String> text = new java.util.HashMap<>();
    text.put("model", "llama-3.1-8b");
    text.put("hardware", "nvidia-h100-sxm5-80gb");
    text.put("stack", "vllm/cuda");
    life.scenario.Setup setup = life.scenario.ScenarioText.setup(text, HardwareCatalog.builtIn(), null);
    Forecaster f = ((life.scenario.Built.Ready) setup.build()).forecaster();
    life.serving.Engine e = life.serving.Engine.defaults(setup.stack(), setup.device());
    life.serving.Workload w = life.serving.Workload.of(new life.serving.Arrivals.Poisson(20), "lognormal:1000/500",
        "uniform:50-400", 20_000, 1);
    long steps = 0;
    double elapsed = 0;
    long perRun = 0;
    for (int run = 0; run < 3 || elapsed < seconds; run++) {
      long t0 = System.nanoTime();
      life.serving.Simulator.Result r = life.serving.Simulator.run(f, e, w, life.serving.Simulator.Slo.NONE);
      double el = (System.nanoTime() - t0) / 1e9;
      perRun = r.steps();
      if (run > 0) {
        steps += r.steps();
        elapsed += el;
      }
    }
    return new double[] {steps / elapsed, perRun};
  }

  private static void delete(Path dir) throws java.io.IOException {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** The forecasters of {@code settings} for every model of the grid on every device with a 16-bit peak. */
  private static List<Forecaster> forecasters(java.util.Map<String, String> settings) {
    List<Forecaster> fs = new ArrayList<>();
    HardwareCatalog catalog = HardwareCatalog.builtIn();
    for (String m : MODELS) {
      for (HardwareSpec h : catalog.devices().values()) {
        if (h.memBytesPerSecond() > 0 && (h.peak(DType.FP16).isPresent() || h.peak(DType.BF16).isPresent())) {
          java.util.Map<String, String> text = new java.util.HashMap<>(settings);
          text.put("model", m);
          text.put("hardware", h.id());
          var built = life.scenario.ScenarioText.setup(text, catalog, null).build();
          fs.add(((life.scenario.Built.Ready) built).forecaster());
        }
      }
    }
    return fs;
  }

  /** {forecasts/s, checksum, grid points}, after a warm-up pass. */
  private double[] measure(ForkJoinPool pool, List<Forecaster> fs, long chunk) throws Exception {
    long per = (long) PROMPTS.length * OUTPUTS.length * BATCHES.length;
    long grid = fs.size() * per;
    run(pool, fs, per, Math.min(grid, 2_000_000), chunk);
    long done = 0;
    double sink = 0;
    long start = System.nanoTime();
    while (System.nanoTime() - start < seconds * 1e9) {
      sink += run(pool, fs, per, grid, chunk);
      done += grid;
    }
    double el = (System.nanoTime() - start) / 1e9;
    return new double[] {done / el, sink, grid};
  }

  private static double run(ForkJoinPool pool, List<Forecaster> fs, long per, long count, long chunk)
      throws Exception {
    return pool.submit(() -> LongStream.range(0, count).parallel().mapToDouble(i -> {
      Forecaster f = fs.get((int) (i / per));
      long k = i % per;
      int b = BATCHES[(int) (k % BATCHES.length)];
      k /= BATCHES.length;
      long o = OUTPUTS[(int) (k % OUTPUTS.length)];
      long p = PROMPTS[(int) (k / OUTPUTS.length)];
      return f.forecast(new Request(p, o, b, chunk)).e2eMs();
    }).sum()).get();
  }
}
