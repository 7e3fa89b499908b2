package life.ops;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import life.spec.Names;

/**
 * LoRA adapters of rank {@code rank} on the {@code targets} linears, deployed in one of the paper's modes
 * (docs/method.md).
 *
 * @param rank adapter rank r (0 = no adapters)
 * @param mode how the adapters run
 * @param targets names of the adapted linears ({@code q_proj}, {@code k_proj}, {@code v_proj}, {@code o_proj},
 *     {@code gate_proj}, {@code up_proj}, {@code down_proj}; fused and plain-MLP names follow their parts)
 */
public record Lora(int rank, Mode mode, Set<String> targets) {
  /** All attention and MLP projections, the paper's Table 12 setting. */
  public static final Set<String> ALL_TARGETS = Set.copyOf(
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"));

  public static final Lora NONE = new Lora(0, Mode.MERGED, ALL_TARGETS);

  /** Deployment mode. */
  public enum Mode {
    /** Merged into the weights ahead of time: no runtime cost. */
    MERGED,
    /** Merged per request: {@code W + B·A} for every adapted linear before the prefill (Eq. 7). */
    INLINE,
    /** Run beside the base weights on every call: {@code x·W + (x·A)·B}. */
    UNMERGED;

    public static Mode parse(String s) {
      return Names.parse(Mode.class, s, "LoRA mode");
    }
  }

  public Lora {
    if (rank < 0) {
      throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
    }
    targets = Set.copyOf(targets);
    for (String t : targets) {
      if (!ALL_TARGETS.contains(t)) {
        throw new IllegalArgumentException("unknown LoRA target '" + t + "' (allowed: "
            + String.join(", ", ALL_TARGETS.stream().sorted().toList()) + ")");
      }
    }
  }

  /** Adapters on {@code targets} (comma-separated, or {@code all}). */
  public static Lora of(int rank, Mode mode, String targets) {
    if (rank <= 0) {
      throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
    }
    String t = targets.trim().toLowerCase(Locale.ROOT);
    Set<String> set = t.equals("all") ? ALL_TARGETS : new LinkedHashSet<>(Arrays.asList(t.split("\\s*,\\s*")));
    return new Lora(rank, mode, set);
  }

  public boolean active() {
    return rank > 0;
  }

  /** Whether the linear named {@code linear} carries an adapter (fused names adapt if any part does). */
  public boolean adapts(String linear) {
    if (!active()) {
      return false;
    }
    return switch (linear) {
      case "qkv_proj" -> targets.contains("q_proj") || targets.contains("k_proj") || targets.contains("v_proj");
      case "gate_up_proj" -> targets.contains("gate_proj") || targets.contains("up_proj");
      case "fc1" -> targets.contains("up_proj");
      case "fc2" -> targets.contains("down_proj");
      default -> targets.contains(linear);
    };
  }
}
