package life.stack;

import java.util.List;
import java.util.Locale;
import life.ops.KvReads;
import life.ops.KvStore;

/**
 * The kernel and scheduling settings of a serving stack that change operator counts or costs. Each has a default per
 * stack and date ({@code catalog/stack-settings.csv}, each row with its source) and can be overridden by the user.
 *
 * @param flashAttention attention as one fused kernel (no score matrix written or read)
 * @param graphs kernel launches replayed from a captured graph (CUDA/HIP graphs) in decode; recorded, not yet charged
 *     apart from the stack's fitted dispatch cost
 * @param dequantAbove calls of more than this many tokens expand quantized weights to 16 bits and run a 16-bit GEMM;
 *     0: never (int8 matrix kernels at every size)
 * @param microBatch tokens per prompt-processing call (llama.cpp's {@code -ub}); 0: the whole prompt in one call
 * @param promptBatch tokens submitted at once (llama.cpp's {@code -b}), whose micro-batches a layer split pipelines;
 *     0: the whole prompt
 * @param moeOnHost mixture-of-experts linears route on the host: expert ids copied back and waited for, then one GEMM
 *     per touched expert; otherwise one grouped kernel per MoE linear
 * @param kvReads how often a decode call reads the K and V of a query group, when attention is not flash
 *     ({@link KvReads#PAGED_V1} holds with flash too: it is vLLM's decode kernel, not its prefill one)
 * @param kvStore how a call stores its keys and values
 * @param fp32Scores an unfused attention writes and reads its scores in fp32 (ggml's QKᵀ and softmax)
 * @param waves a static batch whose KV cache does not fit beside the weights runs in waves of as many sequences as
 *     fit in {@link #MEMORY_FRACTION} of memory (serving engines' admission)
 * @param matrixUnits on which devices the matrix products run on the device's matrix units (tensor cores, XMX, WMMA,
 *     cooperative matrices): {@code all} where it has them, {@code none}, or {@code not:PREFIX+PREFIX} on all but the
 *     devices whose id starts with one of the prefixes (llama.cpp's Vulkan build keeps its cooperative-matrix kernels
 *     off on Intel GPUs); elsewhere they run at the vector (fp32) rate
 * @param oneKernelAllReduce a tensor-parallel all-reduce runs as one kernel (vLLM's and TensorRT-LLM's custom
 *     all-reduce over peer memory) rather than as NCCL/RCCL's ring of 2(N−1) steps, each at a step's latency
 */
