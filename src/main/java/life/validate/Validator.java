package life.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import life.catalog.CatalogException;
import life.catalog.HardwareCatalog;
import life.catalog.ModelCatalog;
import life.forecast.Forecaster;
import life.forecast.Overlap;
import life.ops.ActQuant;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.ops.Parallelism;
import life.ops.WeightFormat;
import life.spec.DType;
import life.spec.HardwareSpec;

/**
 * Forecasts published measurements: maps each row (device, model, data types, batch, prompt, cached context,
 * output, metric) to the forecast of the same quantity, or says why it cannot.
 */
public final class Validator {
  /** A forecast of one measurement, or the reason there is none. */
  public record Outcome(Measurement m, double predicted, String unsupported) {
    public boolean supported() {
      return unsupported == null;
    }

    /** Signed error in percent of the measured value. */
    public double errorPct() {
      return 100 * (predicted - m.canonicalValue()) / m.canonicalValue();
    }
  }

  /** Efficiency of a device under a backend: compute and memory fraction of peak and dispatch overhead. */
  public interface Efficiencies {
    HardwareSpec apply(HardwareSpec device, String backend);
  }

  private final HardwareCatalog catalog;
  private final Efficiencies eff;
  private final Map<String, Object> cache = new HashMap<>();

  public Validator(HardwareCatalog catalog, Efficiencies eff) {
    this.catalog = catalog;
    this.eff = eff;
  }

  public List<Outcome> run(List<Measurement> ms) {
    List<Outcome> out = new ArrayList<>(ms.size());
    for (Measurement m : ms) {
      out.add(outcome(m));
    }
    return out;
  }

  public Outcome outcome(Measurement m) {
    if (m.devices() > 1 && m.parallelism().equals("other")) {
      return new Outcome(m, Double.NaN, "parallelism 'other' over " + m.devices() + " devices is not modelled (only "
          + "tp and layer-split)");
    }
    Object f = forecaster(m);
    if (f instanceof String why) {
      return new Outcome(m, Double.NaN, why);
    }
    Forecaster fr = (Forecaster) f;
    long p = m.promptLen();
    long c = m.contextLen();
    long n = Math.max(m.outputLen(), 1);
    int b = m.batch();
    long k = m.prefillChunk();
    // Micro-batches of one submitted batch that a layer split can pipeline (0: all of them).
    long pipe = k > 0 && m.prefillBatch() > 0 ? Math.max(1, m.prefillBatch() / k) : 0;
    if (fr.hardware().memBytes() > 0 && fr.weightBytesPerDevice() > fr.hardware().memBytes()) {
      return new Outcome(m, Double.NaN, "the weights do not fit in " + (m.devices() > 1 ? "the devices'" : "one "
          + "device's") + " memory: the measurement must have used more devices or offloading");
    }
    String implausible = implausible(m, fr, p, c, n);
    if (implausible != null) {
      return new Outcome(m, Double.NaN, implausible);
    }
    try {
      double v = switch (m.metric()) {
        case "ttft" -> p > 0 ? fr.prefillSeconds(c, p, b, k, pipe) : Double.NaN;
        case "prefill_tps" -> p > 0 ? b * p / fr.prefillSeconds(c, p, b, k, pipe) : Double.NaN;
        case "decode_tps" -> n / fr.decodeSeconds(c + p, n, b);
        case "tpot" -> fr.decodeSeconds(c + p, n, b) / n;
        case "e2e" -> p > 0 ? staticBatchSeconds(fr, c, p, n, b, k, pipe) : Double.NaN;
        case "throughput_tps" -> p > 0 ? b * n / staticBatchSeconds(fr, c, p, n, b, k, pipe) : Double.NaN;
        default -> Double.NaN;
      };
      if (Double.isNaN(v)) {
        return new Outcome(m, v, "metric " + m.metric() + " needs a prompt length");
      }
      return new Outcome(m, v, null);
    } catch (IllegalArgumentException e) {
      return new Outcome(m, Double.NaN, e.getMessage());
    }
  }

  /**
   * Seconds to run a static batch of {@code b} requests to completion. When the KV cache of all of them does not fit
   * in the device's memory beside the weights, serving engines (vLLM, TensorRT-LLM) run as many as fit at a time:
   * the batch goes in waves of that size.
   */
  static double staticBatchSeconds(Forecaster fr, long c, long p, long n, int b, long chunk, long pipe) {
    int wave = concurrentSequences(fr, c + p + n, b);
    double waves = Math.ceil((double) b / wave);
    int last = b - (int) ((waves - 1) * wave);
    double full = fr.prefillSeconds(c, p, wave, chunk, pipe) + fr.decodeSeconds(c + p, n - 1, wave);
    double tail = last == wave ? full
        : fr.prefillSeconds(c, p, last, chunk, pipe) + fr.decodeSeconds(c + p, n - 1, last);
    return (waves - 1) * full + tail;
  }

  /**
   * Sequences of {@code tokens} tokens whose KV cache fits beside the weights in 90 % of the device's memory (the
   * share serving engines give themselves by default), at least 1 and at most {@code b}.
   */
  static int concurrentSequences(Forecaster fr, long tokens, int b) {
    double capacity = fr.hardware().memBytes();
    if (capacity <= 0) {
      return b;
    }
    double free = 0.9 * capacity - fr.weightBytesPerDevice();
    double perSequence = fr.kvCacheBytesPerDevice(tokens);
    if (perSequence <= 0) {
      return b;
    }
    return (int) Math.max(1, Math.min(b, Math.floor(free / perSequence)));
  }

