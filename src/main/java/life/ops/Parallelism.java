package life.ops;

import java.util.Locale;
import life.spec.Limits;

/**
 * How a model is spread over several identical devices of one server.
 *
 * <ul>
 *   <li>{@code tp:N}, tensor parallelism (Megatron-LM, Shoeybi et al. 2019, section 3; what vLLM, TensorRT-LLM and
 *       DeepSpeed call tensor parallel): every device holds 1/N of each layer (query and KV heads, MLP columns,
 *       vocabulary) and all devices run every layer at once; the partial outputs of the attention output projection
 *       and of the MLP down projection are summed across devices by an all-reduce, two per layer.
 *   <li>{@code layer:N}, layer split (llama.cpp's default {@code --split-mode layer}): each device holds a contiguous
 *       1/N of the layers and a request passes through the devices one after the other. One sequence runs no faster
 *       than on one device (the same weights are read at one device's bandwidth); the devices pool their memory.
 * </ul>
 *
 * @param mode tensor or layer split
 * @param devices devices used (1 = one device; the mode then does not matter)
 */
public record Parallelism(Mode mode, int devices) {
  /** The two ways of spreading a model. */
  public enum Mode {
    TENSOR("tp"),
    LAYER("layer");

    private final String id;

    Mode(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /** One device. */
  public static final Parallelism NONE = new Parallelism(Mode.TENSOR, 1);

  public Parallelism {
    if (devices < 1) {
      throw new IllegalArgumentException("device count must be at least 1, got " + devices);
    }
    if (devices == 1) {
      mode = Mode.TENSOR;
    }
  }

  public boolean tensor() {
    return devices > 1 && mode == Mode.TENSOR;
  }

  public boolean layerSplit() {
    return devices > 1 && mode == Mode.LAYER;
  }

  /** {@code 1}, {@code tp:N} or {@code layer:N}. */
  public String id() {
    return devices == 1 ? "1" : mode.id() + ":" + devices;
  }

  /** Parses {@code 1}, {@code none}, {@code tp:N} or {@code layer:N}, N at most {@link Limits#MAX_DEVICES}. */
  public static Parallelism parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    if (t.equals("1") || t.equals("none")) {
      return NONE;
    }
    int colon = t.indexOf(':');
    String mode = colon < 0 ? "" : t.substring(0, colon);
    Mode m = mode.equals("tp") ? Mode.TENSOR : mode.equals("layer") ? Mode.LAYER : null;
    long n;
    try {
      n = colon < 0 ? -1 : Long.parseLong(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (m == null || n < 1 || n > Limits.MAX_DEVICES) {
      throw new IllegalArgumentException((m == null || n < 1 ? "unknown parallelism '" : "too many devices in '") + s
          + "' (allowed: 1, tp:N, layer:N with N from 1 to " + Limits.MAX_DEVICES + ")");
    }
    return new Parallelism(m, (int) n);
  }
}
