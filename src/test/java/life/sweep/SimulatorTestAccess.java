package life.sweep;

import java.util.LinkedHashMap;
import java.util.Map;
import life.catalog.HardwareCatalog;
import life.forecast.Forecaster;
import life.scenario.Built;
import life.scenario.ScenarioText;

/** A forecaster of a model, device and stack, built the way every entry point builds one. */
final class SimulatorTestAccess {
  private SimulatorTestAccess() {}

  static Forecaster forecaster(String model, String hardware, String stack) {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("model", model);
    t.put("hardware", hardware);
    t.put("stack", stack);
    return ((Built.Ready) ScenarioText.setup(t, HardwareCatalog.builtIn(), null).build()).forecaster();
  }
}
