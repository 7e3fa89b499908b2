package life.validate;

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
 */
public record Measurement(String file, String source, String hardware, int devices, String parallelism,
    String framework, String model,
    String weightDtype, String actDtype, String kvDtype, int batch, long promptLen, long contextLen, long outputLen,
    String metric, double value, String unit, long prefillChunk, long prefillBatch, boolean samePrompt) {

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
    String platform = f.contains("cuda") ? "/cuda" : f.contains("rocm") ? "/rocm"
        : f.contains("sycl") || f.contains("xpu") ? "/sycl" : f.contains("metal") ? "/metal" : "";
    return engine(f) + platform;
  }

  private static String engine(String f) {
    if (f.contains("llama.cpp")) {
      return "llama.cpp";
    }
    if (f.contains("vllm")) {
      return "vllm";
    }
    if (f.contains("tensorrt")) {
      return "tensorrt-llm";
    }
    if (f.contains("deepspeed")) {
      return "deepspeed";
    }
    if (f.contains("pytorch") || f.contains("transformers")) {
      return "pytorch";
    }
    if (f.contains("ryzenai")) {
      return "ryzenai";
    }
    return "other";
  }
}
