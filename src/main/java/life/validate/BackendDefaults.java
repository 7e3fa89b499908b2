package life.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import life.catalog.HardwareCatalog;
import life.spec.DeviceKind;
import life.spec.HardwareSpec;

/**
 * Fitting of the default efficiencies per serving backend and device kind ({@code catalog/backends.csv}, read by
 * {@link life.catalog.Backends}) on the shared measurement datasets: the same quantized format and the same device run at different efficiencies
 * under llama.cpp, vLLM, TensorRT-LLM or eager PyTorch. Each row records how many rows and devices it was fitted on,
 * its leave-one-device-out error (on a device whose own measurements were not used) and the error of the device
 * kind's defaults on the same rows; a row is used only where the first is lower.
 */
public final class BackendDefaults {
  /** One fitted row. */
  public record Row(String backend, String kind, Calibrator.Shared eff, int rows, int devices, double lodoMapePct,
      double defaultMapePct) {
    /** Used only where it beats the device kind's defaults on devices it was not fitted on. */
    public boolean used() {
      return lodoMapePct < defaultMapePct;
    }
  }

  private BackendDefaults() {}

  /**
   * Fits every (backend, kind) group of the usable measurements with at least two devices, and measures each
   * group's leave-one-device-out error (fit on the other devices, forecast the held-out one).
   */
  public static List<Row> fit(HardwareCatalog catalog, List<Measurement> ms) {
    Validator plain = new Validator(catalog, (h, b) -> h);
    Map<String, List<Measurement>> groups = new TreeMap<>();
    for (Measurement m : ms) {
      if (plain.outcome(m).supported()) {
        HardwareSpec h = catalog.resolve(m.hardware());
        groups.computeIfAbsent(m.backend() + "|" + h.kind().id(), k -> new ArrayList<>()).add(m);
      }
    }
    List<Row> out = new ArrayList<>();
    for (Map.Entry<String, List<Measurement>> e : groups.entrySet()) {
      String[] key = e.getKey().split("\\|");
      List<Measurement> g = e.getValue();
      Map<String, List<Measurement>> byDevice = new HashMap<>();
      g.forEach(m -> byDevice.computeIfAbsent(m.hardware(), k -> new ArrayList<>()).add(m));
      if (byDevice.size() < 2) {
        continue;
      }
      // Model selection on held-out devices: with or without a host overhead per sequence.
      double bestLodo = Double.POSITIVE_INFINITY;
      Calibrator.Shared eff = null;
      for (boolean sequence : new boolean[] {false, true}) {
        // The folds are independent fits: run them in parallel (each builds its own validators).
        List<Validator.Outcome> held = byDevice.entrySet().parallelStream().flatMap(d -> {
          List<Measurement> others = new ArrayList<>(g);
          others.removeAll(d.getValue());
          Calibrator.Shared loo = Calibrator.fitShared(catalog, others, sequence);
          return new Validator(catalog, (h, b) -> loo.applyTo(h)).run(d.getValue()).stream();
        }).toList();
        double lodo = ErrorStats.of(held).mapePct();
        if (lodo < bestLodo) {
          bestLodo = lodo;
          eff = Calibrator.fitShared(catalog, g, sequence);
        }
      }
      double plainMape = ErrorStats.of(plain.run(g)).mapePct();
      out.add(new Row(key[0], key[1], eff, g.size(), byDevice.size(), bestLodo, plainMape));
    }
    return out;
  }
}
