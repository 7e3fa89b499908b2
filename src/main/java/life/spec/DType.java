package life.spec;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A numeric data type: its storage size and the hardware-catalog column holding its dense peak.
 *
 * <p>The paper's {@code nbytes}/{@code qbytes} (docs/method.md) are {@link #bytes()}.
 */
public enum DType {
  FP32(4.0, "fp32_tflops"),
  FP16(2.0, "fp16_tflops"),
  BF16(2.0, "bf16_tflops"),
  FP8(1.0, "fp8_tflops"),
  INT8(1.0, "int8_tops"),
  INT4(0.5, "int4_tops");

  private final double bytes;
  private final String peakColumn;

  DType(double bytes, String peakColumn) {
    this.bytes = bytes;
    this.peakColumn = peakColumn;
  }

  /** Bytes per element (0.5 for 4-bit). */
  public double bytes() {
    return bytes;
  }

  /** Bits per element. */
  public double bits() {
    return bytes * 8;
  }

  /** Name of the hardware-catalog column with this type's dense peak (in 10¹² ops/s). */
  public String peakColumn() {
    return peakColumn;
  }

  /** Lower-case name as written on the command line and in files. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The type named {@code s} (case-insensitive; {@code f16}, {@code f32} and {@code float16}-style names too). */
  public static DType parse(String s) {
    String k = s.trim().toLowerCase(Locale.ROOT);
    switch (k) {
      case "f16":
      case "float16":
      case "half":
        return FP16;
      case "f32":
      case "float32":
      case "float":
        return FP32;
      case "bfloat16":
        return BF16;
      default:
        for (DType d : values()) {
          if (d.id().equals(k)) {
            return d;
          }
        }
        throw new IllegalArgumentException("unknown data type " + InputException.quote(s) + " (allowed: " + allowed() + ")");
    }
  }

  public static String allowed() {
    return Arrays.stream(values()).map(DType::id).collect(Collectors.joining(", "));
  }
}
