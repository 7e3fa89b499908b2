package life.spec;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What a device's datasheet says, in SI units: peaks, bandwidth, capacity, links, power and price. What is fitted or
 * assumed about the software that runs on it lives apart, in {@code life.stack.Efficiencies}.
 *
 * @param peakOpsPerSecond dense peak per data type in ops/s (1 multiply or 1 add = 1 op); absent = not supported
 * @param memBytesPerSecond memory bandwidth in B/s (decimal: 1 GB/s = 10⁹ B/s)
 * @param memBytes memory capacity in bytes (binary GiB × 2³⁰), or 0 when unknown
 * @param linkBytesPerSecond bandwidth per direction of the link to the other devices of a server (NVLink, Infinity
 *     Fabric, PCIe), in B/s, for the collectives of tensor parallelism; 0 when unknown
 * @param linkPeerBytesPerSecond in a direct mesh (MI300X, Gaudi2), the part of it that goes to one peer, so that a
 *     collective over N devices gets {@code min(link, (N − 1) · peer)}; 0 for switched fabrics and PCIe
 * @param memory memory technology ({@link #MEMORY}), empty when not recorded: the same kernels reach a different
 *     fraction of peak bandwidth on HBM and on GDDR, so fitted stack defaults may differ by its class
 */
public record HardwareSpec(
    String id,
    String name,
    DeviceKind kind,
    Map<DType, Double> peakOpsPerSecond,
    double memBytesPerSecond,
    double memBytes,
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
    Check.nonNegative("link_gbps", linkBytesPerSecond);
    Check.nonNegative("link_peer_gbps", linkPeerBytesPerSecond);
    memory = memory == null ? "" : memory;
    if (!memory.isEmpty() && !MEMORY.contains(memory)) {
      throw new IllegalArgumentException("memory must be empty or one of " + String.join(", ", MEMORY) + "; got "
          + InputException.quote(memory));
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

  /** A copy with another source text (e.g. how a calibrated profile was made). */
  public HardwareSpec withSource(String newSource) {
    return new HardwareSpec(id, name, kind, peakOpsPerSecond, memBytesPerSecond, memBytes, linkBytesPerSecond,
        linkPeerBytesPerSecond, tdpW, priceUsd, newSource, memory);
  }
}
