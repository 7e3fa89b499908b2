package life.scenario;

import life.forecast.Forecaster;

/** What a {@link Setup} builds: a forecaster, or the reason there is none. */
public sealed interface Built {
  /** A forecaster for the setup. */
  record Ready(Setup setup, Forecaster forecaster) implements Built {}

  /** Why the setup cannot be forecast (a device without the needed peak, a mode not modelled, ...). */
  record Unsupported(String reason) implements Built {}
}
