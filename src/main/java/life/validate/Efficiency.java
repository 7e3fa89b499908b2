package life.validate;

import java.util.List;
import life.spec.HardwareSpec;

/**
 * Efficiencies a forecast of a measurement uses: the fitted default of the measurement's backend on the device's kind
 * ({@link life.catalog.Backends}) where there is one, else the catalog's (or the device kind's default); a calibrated
 * profile's values for profiled devices and calibrated ones ({@link HardwareSpec#calibrated()}); with
 * {@code specOnly}, the catalog's only.
 */
public final class Efficiency {
  private Efficiency() {}

  /** Catalog and kind defaults; devices in {@code profiled} keep their profile's values. */
  public static Validator.Efficiencies defaults(boolean specOnly, List<String> profiled) {
    return (h, backend) -> {
      if (specOnly || profiled.contains(h.id()) || h.calibrated()) {
        return h;
      }
      life.catalog.Backends.Backend r = life.catalog.Backends.get(backend, h.kind(), h.memoryClass());
      return r == null ? h : r.applyTo(h);
    };
  }
}
