package life.cli;

import life.scenario.ScenarioText;
import life.spec.Limits;
import picocli.CommandLine.Option;

/** The optimization options of a forecast, handed to {@link life.scenario.ScenarioText} as text. */
final class OptimizationOptions {
  @Option(names = "--dtype", defaultValue = "fp16",
      description = "Activation (and unquantized weight and KV) type: fp32, fp16, bf16 (default ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--weights", paramLabel = "NAME",
      description = "Weights as sweep files write them: none, fp8, intN, intN-gG (N in 8, 6, 5, 4, 3, 2; groups of 128 "
          + "unless -gG), or a llama.cpp format (default: none, 16-bit).")
  String weights;

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
          + "TOKENS tokens, 1 to " + Limits.MAX_TOKENS + " (llama.cpp's CUDA backend before its int8 MMQ default, "
          + "June 2024: 32; default: never).")
  String dequantAbove;

  @Option(names = "--act-bits", defaultValue = "16",
      description = "Activation quantization of the GEMMs: 16, 8 (w8a8), 4 (w4a4), fp8 (default ${DEFAULT-VALUE}).")
  String actBits;

  @Option(names = "--kv-bits", paramLabel = "BITS",
      description = "KV-cache width: 32, 16, 8, 4, fp8 (default: --dtype's).")
  String kvBits;

  @Option(names = "--kv-keep", defaultValue = "1", paramLabel = "RATIO",
      description = "Fraction of past tokens the KV cache keeps (eviction), in (0, 1] (default ${DEFAULT-VALUE}).")
  String kvKeep;

  @Option(names = "--lora-rank", paramLabel = "R", description = "LoRA adapter rank, 1 to " + Limits.MAX_LORA_RANK
      + " (default: no adapters).")
  String loraRank;

  @Option(names = "--lora-mode", defaultValue = "merged",
      description = "merged (ahead of time), inline (merged per request), unmerged (side path every call).")
  String loraMode;

  @Option(names = "--lora-targets", defaultValue = "all",
      description = "Adapted linears: all, or a list of q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj.")
  String loraTargets;

  @Option(names = "--chunk", paramLabel = "TOKENS",
      description = "Chunked prefill: tokens per call, 0 (the whole prompt in one call) to " + Limits.MAX_TOKENS
          + " (default: the stack's micro-batch, e.g. llama.cpp's 512; else 0).")
  String chunk;

  @Option(names = "--attention", defaultValue = "native",
      description = "native, mha, gqa, gqa:N, mqa or mla (default ${DEFAULT-VALUE}: the model's own).")
  String attention;

  @Option(names = "--window", paramLabel = "TOKENS",
      description = "Sliding window for every layer, 0 (none) to " + Limits.MAX_TOKENS + " (default: the model's).")
  String window;

  @Option(names = "--fusion", defaultValue = "none",
      description = "none, all, or a list of qkv, gate_up, norm, flash, elementwise (default ${DEFAULT-VALUE}).")
  String fusion;

  @Option(names = "--parallel", defaultValue = "1", paramLabel = "MODE:N",
      description = "Devices the model is spread over: 1, tp:N (tensor parallel) or layer:N (layer split), N from 1 to "
          + Limits.MAX_DEVICES + " (default ${DEFAULT-VALUE}).")
  String parallel;

  @Option(names = "--spec", defaultValue = "none", paramLabel = "METHOD",
      description = "Speculative decoding: none, draft:MODEL:K:ACCEPTANCE (a draft model), eagle:K:ACCEPTANCE, "
          + "mtp:K:ACCEPTANCE (a one-layer head) or medusa:K:ACCEPTANCE (K extra LM heads); K drafted tokens per step, "
          + "each accepted with probability ACCEPTANCE (default ${DEFAULT-VALUE}).")
  String spec;

  @Option(names = "--disaggregate", defaultValue = "none", paramLabel = "P:D[@GBPS]",
      description = "Prefill on P instances and decoding on D others (each the --parallel devices), each prompt's KV "
          + "cache sent between them at GBPS GB/s per device (default: the device's link_gbps); none: one pool "
          + "(default ${DEFAULT-VALUE}).")
  String disaggregate;

  /** These options as scenario text ({@link life.scenario.ScenarioText}'s keys); options not given are left out. */
  void into(java.util.Map<String, String> t) {
    t.put("dtype", dtype);
    if ((weightBits != null ? 1 : 0) + (weightFormat != null ? 1 : 0) + (weights != null ? 1 : 0) > 1) {
      throw new life.scenario.ScenarioText.Bad("weights", "give one of --weights, --weight-bits, --weight-format");
    }
    if (groupSize != null && weightBits == null) {
      throw new life.scenario.ScenarioText.Bad("weights", "--group-size applies to --weight-bits only");
    }
    if (weightBits != null) {
      t.put("weights", weightBits == 16 ? "none" : "int" + weightBits + "-g" + (groupSize == null ? 128 : groupSize));
    } else if (weightFormat != null) {
      t.put("weights", weightFormat);
    } else if (weights != null) {
      t.put("weights", weights);
    }
    if (dequantAbove != null) {
      t.put("dequant_above", Long.toString(ScenarioText.count("dequant_above", dequantAbove, 1, Limits.MAX_TOKENS)));
    }
    t.put("act_bits", actBits);
    if (kvBits != null) {
      t.put("kv_bits", kvBits);
    }
    t.put("kv_keep", kvKeep);
    if (loraRank != null) {
      t.put("lora", loraMode + ":" + loraRank);
      t.put("lora_targets", loraTargets);
    }
    if (chunk != null) {
      t.put("chunk", chunk);
    }
    t.put("attention", attention);
    if (window != null) {
      t.put("window", window);
    }
    t.put("fusion", fusion);
    t.put("parallel", parallel);
    t.put("spec", spec);
    t.put("disaggregate", disaggregate);
  }
}
