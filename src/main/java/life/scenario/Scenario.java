package life.scenario;

import life.forecast.Forecast;
import life.forecast.Request;

/**
 * One point to forecast: a {@link Setup} (model, devices, parallelism, stack, optimizations) and a {@link Request}
 * (lengths and batch). Parsed and checked in one place, {@link ScenarioText}, whatever the entry point: the command
 * line, a sweep point or a measurement row.
 */
public record Scenario(Setup setup, Request request) {
  /** The forecast, or the reason there is none as an {@link IllegalArgumentException}. */
  public Forecast forecast() {
    Built b = setup.build();
    if (b instanceof Built.Ready r) {
      return r.forecaster().forecast(request);
    }
    throw new IllegalArgumentException(((Built.Unsupported) b).reason());
  }
}
