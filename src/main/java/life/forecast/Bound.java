package life.forecast;

import java.util.Locale;

/** Which roofline term dominates a phase's time. */
public enum Bound {
  COMPUTE,
  MEMORY;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
