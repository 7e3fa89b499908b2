package life.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import life.spec.Check;

/**
 * How weights are stored: bits per weight including the per-group scale and zero point, and whether they are
 * dequantized on the fly.
 *
 * <p>Integer formats ({@link #bits}) store {@code bits} per weight plus one fp16 scale and one fp16 zero point per
 * group of {@code groupSize} weights (GPTQ/AWQ-style asymmetric groups): {@code bits + 32 / groupSize} bits per
 * weight, 4.25 for int4 with groups of 128. They quantize the decoder's linears; the embedding and LM head stay at
 * 16 bits, as in the paper's int4 variants (its 26.2 GOPs decode check excludes the LM head, docs/method.md).
 *
 * <p>llama.cpp formats ({@link #named}) carry their real bits per weight and apply to every weight matrix, since a
 * GGUF file's average includes the embedding and output tensors. Block types are exact, from ggml's block structs
 * ({@code q4_0}: 18 bytes per 32 weights = 4.5; {@code q8_0}: 34 per 32 = 8.5; {@code q4_K}: 144 per 256 = 4.5;
 * {@code q5_K}: 176 per 256 = 5.5; {@code q6_K}: 210 per 256 = 6.5625; {@code q2_K}: 84 per 256 = 2.625;
 * {@code q3_K}: 110 per 256 = 3.4375). Mixes ({@code _S}, {@code _M}, {@code _L}) bump some tensors to larger types;
 * their averages are the file sizes of Llama-2-7B GGUF files over its 6.74 B parameters
 * (huggingface.co/TheBloke/Llama-2-7B-GGUF; {@code q4_k_m} ≈ 4.85, llama.cpp issue #16379).
 *
 * @param name format name as given on the command line
 * @param bitsPerWeight storage bits per weight including scales (16 for fp16)
 * @param dequantize weights are expanded to the compute type on every call: {@code 2·k·n} extra ops per linear
 *     (the paper's quantized Linear, docs/method.md)
 * @param allWeights the format covers the embedding and LM head too
 * @param copyAboveTokens for calls of more than this many tokens the weights are first expanded into a copy in the
 *     activation type, written and read back by a dense GEMM (0: never). llama.cpp's CUDA backend did so on tensor-core
 *     GPUs above {@code MMQ_MAX_BATCH_SIZE} = 32 tokens (dequantize, then cuBLAS) until its int8 MMQ kernels became the
 *     default (PR #8075, 2024-06-24)
 */
public record WeightFormat(String name, double bitsPerWeight, boolean dequantize, boolean allWeights,
    int copyAboveTokens) {
  /** Bit widths accepted by {@link #bits}. */
  public static final List<Integer> BITS = List.of(16, 8, 6, 5, 4, 3, 2);

  private static final Map<String, Double> LLAMA_CPP = new LinkedHashMap<>();

  static {
    LLAMA_CPP.put("f32", 32.0);
    LLAMA_CPP.put("f16", 16.0);
    LLAMA_CPP.put("bf16", 16.0);
    LLAMA_CPP.put("q8_0", 8.5);
    LLAMA_CPP.put("q6_k", 6.5625);
    LLAMA_CPP.put("q5_k_m", 5.69);
    LLAMA_CPP.put("q5_k_s", 5.54);
    LLAMA_CPP.put("q5_1", 6.0);
    LLAMA_CPP.put("q5_0", 5.5);
    LLAMA_CPP.put("q4_k_m", 4.85);
    LLAMA_CPP.put("q4_k_s", 4.58);
    LLAMA_CPP.put("q4_1", 5.0);
    LLAMA_CPP.put("q4_0", 4.5);
    LLAMA_CPP.put("q3_k_l", 4.27);
    LLAMA_CPP.put("q3_k_m", 3.91);
    LLAMA_CPP.put("q3_k_s", 3.5);
    LLAMA_CPP.put("q2_k", 3.35);
  }

  public WeightFormat {
    Check.positive("bits per weight", bitsPerWeight);
    Check.nonNegative("copy above tokens", copyAboveTokens);
  }

  public WeightFormat(String name, double bitsPerWeight, boolean dequantize, boolean allWeights) {
    this(name, bitsPerWeight, dequantize, allWeights, 0);
  }

  /** This format, expanded into a dense copy for calls of more than {@code tokens} tokens (0: never). */
  public WeightFormat withCopyAbove(int tokens) {
    return new WeightFormat(name, bitsPerWeight, dequantize, allWeights, tokens);
  }

  /** Unquantized: weights in the activation type, no dequantization. */
  public static final WeightFormat UNQUANTIZED = new WeightFormat("none", 16, false, false);

  public double bytesPerWeight() {
    return bitsPerWeight / 8;
  }

  /** Integer weights of {@code bits} with one fp16 scale and zero per {@code groupSize} weights. */
  public static WeightFormat bits(int bits, int groupSize) {
    if (!BITS.contains(bits)) {
      throw new IllegalArgumentException("weight bits must be one of " + BITS + ", got " + bits);
    }
    if (bits == 16) {
      return UNQUANTIZED;
    }
    if (groupSize <= 0) {
      throw new IllegalArgumentException("group size must be positive, got " + groupSize);
    }
    return new WeightFormat("int" + bits + "-g" + groupSize, bits + 32.0 / groupSize, true, false);
  }

  /** A llama.cpp format by name ({@code q4_k_m}, {@code q8_0}, {@code f16}, ...), case-insensitive. */
  public static WeightFormat named(String name) {
    String k = name.trim().toLowerCase(Locale.ROOT);
    Double bpw = LLAMA_CPP.get(k);
    if (bpw == null) {
      throw new IllegalArgumentException("unknown weight format '" + name + "' (allowed: "
          + String.join(", ", LLAMA_CPP.keySet()) + ")");
    }
    return new WeightFormat(k, bpw, bpw < 16, true);
  }

  /** Whether {@code name} is a llama.cpp format this class knows. */
  public static boolean isNamed(String name) {
    return LLAMA_CPP.containsKey(name.trim().toLowerCase(Locale.ROOT));
  }

  public static List<String> names() {
    return List.copyOf(LLAMA_CPP.keySet());
  }
}
