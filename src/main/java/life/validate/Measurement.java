package life.validate;

import java.util.List;
import java.util.Locale;

/**
 * One published measurement (one row of a measurement file, schema in {@code measurements/README.md}): what was
 * run and the value measured, in the schema's units.
 *
 * @param file file and row it came from, for messages
 * @param devices devices the measurement ran on
 * @param parallelism how it spread the model over them: {@code none}, {@code tp}, {@code layer-split} or
 *     {@code other}
 * @param contextLen tokens already cached before the measured step (llama.cpp's {@code -d})
 * @param outputLen generated tokens, 0 when not stated
 * @param metric {@code ttft}, {@code tpot}, {@code decode_tps}, {@code prefill_tps}, {@code throughput_tps} or
 *     {@code e2e}
 * @param value the measured value in {@code unit}
 * @param prefillChunk tokens per prompt-processing call (llama.cpp's micro-batch {@code -ub}, at most {@code -b}), 0
 *     for the whole prompt
 * @param prefillBatch tokens submitted at once (llama.cpp's {@code -b}): the micro-batches of one such batch can
 *     pipeline across the devices of a layer split; 0 for the whole prompt
 * @param samePrompt every sequence of the batch is a copy of one prompt, decoded alike (greedy), so a mixture of
 *     experts routes the batch's tokens to the same experts
 * @param build what the source states about the software that ran (version, date, settings)
 */
