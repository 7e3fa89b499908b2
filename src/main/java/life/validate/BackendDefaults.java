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
      double defaultMapePct, List<Validator.Outcome> heldOut) {
    /** Used only where it beats the device kind's defaults on devices it was not fitted on. */
    public boolean used() {
      return lodoMapePct < defaultMapePct;
    }

    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "%s|%s %s rows=%d devices=%d lodo=%.1f default=%.1f", backend, kind,
          eff, rows, devices, lodoMapePct, defaultMapePct);
    }
  }

  /**
   * Every measurement forecast without any measurement of its own device: where the row's backend group is used, by
   * the defaults fitted on the group's other devices (the leave-one-device-out fold); elsewhere by the catalog and
   * device-kind defaults. The strict reading of spec-only.
   */
  public static List<Validator.Outcome> leaveDeviceOut(HardwareCatalog catalog, List<Measurement> ms,
      List<Row> rows) {
    Map<Measurement, Validator.Outcome> held = new java.util.IdentityHashMap<>();
    rows.stream().filter(Row::used).forEach(r -> r.heldOut().forEach(o -> held.put(o.m(), o)));
    Validator plain = new Validator(catalog, (h, b) -> h);
    List<Validator.Outcome> out = new ArrayList<>(ms.size());
    for (Measurement m : ms) {
      Validator.Outcome o = held.get(m);
      out.add(o != null ? o : plain.outcome(m));
    }
    return out;
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
      // Model selection on held-out devices: with or without a host overhead per sequence, with a fitted compute
      // efficiency or the device kind's.
      double bestLodo = Double.POSITIVE_INFINITY;
      Calibrator.Shared eff = null;
      List<Validator.Outcome> bestHeld = List.of();
      // A host cost per sequence is told apart from the per-kernel one only by rows of several batch sizes.
      long batchSizes = g.stream().mapToInt(Measurement::batch).distinct().count();
      double kindCompute = DeviceKind.parse(key[1]).defaultComputeEff();
      for (double compute : new double[] {Double.NaN, kindCompute}) {
        for (boolean sequence : batchSizes > 1 ? new boolean[] {false, true} : new boolean[] {false}) {
          // The folds are independent fits: run them in parallel (each builds its own validators).
          List<Validator.Outcome> held = byDevice.entrySet().parallelStream().flatMap(d -> {
            List<Measurement> others = new ArrayList<>(g);
            others.removeAll(d.getValue());
            Calibrator.Shared loo = Calibrator.fitShared(catalog, others, sequence, compute);
            return new Validator(catalog, (h, b) -> loo.applyTo(h)).run(d.getValue()).stream();
          }).toList();
          double lodo = ErrorStats.of(held).mapePct();
          if (lodo < bestLodo) {
            bestLodo = lodo;
            bestHeld = held;
            eff = Calibrator.fitShared(catalog, g, sequence, compute);
          }
        }
      }
      double plainMape = ErrorStats.of(plain.run(g)).mapePct();
      out.add(new Row(key[0], key[1], eff, g.size(), byDevice.size(), bestLodo, plainMape, bestHeld));
    }
    return out;
  }
}