  /**
   * A measured time below what the device's peak bandwidth allows cannot be the stated generation: every decode step
   * reads the weights it uses at least once (all of a dense model's; a mixture of experts' shared weights and the
   * experts its batch is expected to touch), so {@code n − 1} steps take at least {@code (n − 1) · those bytes / peak
   * bandwidth} (e.g. a run that stopped early at an end-of-sequence token). Such rows are listed as unsupported, not
   * forecast.
   */
  private static String implausible(Measurement m, Forecaster fr, long p, long c, long n) {
    double bw = fr.hardware().memBytesPerSecond();
    if (bw <= 0 || n <= 1) {
      return null;
    }
    double stepBytes = Math.min(fr.graph().weightBytes(), fr.stepCost(1, 1, Math.max(1, m.batch())).bytesRead());
    double minDecode = (n - 1) * stepBytes / bw;
    double measured = switch (m.metric()) {
      case "e2e" -> m.canonicalValue();
      case "throughput_tps" -> m.batch() * n / m.canonicalValue();
      default -> Double.POSITIVE_INFINITY;
    };
    if (measured < minDecode) {
      return "implausible measurement: below the bandwidth bound of " + (n - 1)
          + " decode steps (weights read at peak bandwidth each step); likely stopped early";
    }
    return null;
  }

  private Object forecaster(Measurement m) {
    String key = String.join("|", m.hardware(), m.model(), m.weightDtype(), m.actDtype(), m.kvDtype(), m.backend(),
        parallel(m).id(), String.valueOf(m.samePrompt()));
    return cache.computeIfAbsent(key, k -> build(m));
  }

  private Object build(Measurement m) {
    try {
      HardwareSpec h = eff.apply(catalog.resolve(m.hardware()), m.backend());
      if (m.kvDtype().equalsIgnoreCase("fp8") && h.peak(life.spec.DType.FP8).isEmpty()) {
        // Measured 1.2-4.9x slower than an fp16 cache on the A100 (README): a cost the counts do not hold.
        return "fp8 KV cache on a device without fp8 units (no fp8_tflops): its software E4M3 conversion in the "
            + "attention kernel is not modelled";
      }
      GraphOptions o = options(m);
      return new Forecaster(GraphBuilder.build(ModelCatalog.builtIn().resolve(m.model()), o), h, Overlap.OPERATOR);
    } catch (CatalogException | IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /** The graph options a measurement's data types describe. */
  static GraphOptions options(Measurement m) {
    String w = m.weightDtype().toLowerCase(Locale.ROOT);
    String a = m.actDtype().toLowerCase(Locale.ROOT);
    String kv = m.kvDtype().toLowerCase(Locale.ROOT);
    DType act = a.equals("bf16") || (a.isEmpty() && w.equals("bf16")) ? DType.BF16 : DType.FP16;
    WeightFormat wf = switch (w) {
      case "", "fp16", "f16", "bf16", "float16", "bfloat16" -> WeightFormat.UNQUANTIZED;
      case "int8" -> WeightFormat.bits(8, 128);
      case "int4" -> WeightFormat.bits(4, 128);
      case "fp8" -> new WeightFormat("fp8", 8, false, false);
      default -> {
        if (WeightFormat.isNamed(w)) {
          yield WeightFormat.named(w);
        }
        throw new IllegalArgumentException("unsupported weight dtype '" + m.weightDtype() + "' (allowed: fp16, "
            + "bf16, int8, int4, fp8, or a llama.cpp format: " + String.join(", ", WeightFormat.names()) + ")");
      }
    };
    ActQuant aq = switch (a) {
      case "fp8" -> ActQuant.FP8;
      case "int8" -> ActQuant.INT8;
      default -> ActQuant.NONE;
    };
    if (m.backend().equals("llama.cpp/cuda") && wf.dequantize()) {
      // The llama.cpp CUDA rows with quantized weights (XiongjieDai's, snapshots of May 2024 per the shared raw data)
      // predate PR #8075 (2024-06-24, int8 MMQ by default): calls of more than 32 tokens expanded the weights to
      // fp16 and ran cuBLAS (ggml-cuda's MMQ_MAX_BATCH_SIZE).
      wf = wf.withCopyAbove(32);
    }
    int kvBits = kv.equals("fp8") || kv.equals("int8") || kv.equals("q8_0") ? 8 : 16;
    GraphOptions o = GraphOptions.defaults(act).withWeights(wf).withActQuant(aq).withKv(kvBits, 1)
        .withParallel(parallel(m)).withRoutesAlike(m.samePrompt());
    // llama.cpp without flash attention (every llama.cpp row here): ggml's QKᵀ yields fp32 scores, softmax is fp32.
    return life.ops.BackendConventions.apply(m.backend(), o);
  }

  /** How the measurement spread the model: tensor parallel or layer split over its devices. */
  static Parallelism parallel(Measurement m) {
    if (m.devices() <= 1) {
      return Parallelism.NONE;
    }
    return new Parallelism(m.parallelism().equals("layer-split") ? Parallelism.Mode.LAYER : Parallelism.Mode.TENSOR,
        m.devices());
  }
}
