package life.ops;

import java.util.Locale;
import life.spec.DType;

/**
 * Activation quantization of the linears' inputs (w8a8, w4a4, fp8): the GEMMs then run at the device's int8, int4
 * or fp8 peak and read their inputs at that width. {@link #NONE} keeps 16-bit activations.
 */
public enum ActQuant {
  NONE(null),
  INT8(DType.INT8),
  INT4(DType.INT4),
  FP8(DType.FP8);

  private final DType type;

  ActQuant(DType type) {
    this.type = type;
  }

  /** The GEMM compute type, or {@code fallback} (the activation type) when not quantized. */
  public DType computeType(DType fallback) {
    return type == null ? fallback : type;
  }

  /** Parses {@code --act-bits}: 16 (none), 8, 4 or fp8. */
  public static ActQuant parse(String s) {
    switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "16":
      case "none":
        return NONE;
      case "8":
      case "int8":
        return INT8;
      case "4":
      case "int4":
        return INT4;
      case "fp8":
        return FP8;
      default:
        throw new IllegalArgumentException("activation bits must be one of 16, 8, 4, fp8; got '" + s + "'");
    }
  }
}
