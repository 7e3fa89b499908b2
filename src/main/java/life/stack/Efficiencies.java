package life.stack;

import life.spec.Check;
import life.spec.DeviceKind;

/**
 * What a forecast assumes about the software on a device, apart from the device's datasheet: the fraction of peak
 * compute and bandwidth its kernels reach (per phase where they differ), the fixed cost per kernel dispatch, and host
 * costs per sequence, per engine step and per cached token. Device-kind defaults, a stack's fitted defaults
 * ({@code catalog/backends.csv}) or a calibrated profile supply them; {@link #origin} says which.
 *
 * @param computeEff fraction of peak compute reached
 * @param memEff fraction of peak bandwidth reached
 * @param decodeComputeEff compute efficiency of decode steps where it differs from the prefill's, 0 for the same
 * @param decodeMemEff memory efficiency of decode steps where it differs, 0 for the same
 * @param dispatchSeconds fixed cost per kernel dispatch
 * @param sequenceSeconds host work per sequence per call that samples a token (sampling, scheduling, detokenizing)
 * @param stepSeconds host work per engine step that samples tokens, whatever the batch and the model
 * @param contextSeconds work per sequence and cached token in a call that samples, beyond the bytes attention reads
 *     (a serving engine rebuilding each sequence's block table every step, per-key overheads of its kernels)
 * @param gqaSeconds time per query head, layer and cached token of a decode step of a grouped-query model, beyond
 *     the bytes its attention reads (kernels that serve each query head of a group apart)
 * @param origin where the values come from, for outputs: {@code kind:gpu}, {@code stack:vllm/cuda:gpu},
 *     {@code profile:<device>}, with {@code +cli} when a flag changed one
 */
public record Efficiencies(double computeEff, double memEff, double decodeComputeEff, double decodeMemEff,
    double dispatchSeconds, double sequenceSeconds, double stepSeconds, double contextSeconds, double gqaSeconds,
    String origin) {

  public Efficiencies {
    Check.fraction("compute_eff", computeEff);
    Check.fraction("mem_eff", memEff);
    if (decodeComputeEff != 0) {
      Check.fraction("decode_compute_eff", decodeComputeEff);
    }
    if (decodeMemEff != 0) {
      Check.fraction("decode_mem_eff", decodeMemEff);
    }
    Check.nonNegative("dispatch_us", dispatchSeconds);
    Check.nonNegative("sequence_us", sequenceSeconds);
    Check.nonNegative("step_us", stepSeconds);
    Check.nonNegative("context_ns", contextSeconds);
    Check.nonNegative("gqa_ns", gqaSeconds);
    origin = origin == null ? "" : origin;
  }

  /** The defaults of a device kind ({@link DeviceKind}): no host costs. */
  public static Efficiencies of(DeviceKind kind) {
    return new Efficiencies(kind.defaultComputeEff(), kind.defaultMemEff(), 0, 0, kind.defaultDispatchUs() * 1e-6, 0,
        0, 0, 0, "kind:" + kind.id());
  }

  /** Plain efficiencies and dispatch cost, no host costs (tests, hand-made profiles). */
  public static Efficiencies of(double computeEff, double memEff, double dispatchSeconds, String origin) {
    return new Efficiencies(computeEff, memEff, 0, 0, dispatchSeconds, 0, 0, 0, 0, origin);
  }

  /** Compute efficiency of the decode phase. */
  public double decodeComputeEffOrSame() {
    return decodeComputeEff > 0 ? decodeComputeEff : computeEff;
  }

  /** Memory efficiency of the decode phase. */
  public double decodeMemEffOrSame() {
    return decodeMemEff > 0 ? decodeMemEff : memEff;
  }

  /** A copy with another origin. */
  public Efficiencies withOrigin(String o) {
    return new Efficiencies(computeEff, memEff, decodeComputeEff, decodeMemEff, dispatchSeconds, sequenceSeconds,
        stepSeconds, contextSeconds, gqaSeconds, o);
  }

  /** A copy with other host costs per sequence, step, cached token and grouped-query head. */
  public Efficiencies withHost(double sequence, double step, double context, double gqa) {
    return new Efficiencies(computeEff, memEff, decodeComputeEff, decodeMemEff, dispatchSeconds, sequence, step,
        context, gqa, origin);
  }

  /** A copy with decode efficiencies of their own (0: the same as the prefill's). */
  public Efficiencies withDecode(double ce, double me) {
    return new Efficiencies(computeEff, memEff, ce, me, dispatchSeconds, sequenceSeconds, stepSeconds, contextSeconds,
        gqaSeconds, origin);
  }

  /**
   * Values a hardware file gives for one device (each null where its cell is empty): they replace the stack's or the
   * kind's. A calibrated profile ({@code calibrated}) gives them all, and a stack's defaults never replace them.
   */
  public record Overrides(Double computeEff, Double memEff, Double decodeComputeEff, Double decodeMemEff,
      Double dispatchSeconds, Double sequenceSeconds, Double stepSeconds, Double contextSeconds, Double gqaSeconds,
      boolean calibrated, String origin) {
    /** No values given. */
    public static final Overrides NONE = new Overrides(null, null, null, null, null, null, null, null, null, false,
        "");

    /** Every value of {@code e}, as a calibrated profile gives them. */
    public static Overrides all(Efficiencies e, String origin) {
      return new Overrides(e.computeEff, e.memEff, e.decodeComputeEff, e.decodeMemEff, e.dispatchSeconds,
          e.sequenceSeconds, e.stepSeconds, e.contextSeconds, e.gqaSeconds, true, origin);
    }

    public boolean empty() {
      return computeEff == null && memEff == null && decodeComputeEff == null && decodeMemEff == null
          && dispatchSeconds == null && sequenceSeconds == null && stepSeconds == null && contextSeconds == null
          && gqaSeconds == null;
    }

    /** {@code base} with the values given here. */
    public Efficiencies applyTo(Efficiencies base) {
      if (empty()) {
        return base;
      }
      return new Efficiencies(or(computeEff, base.computeEff), or(memEff, base.memEff),
          or(decodeComputeEff, base.decodeComputeEff), or(decodeMemEff, base.decodeMemEff),
          or(dispatchSeconds, base.dispatchSeconds), or(sequenceSeconds, base.sequenceSeconds),
          or(stepSeconds, base.stepSeconds), or(contextSeconds, base.contextSeconds), or(gqaSeconds, base.gqaSeconds),
          calibrated ? origin : base.origin + "+" + origin);
    }

    private static double or(Double v, double d) {
      return v == null ? d : v;
    }
  }
}
