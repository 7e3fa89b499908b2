package life.forecast;

import life.ops.Operator;
import life.spec.DType;
import life.spec.HardwareSpec;
import life.stack.Efficiencies;

/**
 * A device's effective rates: the only place hardware meets the operator counts.
 *
 * <p>Matrix operators (GEMM, BMM, LM head) run at {@code compute_eff ×} the dense peak of their data type; vector
 * operators (norms, softmax, element-wise) at {@code compute_eff ×} the fp32 peak where the catalog has one (vector
 * units, not tensor cores), else at their own type's peak. fp16 and bf16 stand in for each other when the catalog
 * publishes only one 16-bit figure (same width, same units on every listed device). Bandwidth is
 * {@code mem_eff × mem_bw}. Where the stack's matrix kernels do not use the device's matrix units
 * ({@code matrixUnits} false), matrix operators run at the fp32 (vector) peak too.
 */
public record Device(HardwareSpec spec, Efficiencies eff, boolean matrixUnits) {

  public Device(HardwareSpec spec, Efficiencies eff) {
    this(spec, eff, true);
  }

  /** Effective ops/s of {@code op} on this device. */
  public double opsPerSecond(Operator op) {
    DType t = op.computeType();
    if ((!op.matrix() || !matrixUnits) && spec.peak(DType.FP32).isPresent()) {
      return eff.computeEff() * spec.peak(DType.FP32).getAsDouble();
    }
    var p = spec.peak(t);
    if (p.isEmpty() && (t == DType.FP16 || t == DType.BF16)) {
      p = spec.peak(t == DType.FP16 ? DType.BF16 : DType.FP16);
    }
    if (p.isEmpty()) {
      throw new IllegalArgumentException("hardware " + spec.id() + " has no " + t.peakColumn()
          + (t == DType.FP16 || t == DType.BF16 ? " or " + (t == DType.FP16 ? "bf16_tflops" : "fp16_tflops") : "")
          + " figure: cannot forecast " + op.name() + " in " + t.id());
    }
    return eff.computeEff() * p.getAsDouble();
  }

  /** Effective bytes/s. */
  public double bytesPerSecond() {
    if (spec.memBytesPerSecond() > 0) {
      return eff.memEff() * spec.memBytesPerSecond();
    }
    throw new IllegalArgumentException("hardware " + spec.id() + " has no mem_bw_gbps figure: cannot forecast");
  }

  /**
   * Effective bytes/s per direction each device drives in a collective over {@code devices} devices:
   * {@code mem_eff ×} the link's rate (no separate link efficiency: the published measurements cannot tell it apart
   * from the memory's).
   */
  public double linkBytesPerSecond(int devices) {
    if (spec.linkBytesPerSecond() > 0) {
      return eff.memEff() * spec.linkBytesPerSecond(devices);
    }
    throw new IllegalArgumentException("hardware " + spec.id() + " has no link_gbps figure: cannot forecast tensor "
        + "parallelism across devices");
  }

  public double dispatchSeconds() {
    return eff.dispatchSeconds();
  }
}