public record StackSettings(boolean flashAttention, boolean graphs, int dequantAbove, long microBatch,
    long promptBatch, boolean moeOnHost, KvReads kvReads, KvStore kvStore, boolean fp32Scores, boolean waves,
    String matrixUnits, boolean oneKernelAllReduce) {

  /** Share of device memory serving engines take for weights and KV cache (vLLM's gpu_memory_utilization 0.9). */
  public static final double MEMORY_FRACTION = 0.9;

  /** Setting names, as in {@code catalog/stack-settings.csv} and the command-line flags. */
  public static final List<String> NAMES = List.of("flash_attn", "graphs", "dequant_above", "micro_batch",
      "prompt_batch", "moe_routing", "kv_reads", "kv_store", "scores", "waves", "matrix_units", "all_reduce");

  /** A stack that changes nothing: the raw roofline of the operator graph. */
  public static final StackSettings NONE = new StackSettings(false, false, 0, 0, 0, false, KvReads.PER_KV_HEAD,
      KvStore.APPEND, false, false, "all", false);

  public StackSettings {
    if (!matrixUnits.equals("all") && !matrixUnits.equals("none")
        && !matrixUnits.matches("not:[a-z0-9-]+(\\+[a-z0-9-]+)*")) {
      throw new IllegalArgumentException("matrix_units must be all, none or not:PREFIX[+PREFIX...] (device id "
          + "prefixes, e.g. not:intel); got '" + matrixUnits + "'");
    }
    if (dequantAbove < 0 || microBatch < 0 || promptBatch < 0) {
      throw new IllegalArgumentException("dequant_above, micro_batch and prompt_batch must be non-negative");
    }
  }

  /** This with setting {@code name} set from text; a bad name or value is a one-line error naming the allowed ones. */
  public StackSettings with(String name, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    return switch (name) {
      case "flash_attn" -> new StackSettings(onOff(name, v), graphs, dequantAbove, microBatch, promptBatch, moeOnHost,
          kvReads, kvStore, fp32Scores, waves, matrixUnits, oneKernelAllReduce);
      case "graphs" -> new StackSettings(flashAttention, onOff(name, v), dequantAbove, microBatch, promptBatch,
          moeOnHost, kvReads, kvStore, fp32Scores, waves, matrixUnits, oneKernelAllReduce);
      case "dequant_above" -> new StackSettings(flashAttention, graphs, (int) tokens(name, v), microBatch, promptBatch,
          moeOnHost, kvReads, kvStore, fp32Scores, waves, matrixUnits, oneKernelAllReduce);
      case "micro_batch" -> new StackSettings(flashAttention, graphs, dequantAbove, tokens(name, v), promptBatch,
          moeOnHost, kvReads, kvStore, fp32Scores, waves, matrixUnits, oneKernelAllReduce);
      case "prompt_batch" -> new StackSettings(flashAttention, graphs, dequantAbove, microBatch, tokens(name, v),
          moeOnHost, kvReads, kvStore, fp32Scores, waves, matrixUnits, oneKernelAllReduce);
      case "moe_routing" -> new StackSettings(flashAttention, graphs, dequantAbove, microBatch, promptBatch,
          choice(name, v, "host", "device").equals("host"), kvReads, kvStore, fp32Scores, waves, matrixUnits,
          oneKernelAllReduce);
      case "kv_reads" -> new StackSettings(flashAttention, graphs, dequantAbove, microBatch, promptBatch, moeOnHost,
          KvReads.valueOf(choice(name, v, "per-kv-head", "per-query-head", "paged-v1").toUpperCase(Locale.ROOT)
              .replace('-', '_')), kvStore, fp32Scores, waves, matrixUnits, oneKernelAllReduce);
      case "kv_store" -> new StackSettings(flashAttention, graphs, dequantAbove, microBatch, promptBatch, moeOnHost,
          kvReads, KvStore.valueOf(choice(name, v, "append", "concat").toUpperCase(Locale.ROOT)), fp32Scores, waves,
          matrixUnits, oneKernelAllReduce);
      case "scores" -> new StackSettings(flashAttention, graphs, dequantAbove, microBatch, promptBatch, moeOnHost,
          kvReads, kvStore, choice(name, v, "fp32", "act").equals("fp32"), waves, matrixUnits, oneKernelAllReduce);
      case "waves" -> new StackSettings(flashAttention, graphs, dequantAbove, microBatch, promptBatch, moeOnHost,
          kvReads, kvStore, fp32Scores, onOff(name, v), matrixUnits, oneKernelAllReduce);
      case "matrix_units" -> new StackSettings(flashAttention, graphs, dequantAbove, microBatch, promptBatch, moeOnHost,
          kvReads, kvStore, fp32Scores, waves, v, oneKernelAllReduce);
      case "all_reduce" -> new StackSettings(flashAttention, graphs, dequantAbove, microBatch, promptBatch, moeOnHost,
          kvReads, kvStore, fp32Scores, waves, matrixUnits, choice(name, v, "ring", "one-kernel").equals("one-kernel"));
      default -> throw new IllegalArgumentException("unknown stack setting '" + name + "' (allowed: "
          + String.join(", ", NAMES) + ")");
    };
  }

  /** The value of setting {@code name} as text (the form {@link #with} reads). */
  public String get(String name) {
    return switch (name) {
      case "flash_attn" -> flashAttention ? "on" : "off";
      case "graphs" -> graphs ? "on" : "off";
      case "dequant_above" -> String.valueOf(dequantAbove);
      case "micro_batch" -> String.valueOf(microBatch);
      case "prompt_batch" -> String.valueOf(promptBatch);
      case "moe_routing" -> moeOnHost ? "host" : "device";
      case "kv_reads" -> kvReads.name().toLowerCase(Locale.ROOT).replace('_', '-');
      case "kv_store" -> kvStore.name().toLowerCase(Locale.ROOT);
      case "scores" -> fp32Scores ? "fp32" : "act";
      case "waves" -> waves ? "on" : "off";
      case "matrix_units" -> matrixUnits;
      case "all_reduce" -> oneKernelAllReduce ? "one-kernel" : "ring";
      default -> throw new IllegalArgumentException("unknown stack setting '" + name + "' (allowed: "
          + String.join(", ", NAMES) + ")");
    };
  }

  /** Whether the matrix products on device {@code deviceId} run on its matrix units ({@link #matrixUnits}). */
  public boolean matrixUnitsOn(String deviceId) {
    if (matrixUnits.equals("all")) {
      return true;
    }
    if (matrixUnits.equals("none")) {
      return false;
    }
    for (String p : matrixUnits.substring("not:".length()).split("\\+")) {
      if (deviceId.startsWith(p)) {
        return false;
      }
    }
    return true;
  }

  private static boolean onOff(String name, String v) {
    return choice(name, v, "on", "off").equals("on");
  }

  private static String choice(String name, String v, String... allowed) {
    for (String a : allowed) {
      if (a.equals(v)) {
        return a;
      }
    }
    throw new IllegalArgumentException(name + " must be one of " + String.join(", ", allowed) + "; got '" + v + "'");
  }

  private static long tokens(String name, String v) {
    try {
      long n = Long.parseLong(v);
      if (n >= 0 && n <= Integer.MAX_VALUE) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be a number of tokens from 0 to " + Integer.MAX_VALUE
        + " (0: none); got '" + v + "'");
  }
}
