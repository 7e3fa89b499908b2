package life.spec;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One device of the hardware catalog, in SI units.
 *
 * @param peakOpsPerSecond dense peak per data type in ops/s (1 multiply or 1 add = 1 op); absent = not supported
 * @param memBytesPerSecond memory bandwidth in B/s (decimal: 1 GB/s = 10⁹ B/s)
 * @param memBytes memory capacity in bytes (binary GiB × 2³⁰), or 0 when unknown
 * @param computeEff fraction of peak compute reached (catalog value, else the kind's default)
 * @param memEff fraction of peak bandwidth reached
 * @param decodeComputeEff compute efficiency of decode steps where it differs from the prefill's (a calibrated
 *     profile's per-phase value), 0 for the same
 * @param decodeMemEff memory efficiency of decode steps where it differs, 0 for the same
 * @param dispatchSeconds fixed cost per kernel dispatch
 * @param sequenceSeconds host work per sequence per call that samples a token (sampling, scheduling, detokenizing
 *     in a serving engine); a property of the software stack, 0 unless calibrated
 * @param stepSeconds host work per engine step that samples tokens, whatever the batch and the model (a Python
 *     scheduler preparing the step's inputs); a property of the software stack, 0 unless fitted
 * @param contextSeconds work per sequence and cached token in a call that samples, beyond the bytes attention
 *     reads (a serving engine rebuilding each sequence's block table every step, per-key overheads of its attention
 *     kernels); a property of the software stack, 0 unless fitted
 * @param gqaSeconds time per query head, layer and cached token of a decode step of a grouped-query model, beyond
 *     the bytes its attention reads: attention kernels that serve each query head of a group apart, at a cost per
 *     key (llama.cpp's and vLLM's 2024 ROCm builds on the MI300X); a property of the stack on the device, 0 unless
 *     calibrated
 * @param linkBytesPerSecond bandwidth per direction of the link to the other devices of a server (NVLink, Infinity
 *     Fabric, PCIe), in B/s, for the collectives of tensor parallelism; 0 when unknown
 * @param linkPeerBytesPerSecond in a direct mesh (MI300X, Gaudi2), the part of it that goes to one peer, so that a
 *     collective over N devices gets {@code min(link, (N − 1) · peer)}; 0 for switched fabrics and PCIe
 * @param memory memory technology ({@link #MEMORY}), empty when not recorded: the same kernels reach a different
 *     fraction of peak bandwidth on HBM and on GDDR, so fitted backend defaults may differ by its class
 */
public record HardwareSpec(
    String id,
    String name,
    DeviceKind kind,
    Map<DType, Double> peakOpsPerSecond,
    double memBytesPerSecond,
    double memBytes,
    double computeEff,
    double memEff,
    double decodeComputeEff,
    double decodeMemEff,
    double dispatchSeconds,
    double sequenceSeconds,
    double stepSeconds,
    double contextSeconds,
    double gqaSeconds,
    double linkBytesPerSecond,
    double linkPeerBytesPerSecond,
    OptionalDouble tdpW,
    OptionalDouble priceUsd,
    String source,
    String memory) {

  public static final double GIB = 1024.0 * 1024.0 * 1024.0;

  /** Memory technologies the catalog's {@code memory} column accepts. */
  public static final java.util.List<String> MEMORY = java.util.List.of("hbm", "hbm2", "hbm2e", "hbm3", "hbm3e",
      "gddr5", "gddr6", "gddr6x", "gddr7", "lpddr4x", "lpddr5", "lpddr5x", "ddr4", "ddr5");

  public HardwareSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    peakOpsPerSecond = Map.copyOf(peakOpsPerSecond);
    peakOpsPerSecond.forEach((d, v) -> Check.positive(d.peakColumn(), v));
    Check.nonNegative("mem_bw_gbps", memBytesPerSecond);
    Check.nonNegative("mem_gib", memBytes);
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
    Check.nonNegative("link_gbps", linkBytesPerSecond);
    Check.nonNegative("link_peer_gbps", linkPeerBytesPerSecond);
    memory = memory == null ? "" : memory;
    if (!memory.isEmpty() && !MEMORY.contains(memory)) {
      throw new IllegalArgumentException("memory must be empty or one of " + String.join(", ", MEMORY) + "; got '"
          + memory + "'");
    }
  }

  /**
   * Class of the memory technology: {@code hbm}, {@code gddr}, {@code lpddr} or {@code ddr}; empty when not recorded.
   */
  public String memoryClass() {
    return memory.replaceAll("[0-9].*$", "");
  }

  /** Dense peak of {@code d} in ops/s, if the device has a figure for it. */
  public OptionalDouble peak(DType d) {
    Double v = peakOpsPerSecond.get(d);
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  /** Bytes/s per direction each device drives in a collective over {@code devices} devices (0 when unknown). */
  public double linkBytesPerSecond(int devices) {
    return linkPeerBytesPerSecond > 0 ? Math.min(linkBytesPerSecond, (devices - 1) * linkPeerBytesPerSecond)
        : linkBytesPerSecond;
  }

  /** How the source of a device fitted by {@code life calibrate} begins. */
  public static final String CALIBRATED = "calibrated by life calibrate";

  /**
   * Whether this device is a calibrated profile (its source says so): its efficiencies were fitted to its own
   * measurements, so a backend's fitted defaults must not replace them.
   */
  public boolean calibrated() {
    return source != null && source.startsWith(CALIBRATED);
  }

  /** A copy with another source text (e.g. how a calibrated profile was made). */
  public HardwareSpec withSource(String newSource) {
    return with(b -> b.source = newSource);
  }

  /** A copy with other efficiencies and dispatch overhead (command-line or calibrated overrides). */
  public HardwareSpec withEfficiency(double computeEff, double memEff, double dispatchSeconds) {
    return with(b -> {
      b.computeEff = computeEff;
      b.memEff = memEff;
      b.dispatchSeconds = dispatchSeconds;
    });
  }

  /** A copy with decode efficiencies of their own (0: the same as the prefill's). */
  public HardwareSpec withDecodeEfficiency(double computeEff, double memEff) {
    return with(b -> {
      b.decodeComputeEff = computeEff;
      b.decodeMemEff = memEff;
    });
  }

  /** Compute efficiency of the decode phase. */
  public double decodeComputeEffOrSame() {
    return decodeComputeEff > 0 ? decodeComputeEff : computeEff;
  }

  /** Memory efficiency of the decode phase. */
  public double decodeMemEffOrSame() {
    return decodeMemEff > 0 ? decodeMemEff : memEff;
  }

  /** A copy with another host overhead per engine step. */
  public HardwareSpec withStepSeconds(double seconds) {
    return with(b -> b.stepSeconds = seconds);
  }

  /** A copy with another host overhead per sequence and sampling call. */
  public HardwareSpec withSequenceSeconds(double seconds) {
    return with(b -> b.sequenceSeconds = seconds);
  }

  /** A copy with another cost per sequence and cached token of a sampling call. */
  public HardwareSpec withContextSeconds(double seconds) {
    return with(b -> b.contextSeconds = seconds);
  }

  /** A copy with another time per query head, layer and cached token of a grouped-query decode step. */
  public HardwareSpec withGqaSeconds(double seconds) {
    return with(b -> b.gqaSeconds = seconds);
  }

  /**
   * A copy with {@code change} applied to its efficiencies, host costs and source (validated again by the canonical
   * constructor); the specifications stay.
   */
  private HardwareSpec with(java.util.function.Consumer<Tunables> change) {
    Tunables t = new Tunables(this);
    change.accept(t);
    return new HardwareSpec(id, name, kind, peakOpsPerSecond, memBytesPerSecond, memBytes, t.computeEff, t.memEff,
        t.decodeComputeEff, t.decodeMemEff, t.dispatchSeconds, t.sequenceSeconds, t.stepSeconds, t.contextSeconds,
        t.gqaSeconds, linkBytesPerSecond, linkPeerBytesPerSecond, tdpW, priceUsd, t.source, memory);
  }

  /** The fields the withers change, mutable, for {@link #with}. */
  private static final class Tunables {
    double computeEff;
    double memEff;
    double decodeComputeEff;
    double decodeMemEff;
    double dispatchSeconds;
    double sequenceSeconds;
    double stepSeconds;
    double contextSeconds;
    double gqaSeconds;
    String source;

    Tunables(HardwareSpec h) {
      computeEff = h.computeEff;
      memEff = h.memEff;
      decodeComputeEff = h.decodeComputeEff;
      decodeMemEff = h.decodeMemEff;
      dispatchSeconds = h.dispatchSeconds;
      sequenceSeconds = h.sequenceSeconds;
      stepSeconds = h.stepSeconds;
      contextSeconds = h.contextSeconds;
      gqaSeconds = h.gqaSeconds;
      source = h.source;
    }
  }
}