public record Measurement(String file, String source, String hardware, int devices, String parallelism,
    String framework, String model,
    String weightDtype, String actDtype, String kvDtype, int batch, long promptLen, long contextLen, long outputLen,
    String metric, double value, String unit, long prefillChunk, long prefillBatch, boolean samePrompt, Build build) {

  /**
   * The stack settings a source states (empty where it does not; the stack's documented default for the row's date
   * applies then).
   *
   * @param version the engine's version or build as published ({@code 0.6.1}, {@code b2824}), or empty
   * @param date {@code YYYY-MM[-DD]} of the build or, where the source gives none, of its publication; empty for the
   *     current stack
   * @param flashAttn {@code on}, {@code off} or empty
   * @param graphs {@code on}, {@code off} or empty
   * @param threads CPU threads the run used, 0 when not stated
   */
  public record Build(String version, String date, String flashAttn, String graphs, int threads) {
    /** A row that states nothing about its software. */
    public static final Build UNSTATED = new Build("", "", "", "", 0);
  }

  /** A row that states nothing about its software beyond the framework's name. */
  public Measurement(String file, String source, String hardware, int devices, String parallelism, String framework,
      String model, String weightDtype, String actDtype, String kvDtype, int batch, long promptLen, long contextLen,
      long outputLen, String metric, double value, String unit, long prefillChunk, long prefillBatch,
      boolean samePrompt) {
    this(file, source, hardware, devices, parallelism, framework, model, weightDtype, actDtype, kvDtype, batch,
        promptLen, contextLen, outputLen, metric, value, unit, prefillChunk, prefillBatch, samePrompt, Build.UNSTATED);
  }

  /** The measured value in the unit this tool forecasts it in: seconds for times, tokens/s for rates. */
  public double canonicalValue() {
    return switch (unit.toLowerCase(Locale.ROOT)) {
      case "ms" -> value / 1e3;
      default -> value;
    };
  }

  /**
   * The backend and its platform, which pick default efficiencies: {@code llama.cpp/cuda}, {@code llama.cpp/metal},
   * {@code vllm/rocm}, {@code tensorrt-llm/cuda}, {@code pytorch}, ... (the same engine runs at different
   * efficiencies on CUDA, ROCm, SYCL and Metal).
   */
  public String backend() {
    String f = framework.toLowerCase(Locale.ROOT);
    String platform = f.contains("cuda") ? "/cuda" : f.contains("rocm") || f.contains("hip") ? "/rocm"
        : f.contains("vulkan") ? "/vulkan" : f.contains("sycl") || f.contains("xpu") ? "/sycl"
        : f.contains("metal") ? "/metal" : f.contains("npu") ? "/npu" : f.contains("cpu") ? "/cpu"
        : f.contains("gpu") ? "/gpu" : "";
    return engine(f) + platform;
  }

  /**
   * The row's stack as {@code engine/api@version}: the backend's engine and API at the release the row states where
   * it is a recorded one ({@link life.stack.Stacks#releases}), else at the row's build or publication date, else the
   * current stack.
   */
  public String stack() {
    String b = backend();
    String name = switch (b) {
      case "pytorch" -> hardware.startsWith("nvidia") ? "transformers/cuda" : "transformers/cpu";
      case "deepspeed" -> "deepspeed/hpu";
      case "ryzenai", "ryzenai/npu" -> "ryzenai/npu";
      case "other" -> "none";
      default -> b;
    };
    if (name.equals("none")) {
      return name;
    }
    String engine = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
    boolean release = life.stack.Stacks.releases().stream()
        .anyMatch(r -> r.engine().equals(engine) && r.version().equals(build.version()));
    return name + "@" + (release ? build.version() : build.date().isEmpty() ? "current" : build.date());
  }

  /** The row's stack without its version ({@code engine/api}, or {@code none}): the key of fitted stack defaults. */
  public String stackName() {
    return stack().replaceFirst("@.*$", "");
  }

  /**
   * The scenario of this row as text ({@link life.scenario.ScenarioText}'s keys): what was run, with the output length
   * that makes the forecast's field equal the metric ({@code decode_tps} and {@code tpot} over {@code n} generated
   * tokens are the {@code n} decode steps of a request of {@code n + 1} output tokens).
   */
  public java.util.Map<String, String> scenarioText() {
    String w = weightDtype.toLowerCase(Locale.ROOT);
    String a = actDtype.toLowerCase(Locale.ROOT);
    String kv = kvDtype.toLowerCase(Locale.ROOT);
    java.util.Map<String, String> t = new java.util.LinkedHashMap<>();
    t.put("model", model);
    t.put("hardware", hardware);
    t.put("parallel", devices <= 1 ? "1" : (parallelism.equals("layer-split") ? "layer:" : "tp:") + devices);
    t.put("stack", stack());
    t.put("dtype", a.equals("bf16") || (a.isEmpty() && w.equals("bf16")) ? "bf16" : "fp16");
    t.put("weights", switch (w) {
      case "", "fp16", "f16", "bf16", "float16", "bfloat16" -> "none";
      default -> w;
    });
    t.put("act_bits", a.equals("fp8") ? "fp8" : a.equals("int8") ? "8" : "16");
    t.put("kv_bits", kv.equals("fp8") ? "fp8" : kv.equals("int8") || kv.equals("q8_0") ? "8" : "16");
    if (samePrompt) {
      t.put("same_prompt", "true");
    }
    boolean decodeMetric = metric.equals("decode_tps") || metric.equals("tpot");
    long n = Math.max(outputLen, 1);
    t.put("prompt", String.valueOf(promptLen));
    t.put("context", String.valueOf(contextLen));
    t.put("output", String.valueOf(decodeMetric ? n + 1 : n));
    t.put("batch", String.valueOf(batch));
    if (prefillChunk > 0) {
      t.put("chunk", String.valueOf(prefillChunk));
    }
    if (prefillBatch > 0) {
      t.put("prompt_batch", String.valueOf(prefillBatch));
    }
    if (!build.flashAttn().isEmpty()) {
      t.put("flash_attn", build.flashAttn());
    }
    if (!build.graphs().isEmpty()) {
      t.put("graphs", build.graphs());
    }
    return t;
  }

  /** The forecast of this row's metric from the forecast of its {@link #scenarioText}, in canonical units. */
  public double predicted(life.forecast.Forecast f) {
    return switch (metric) {
      case "ttft" -> f.ttftMs() / 1e3;
      case "prefill_tps" -> f.prefillTps();
      case "decode_tps" -> f.tps();
      case "tpot" -> f.tpotMs() / 1e3;
      case "e2e" -> f.e2eMs() / 1e3;
      case "throughput_tps" -> f.throughputTps();
      default -> Double.NaN;
    };
  }

  /** Engines by a word of the framework column, first match wins. */
  private static final List<String[]> ENGINES = List.of(new String[] {"llama.cpp", "llama.cpp"},
      new String[] {"vllm", "vllm"}, new String[] {"tensorrt", "tensorrt-llm"},
      new String[] {"deepspeed", "deepspeed"}, new String[] {"pytorch", "pytorch"},
      new String[] {"transformers", "pytorch"}, new String[] {"ryzenai", "ryzenai"},
      new String[] {"openvino", "openvino"}, new String[] {"fastflowlm", "fastflowlm"},
      new String[] {"executorch", "executorch"});

  private static String engine(String f) {
    for (String[] e : ENGINES) {
      if (f.contains(e[0])) {
        return e[1];
      }
    }
    return "other";
  }
}
