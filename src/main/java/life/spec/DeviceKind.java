package life.spec;

/**
 * Family of a device. Each kind carries the default efficiencies and dispatch overhead used when a catalog row
 * leaves them empty.
 *
 * <p>Defaults (fractions of peak, microseconds per kernel): the paper validates its client devices at assumed
 * efficiencies of 10 % (CPU decode), 50 % (CPU prefill, iGPU, V100) and reports measured 48-70 % for prefill
 * (docs/method.md); discrete GPUs sustain 60-80 % of peak bandwidth in decode. Dispatch: a CUDA/HIP kernel launch
 * costs a few microseconds; CPU operator calls in eager frameworks cost tens. These are starting points that
 * {@code life calibrate} replaces with fitted values.
 *
 * <p>{@code accelerator}: datacenter AI accelerator cards that are not GPUs (Intel Gaudi, SambaNova RDUs) take a
 * discrete GPU's defaults: their own HBM, and kernels launched from a compiled graph. The {@code npu} defaults are
 * the paper's client NPUs, which share the laptop's memory and pay a driver call per operator.
 */
public enum DeviceKind {
  CPU(0.5, 0.5, 10.0),
  GPU(0.6, 0.75, 4.0),
  NPU(0.4, 0.6, 10.0),
  IGPU(0.5, 0.6, 6.0),
  SOC(0.5, 0.7, 6.0),
  ACCELERATOR(0.6, 0.75, 4.0);

  private final double computeEff;
  private final double memEff;
  private final double dispatchUs;

  DeviceKind(double computeEff, double memEff, double dispatchUs) {
    this.computeEff = computeEff;
    this.memEff = memEff;
    this.dispatchUs = dispatchUs;
  }

  public double defaultComputeEff() {
    return computeEff;
  }

  public double defaultMemEff() {
    return memEff;
  }

  public double defaultDispatchUs() {
    return dispatchUs;
  }

  public String id() {
    return Names.id(this);
  }

  public static DeviceKind parse(String s) {
    return Names.parse(DeviceKind.class, s, "kind");
  }

  public static String allowed() {
    return Names.allowed(DeviceKind.class);
  }
}
