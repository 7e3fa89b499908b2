package life.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.LongStream;
import life.catalog.HardwareCatalog;
import life.catalog.ModelCatalog;
import life.forecast.Forecaster;
import life.forecast.Overlap;
import life.forecast.Request;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.spec.DType;
import life.spec.HardwareSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code life bench}: full forecasts per second (prefill plus every decode step, closed form) over a fixed built-in
 * grid of dense models × devices × prompt and output lengths × batches, on a ForkJoin pool.
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

  @Override
  public Integer call() throws Exception {
    int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (t <= 0) {
      throw new IllegalArgumentException("--threads must be positive, got " + t);
    }
    if (!(seconds > 0)) {
      throw new IllegalArgumentException("--seconds must be positive, got " + seconds);
    }
    List<Forecaster> fs = new ArrayList<>();
    for (String m : MODELS) {
      var graph = GraphBuilder.build(ModelCatalog.builtIn().resolve(m), GraphOptions.defaults(DType.FP16));
      for (HardwareSpec h : HardwareCatalog.builtIn().devices().values()) {
        if (h.memBytesPerSecond() > 0 && (h.peak(DType.FP16).isPresent() || h.peak(DType.BF16).isPresent())) {
          fs.add(new Forecaster(graph, h, Overlap.OPERATOR));
        }
      }
    }
    long perForecaster = (long) PROMPTS.length * OUTPUTS.length * BATCHES.length;
    long grid = fs.size() * perForecaster;
    ForkJoinPool pool = new ForkJoinPool(t);
    try {
      run(pool, fs, perForecaster, Math.min(grid, 2_000_000)); // warm-up
      long done = 0;
      long start = System.nanoTime();
      double sink = 0;
      while (System.nanoTime() - start < seconds * 1e9) {
        sink += run(pool, fs, perForecaster, grid);
        done += grid;
      }
      double el = (System.nanoTime() - start) / 1e9;
      double rate = done / el;
      PrintWriter out = spec.commandLine().getOut();
      if (format.equals("json")) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("threads", t);
        o.put("cores", Runtime.getRuntime().availableProcessors());
        o.put("forecasts", done);
        o.put("seconds", el);
        o.put("forecasts_per_s", rate);
        o.put("grid_points", grid);
        o.put("checksum", sink);
        out.println(new ObjectMapper().writeValueAsString(o));
      } else {
        out.printf(Locale.ROOT, "threads %d (cores %d)%ngrid %d points (%d models x %d devices x %d shapes)%n"
            + "forecasts %d in %.2f s%nforecasts_per_s %.0f%n", t, Runtime.getRuntime().availableProcessors(), grid,
            MODELS.size(), fs.size() / MODELS.size(), perForecaster, done, el, rate);
      }
      out.flush();
    } finally {
      pool.shutdown();
    }
    return 0;
  }

  private static double run(ForkJoinPool pool, List<Forecaster> fs, long per, long count) throws Exception {
    return pool.submit(() -> LongStream.range(0, count).parallel().mapToDouble(i -> {
      Forecaster f = fs.get((int) (i / per));
      long k = i % per;
      int b = BATCHES[(int) (k % BATCHES.length)];
      k /= BATCHES.length;
      long o = OUTPUTS[(int) (k % OUTPUTS.length)];
      long p = PROMPTS[(int) (k / OUTPUTS.length)];
      return f.forecast(new Request(p, o, b)).e2eMs();
    }).sum()).get();
  }
}
