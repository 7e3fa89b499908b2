package life.validate;

import static life.spec.InputException.escape;
import static life.spec.InputException.quote;

import com.univocity.parsers.common.record.Record;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import life.catalog.InputFile;

/**
 * Reads measurement files (CSV, {@code measurements/README.md}). Required columns: hardware, model, weight_dtype,
 * batch, prompt_len, metric, value, unit; the others default (devices 1, context_len 0, output_len 0). A name
 * {@code builtin:FILE} reads a dataset shipped in the jar ({@code builtin:all} every one of them).
 */
public final class MeasurementReader {
  /** Datasets shipped under {@code src/main/resources/measurements}. */
  public static final List<String> BUILT_IN = List.of("life-paper.csv", "llamacpp-apple-silicon-4167.csv",
      "llm-inference-bench-argonne.csv", "tensorrt-llm-perf-v061.csv", "xiongjiedai-llama3-llamacpp.csv",
      "llamacpp-gpu-scoreboards.csv", "llamacpp-official-benches.csv", "strix-halo-lhl.csv",
      "llamacpp-cpu-ryzen-7950x.csv", "fastflowlm-ryzen-ai-npu.csv", "openvino-aipc-igpu.csv",
      "executorch-lunar-lake.csv", "llamacpp-rocm-sycl-community.csv", "vllm-rocm-amd.csv", "gaudi-intel-perf.csv",
      "vllm-deepspeed-cuda-community.csv");
  static final List<String> REQUIRED = List.of("hardware", "model", "weight_dtype", "batch", "prompt_len", "metric",
      "value", "unit");
  static final Set<String> METRICS = Set.of("ttft", "tpot", "decode_tps", "prefill_tps", "throughput_tps", "e2e");
  static final Set<String> UNITS = Set.of("s", "ms", "tok/s");

  private MeasurementReader() {}

