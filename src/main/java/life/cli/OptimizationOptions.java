package life.cli;

import life.ops.ActQuant;
import life.ops.AttentionVariant;
import life.ops.Counting;
import life.ops.Fusion;
import life.ops.GraphOptions;
import life.ops.Lora;
import life.ops.WeightFormat;
import life.spec.DType;
import picocli.CommandLine.Option;

/** The optimization options of a forecast; each becomes part of one immutable {@link GraphOptions}. */
final class OptimizationOptions {
  @Option(names = "--dtype", defaultValue = "fp16",
      description = "Activation (and unquantized weight and KV) type: fp32, fp16, bf16 (default ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--weight-bits", paramLabel = "BITS",
      description = "Integer weight quantization of the decoder's linears: 16, 8, 6, 5, 4, 3, 2.")
  Integer weightBits;

  @Option(names = "--group-size", paramLabel = "N",
      description = "Weights per fp16 scale+zero group with --weight-bits (default 128).")
  Integer groupSize;

  @Option(names = "--weight-format", paramLabel = "NAME",
      description = "llama.cpp format with its real bits per weight: f16, q8_0, q6_k, q5_k_m, q4_k_m, q4_0, ...")
  String weightFormat;

  @Option(names = "--dequant-above", paramLabel = "TOKENS",
      description = "Quantized weights are expanded into an fp16 copy, then a 16-bit GEMM runs, for calls of more than "
          + "TOKENS tokens (llama.cpp's CUDA backend before its int8 MMQ default, June 2024: 32; default: never).")
  Integer dequantAbove;

  @Option(names = "--act-bits", defaultValue = "16",
      description = "Activation quantization of the GEMMs: 16, 8 (w8a8), 4 (w4a4), fp8 (default ${DEFAULT-VALUE}).")
  String actBits;

  @Option(names = "--kv-bits", paramLabel = "BITS", description = "KV-cache bits: 32, 16, 8, 4 (default: --dtype).")
  Integer kvBits;

  @Option(names = "--kv-keep", defaultValue = "1", paramLabel = "RATIO",
      description = "Fraction of past tokens the KV cache keeps (eviction), in (0, 1] (default ${DEFAULT-VALUE}).")
  double kvKeep;

  @Option(names = "--lora-rank", paramLabel = "R", description = "LoRA adapter rank (default: no adapters).")
  Integer loraRank;

  @Option(names = "--lora-mode", defaultValue = "merged",
      description = "merged (ahead of time), inline (merged per request), unmerged (side path every call).")
  String loraMode;

  @Option(names = "--lora-targets", defaultValue = "all",
      description = "Adapted linears: all, or a list of q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj.")
  String loraTargets;

  @Option(names = "--chunk", paramLabel = "TOKENS",
      description = "Chunked prefill: tokens per chunk (default: the whole prompt in one call).")
  Long chunk;

  @Option(names = "--attention", defaultValue = "native",
      description = "native, mha, gqa, gqa:N, mqa or mla (default ${DEFAULT-VALUE}: the model's own).")
  String attention;

  @Option(names = "--window", paramLabel = "TOKENS",
      description = "Sliding window for every layer (0 = none; default: the model's).")
  Integer window;

  @Option(names = "--fusion", defaultValue = "none",
      description = "none, all, or a list of qkv, gate_up, norm, flash, elementwise (default ${DEFAULT-VALUE}).")
  String fusion;

  @Option(names = "--parallel", defaultValue = "1", paramLabel = "MODE:N",
      description = "Devices the model is spread over: 1, tp:N (tensor parallel) or layer:N (layer split) "
          + "(default ${DEFAULT-VALUE}).")
  String parallel;

  /** Tokens per prefill chunk, 0 for none. */
  long chunkTokens() {
    if (chunk != null && chunk <= 0) {
      throw new IllegalArgumentException("--chunk must be positive, got " + chunk);
    }
    return chunk == null ? 0 : chunk;
  }

  GraphOptions graphOptions(Counting counting) {
    DType d = DType.parse(dtype);
    if (d != DType.FP32 && d != DType.FP16 && d != DType.BF16) {
      throw new IllegalArgumentException("--dtype must be one of fp32, fp16, bf16; got '" + dtype + "'");
    }
    WeightFormat w = WeightFormat.UNQUANTIZED;
    if (weightBits != null && weightFormat != null) {
      throw new IllegalArgumentException("give --weight-bits or --weight-format, not both");
    }
    if (groupSize != null && weightBits == null) {
      throw new IllegalArgumentException("--group-size applies to --weight-bits only");
    }
    if (weightBits != null) {
      w = WeightFormat.bits(weightBits, groupSize == null ? 128 : groupSize);
    } else if (weightFormat != null) {
      w = WeightFormat.named(weightFormat);
    }
    if (dequantAbove != null) {
      if (dequantAbove <= 0) {
        throw new IllegalArgumentException("--dequant-above must be a positive number of tokens, got " + dequantAbove);
      }
      if (!w.dequantize()) {
        throw new IllegalArgumentException("--dequant-above needs quantized weights (--weight-bits below 16 or a "
            + "quantized --weight-format)");
      }
      w = w.withCopyAbove(dequantAbove);
    }
    if (loraRank != null && loraRank <= 0) {
      throw new IllegalArgumentException("--lora-rank must be positive, got " + loraRank);
    }
    Lora lora = loraRank == null ? Lora.NONE : Lora.of(loraRank, Lora.Mode.parse(loraMode), loraTargets);
    chunkTokens();
    if (window != null && window < 0) {
      throw new IllegalArgumentException("--window must be positive (or 0 for none), got " + window);
    }
    if (!(kvKeep > 0 && kvKeep <= 1)) {
      throw new IllegalArgumentException("--kv-keep must be in (0, 1], got " + kvKeep);
    }
    int kv = kvBits == null ? (int) d.bits() : kvBits;
    if (!GraphOptions.KV_BITS.contains(kv)) {
      throw new IllegalArgumentException("--kv-bits must be one of " + GraphOptions.KV_BITS + ", got " + kv);
    }
    return GraphOptions.defaults(d).withWeights(w).withActQuant(ActQuant.parse(actBits)).withKv(kv, kvKeep)
        .withLora(lora).withAttention(AttentionVariant.parse(attention), window == null ? -1 : window)
        .withFusion(Fusion.parse(fusion)).withCounting(counting).withParallel(life.ops.Parallelism.parse(parallel));
  }
}
