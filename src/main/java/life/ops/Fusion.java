package life.ops;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Operator fusions. Each removes the intermediate tensors' write and re-read between the fused operators and their
 * extra dispatches (docs/method.md); ops are unchanged.
 *
 * <ul>
 *   <li>{@link #QKV}: q, k and v projections as one GEMM (input read once, one dispatch).
 *   <li>{@link #GATE_UP}: gate and up projections as one GEMM.
 *   <li>{@link #NORM}: each residual add fused into the norm that follows it.
 *   <li>{@link #FLASH}: flash attention, QKᵀ, scale, mask, softmax and PV in one kernel: no score traffic.
 *   <li>{@link #ELEMENTWISE}: the activation fused with the gate multiply, and RoPE with the KV append.
 *   <li>{@link #ALLREDUCE}: a tensor-parallel all-reduce's 2(N−1) ring steps as one kernel over peer memory (the
 *       custom all-reduce of vLLM and TensorRT-LLM): one dispatch, the ring's bytes.
 * </ul>
 */
public enum Fusion {
  QKV,
  GATE_UP,
  NORM,
  FLASH,
  ELEMENTWISE,
  ALLREDUCE;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code none}, {@code all} or a comma-separated list of fusion ids. */
  public static Set<Fusion> parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    if (t.equals("none") || t.isEmpty()) {
      return EnumSet.noneOf(Fusion.class);
    }
    if (t.equals("all")) {
      return EnumSet.allOf(Fusion.class);
    }
    EnumSet<Fusion> out = EnumSet.noneOf(Fusion.class);
    for (String part : t.split("\\s*,\\s*")) {
      out.add(Arrays.stream(values()).filter(f -> f.id().equals(part)).findFirst().orElseThrow(() ->
          new IllegalArgumentException("unknown fusion '" + part + "' (allowed: none, all, or a list of "
              + Arrays.stream(values()).map(Fusion::id).collect(Collectors.joining(", ")) + ")")));
    }
    return out;
  }
}