  public static List<Measurement> read(String nameOrPath) {
    if (nameOrPath.equals("builtin:all")) {
      List<Measurement> all = new ArrayList<>();
      for (String f : BUILT_IN) {
        all.addAll(read("builtin:" + f));
      }
      return all;
    }
    if (nameOrPath.startsWith("builtin:")) {
      String f = nameOrPath.substring("builtin:".length());
      InputStream in = BUILT_IN.contains(f) ? MeasurementReader.class.getResourceAsStream("/measurements/" + f)
          : null;
      if (in == null) {
        throw new IllegalArgumentException("unknown built-in measurements " + quote(f) + " (allowed: all, "
            + String.join(", ", BUILT_IN) + ")");
      }
      try (in) {
        return parse(f, InputFile.text(f, in.readAllBytes()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Path p;
    try {
      p = Path.of(nameOrPath);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("measurement file " + quote(nameOrPath) + " is not a valid path");
    }
    return parse(escape(p.toString()), InputFile.read("measurement file", p));
  }

  /** Values of the {@code parallelism} column. */
  static final List<String> PARALLELISM = List.of("none", "tp", "layer-split", "other");

  private static List<Measurement> parse(String file, String text) {
    InputFile.Csv csv = InputFile.csv(file, text);
    List<String> header = csv.header();
    for (String c : REQUIRED) {
      if (!header.contains(c)) {
        throw new IllegalArgumentException(file + ": missing column '" + c + "' (required: " + String.join(", ",
            REQUIRED) + ")");
      }
    }
    if (csv.rows().isEmpty()) {
      throw new IllegalArgumentException(file + ": no measurement rows after the header");
    }
    List<Measurement> out = new ArrayList<>();
    int line = 1;
    for (Record r : csv.rows()) {
      line++;
      String where = file + " row " + line;
      String metric = text(r, header, "metric");
      if (!METRICS.contains(metric)) {
        throw new IllegalArgumentException(where + ": column 'metric' is " + quote(metric) + " (allowed: "
            + String.join(", ", METRICS.stream().sorted().toList()) + ")");
      }
      String unit = text(r, header, "unit");
      if (!UNITS.contains(unit)) {
        throw new IllegalArgumentException(where + ": column 'unit' is " + quote(unit) + " (allowed: s, ms, tok/s)");
      }
      boolean rate = metric.endsWith("_tps");
      if (rate != unit.equals("tok/s")) {
        throw new IllegalArgumentException(where + ": unit '" + unit + "' does not fit metric '" + metric + "'");
      }
      int devices = (int) integer(r, header, "devices", 1, where);
      String parallelism = text(r, header, "parallelism");
      if (parallelism.isEmpty()) {
        parallelism = "none";
      }
      if (!PARALLELISM.contains(parallelism)) {
        throw new IllegalArgumentException(where + ": column 'parallelism' is " + quote(parallelism) + " (allowed: "
            + String.join(", ", PARALLELISM) + ")");
      }
      if (devices > 1 && parallelism.equals("none")) {
        throw new IllegalArgumentException(where + ": column 'parallelism' must say how " + devices
            + " devices were used (allowed: tp, layer-split, other)");
      }
      out.add(new Measurement(where, text(r, header, "source"), text(r, header, "hardware"), devices, parallelism,
          text(r, header, "framework"), text(r, header, "model"),
          text(r, header, "weight_dtype"), text(r, header, "act_dtype"), text(r, header, "kv_dtype"),
          (int) integer(r, header, "batch", 1, where), integer(r, header, "prompt_len", 0, where),
          integer(r, header, "context_len", 0, where), integer(r, header, "output_len", 0, where), metric,
          number(r, header, "value", where), unit, integer(r, header, "prefill_chunk", 0, where),
          integer(r, header, "prefill_batch", 0, where), bool(r, header, "same_prompt", where),
          build(r, header, where)));
    }
    return out;
  }

  /**
   * The stack columns: {@code stack_version}, {@code build_date}, {@code flash_attn}, {@code graphs},
   * {@code threads}.
   */
  private static Measurement.Build build(Record r, List<String> header, String where) {
    String date = text(r, header, "build_date");
    if (!date.isEmpty() && !date.matches("\\d{4}-\\d{2}(-\\d{2})?")) {
      throw new IllegalArgumentException(where + ": column 'build_date' is " + quote(date) + " (allowed: YYYY-MM, "
          + "YYYY-MM-DD, or empty for the current stack)");
    }
    return new Measurement.Build(text(r, header, "stack_version"), date, onOff(r, header, "flash_attn", where),
        onOff(r, header, "graphs", where), (int) Math.min(integer(r, header, "threads", 0, where), 1 << 20));
  }

  private static String onOff(Record r, List<String> header, String col, String where) {
    String v = text(r, header, col).toLowerCase(Locale.ROOT);
    return switch (v) {
      case "" -> "";
      case "on", "1", "true" -> "on";
      case "off", "0", "false" -> "off";
      default -> throw new IllegalArgumentException(where + ": column '" + col + "' is " + quote(v)
          + " (allowed: on, off, or empty for the stack's default)");
    };
  }

  private static String text(Record r, List<String> header, String col) {
    if (!header.contains(col)) {
      return "";
    }
    String v = r.getString(col);
    return v == null ? "" : v.trim();
  }

  private static long integer(Record r, List<String> header, String col, long dflt, String where) {
    String v = text(r, header, col);
    if (v.isEmpty()) {
      return dflt;
    }
    try {
      long x = Long.parseLong(v);
      if (x < 0) {
        throw new NumberFormatException();
      }
      return x;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where + ": column '" + col + "' must be a non-negative integer, got "
          + quote(v));
    }
  }

  private static boolean bool(Record r, List<String> header, String col, String where) {
    String v = text(r, header, col).toLowerCase(Locale.ROOT);
    return switch (v) {
      case "", "false" -> false;
      case "true" -> true;
      default -> throw new IllegalArgumentException(where + ": column '" + col + "' is " + quote(v)
          + " (allowed: true, false, or empty for false)");
    };
  }

  private static double number(Record r, List<String> header, String col, String where) {
    String v = text(r, header, col);
    try {
      double d = Double.parseDouble(v);
      if (d > 0 && Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(where + ": column '" + col + "' must be a positive number, got " + quote(v));
  }
}
