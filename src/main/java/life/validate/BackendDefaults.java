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
  public record Row(String backend, String kind, String memory, Calibrator.Shared eff, int rows, int devices,
      double lodoMapePct, double defaultMapePct, List<Validator.Outcome> heldOut, Map<String, Calibrator.Shared> folds) {
    /**
     * Used only where it beats the device kind's defaults on devices it was not fitted on; a row for one memory class
     * must beat the row of its whole kind by at least 3 % of the error, since it is the more complex choice.
     */
    public boolean used() {
      return lodoMapePct < (memory.isEmpty() ? 1 : MEMORY_MARGIN) * defaultMapePct;
    }

    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "%s|%s|%s %s rows=%d devices=%d lodo=%.1f default=%.1f", backend,
          kind, memory, eff, rows, devices, lodoMapePct, defaultMapePct);
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
    // Rows for the whole kind first, so that a used row of the device's memory class replaces them.
    rows.stream().filter(r -> r.used() && r.memory().isEmpty()).forEach(r -> r.heldOut().forEach(o -> held.put(o.m(),
        o)));
    rows.stream().filter(r -> r.used() && !r.memory().isEmpty()).forEach(r -> r.heldOut().forEach(o -> held.put(o.m(),
        o)));
    Validator plain = new Validator(catalog, Validator.PLAIN);
    List<Validator.Outcome> out = new ArrayList<>(ms.size());
    for (Measurement m : ms) {
      Validator.Outcome o = held.get(m);
      out.add(o != null ? o : plain.outcome(m));
    }
    return out;
  }

  /**
   * The efficiencies a device gets with none of its own measurements in any fit: for each backend, the fold of the
   * used row of its memory class, else of its kind, that left {@code deviceId} out (the whole row where the device
   * was not in it), else the catalog and device-kind defaults. The spec-only forecast of a device the datasets never
   * measured, for judging calibration on one they did.
   */
  public static life.scenario.EfficiencyRule leaveOut(List<Row> rows, String deviceId) {
    return (h, fit, stack) -> {
      Row r = pick(rows, stack.name(), h);
      return r == null ? Validator.PLAIN.apply(h, fit, stack) : r.folds().getOrDefault(deviceId, r.eff()).efficiencies();
    };
  }

  /**
   * The efficiencies a device gets from fitted rows {@code rows}, as {@link life.scenario.EfficiencyRule#STACK} gets
   * them from the shipped ones: the used row of its stack, kind and memory class, else of its stack and kind, else
   * the kind's defaults; the device file's values on top (a calibrated profile's whole).
   */
  public static life.scenario.EfficiencyRule rule(List<Row> rows) {
    return (h, fit, stack) -> {
      life.stack.Efficiencies base = life.stack.Efficiencies.of(h.kind());
      if (!fit.calibrated() && !stack.none()) {
        Row r = pick(rows, stack.name(), h);
        base = r == null ? base : r.eff().efficiencies();
      }
      return fit.applyTo(base);
    };
  }

  /** The used row of {@code backend} for {@code h}: of its kind and memory class, else of its kind; or null. */
  private static Row pick(List<Row> rows, String backend, HardwareSpec h) {
    Row r = usedRow(rows, backend, h, h.memoryClass());
    return r != null ? r : usedRow(rows, backend, h, "");
  }

  /** The group a row is fitted in: its stack ({@code engine/api}) and its device's kind. */
  static String group(HardwareCatalog catalog, Measurement m) {
    return m.stackName() + "|" + catalog.resolve(m.hardware()).kind().id();
  }

  private static Row usedRow(List<Row> rows, String backend, HardwareSpec h, String memory) {
    return rows.stream().filter(r -> r.used() && r.backend().equals(backend) && r.kind().equals(h.kind().id())
        && r.memory().equals(memory)).findFirst().orElse(null);
  }

  /**
   * Devices a row is fitted on, at least: three, so that each leave-one-device-out fit that judges it spans two
   * devices. A fit on one device cannot tell what is the stack's from what is that device's; with two devices in the
   * group the judgement rests on such fits, and rows passed it that did not carry to another source (held out by
   * source, 43.3 % with two, 38.9 % with three).
   */
  static final int MIN_DEVICES = 3;

  /** Share of the error a memory-class row must leave, at most, to replace the row of its whole kind. */
  static final double MEMORY_MARGIN = 0.97;

  private BackendDefaults() {}

  /**
   * Fits every (backend, kind) group of the usable measurements with at least {@link #MIN_DEVICES} devices, and
   * measures each group's leave-one-device-out error (fit on the other devices, forecast the held-out one). Where a group mixes
   * memory classes (HBM and GDDR), each class with at least as many devices gets a row of its own too, judged against
   * what its devices get without it (the group's row where that is used, else the kind's defaults).
   */
  public static List<Row> fit(HardwareCatalog catalog, List<Measurement> ms) {
    Validator plain = new Validator(catalog, Validator.PLAIN);
    Map<String, List<Measurement>> groups = new TreeMap<>();
    for (Measurement m : ms) {
      if (plain.outcome(m).supported()) {
        groups.computeIfAbsent(group(catalog, m), k -> new ArrayList<>()).add(m);
      }
    }
    List<Row> out = new ArrayList<>();
    for (Map.Entry<String, List<Measurement>> e : groups.entrySet()) {
      String[] key = e.getKey().split("\\|");
      List<Measurement> g = e.getValue();
      Row whole = fitGroup(catalog, key[0], key[1], "", g, plain.run(g));
      if (whole == null) {
        continue;
      }
      out.add(whole);
      Map<String, List<Measurement>> byMemory = new TreeMap<>();
      g.forEach(m -> byMemory.computeIfAbsent(catalog.resolve(m.hardware()).memoryClass(), k -> new ArrayList<>())
          .add(m));
      if (byMemory.size() < 2) {
        continue;
      }
      for (Map.Entry<String, List<Measurement>> c : byMemory.entrySet()) {
        if (c.getKey().isEmpty()) {
          continue;
        }
        java.util.Set<Measurement> mine = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        mine.addAll(c.getValue());
        List<Validator.Outcome> without = whole.used()
            ? whole.heldOut().stream().filter(o -> mine.contains(o.m())).toList() : plain.run(c.getValue());
        Row r = fitGroup(catalog, key[0], key[1], c.getKey(), c.getValue(), without);
        if (r != null) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** Each device's fold: the fit on the group's other devices, and its forecasts of the device's rows. */
  private record Folds(Map<String, Calibrator.Shared> fits, List<Validator.Outcome> heldOut) {}

  /**
   * Folds of whole devices a group is cross-validated on, at most: with more devices than this, each fold holds out
   * several (every {@code DEVICE_FOLDS}-th device by name), so no device's rows are ever in the fit that forecasts
   * them, at a fixed number of fits per variant however many devices a group has.
   */
  static final int DEVICE_FOLDS = 5;

  /**
   * Forecasts of each device's rows by a fit without any row of that device (the group's devices in
   * {@link #DEVICE_FOLDS} folds, which run in parallel); the fit of each device's fold.
   */
  private static Folds leaveEachDeviceOut(HardwareCatalog catalog, List<Measurement> g,
      Map<String, List<Measurement>> byDevice, Calibrator.Hosts hosts, double compute) {
    List<String> devices = new ArrayList<>(new java.util.TreeSet<>(byDevice.keySet()));
    int k = Math.min(DEVICE_FOLDS, devices.size());
    Map<String, Calibrator.Shared> fits = new java.util.concurrent.ConcurrentHashMap<>();
    List<Validator.Outcome> held = java.util.stream.IntStream.range(0, k).parallel().boxed().flatMap(f -> {
      List<String> out = java.util.stream.IntStream.range(0, devices.size()).filter(i -> i % k == f)
          .mapToObj(devices::get).toList();
      java.util.Set<Measurement> heldRows = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      out.forEach(d -> heldRows.addAll(byDevice.get(d)));
      List<Measurement> others = g.stream().filter(m -> !heldRows.contains(m)).toList();
      Calibrator.Shared loo = Calibrator.fitShared(catalog, others, hosts, compute);
      out.forEach(d -> fits.put(d, loo));
      List<Measurement> mine = g.stream().filter(heldRows::contains).toList();
      return new Validator(catalog, (h, fit, st) -> loo.efficiencies()).run(mine).stream();
    }).toList();
    return new Folds(Map.copyOf(fits), held);
  }

  /**
   * One group's row: the variant (host cost per sequence or not, per engine step or not, per sequence and cached token
   * or not, compute efficiency fitted or the kind's) with the lowest leave-one-device-out error, fitted on the whole
   * group; null for fewer than {@link #MIN_DEVICES} devices. {@code without}:
   * the group's forecasts without this row, whose error the row must beat to be used.
   */
  private static Row fitGroup(HardwareCatalog catalog, String backend, String kind, String memory,
      List<Measurement> g, List<Validator.Outcome> without) {
    Map<String, List<Measurement>> byDevice = new HashMap<>();
    g.forEach(m -> byDevice.computeIfAbsent(m.hardware(), k -> new ArrayList<>()).add(m));
    if (byDevice.size() < MIN_DEVICES) {
      return null;
    }
    double bestLodo = Double.POSITIVE_INFINITY;
    Calibrator.Shared eff = null;
    Folds bestHeld = null;
    // A host cost per sequence is told apart from the per-kernel one only by rows of several batch sizes.
    long batchSizes = g.stream().mapToInt(Measurement::batch).distinct().count();
    double kindCompute = DeviceKind.parse(kind).defaultComputeEff();
    // The variants without a host cost per engine step first; that cost is then tried on top of the best of them.
    double bestCompute = Double.NaN;
    boolean bestSequence = false;
    for (double compute : new double[] {Double.NaN, kindCompute}) {
      for (boolean sequence : batchSizes > 1 ? new boolean[] {false, true} : new boolean[] {false}) {
        Folds held = leaveEachDeviceOut(catalog, g, byDevice, new Calibrator.Hosts(sequence, false, false), compute);
        double lodo = ErrorStats.of(held.heldOut()).mapePct();
        if (lodo < bestLodo) {
          bestLodo = lodo;
          bestHeld = held;
          bestCompute = compute;
          bestSequence = sequence;
        }
      }
    }
    Calibrator.Hosts hosts = new Calibrator.Hosts(bestSequence, false, false);
    // Then a host cost per engine step on top, then one per sequence and cached token (told apart only by rows of
    // several batch sizes), each kept where it lowers the held-out error.
    for (int extra = 0; extra < (batchSizes > 1 ? 2 : 1); extra++) {
      Calibrator.Hosts h = extra == 0 ? new Calibrator.Hosts(hosts.sequence(), true, false)
          : new Calibrator.Hosts(hosts.sequence(), hosts.step(), true);
      Folds held = leaveEachDeviceOut(catalog, g, byDevice, h, bestCompute);
      if (ErrorStats.of(held.heldOut()).mapePct() < bestLodo) {
        bestLodo = ErrorStats.of(held.heldOut()).mapePct();
        bestHeld = held;
        hosts = h;
      }
    }
    eff = Calibrator.fitShared(catalog, g, hosts, bestCompute);
    return new Row(backend, kind, memory, eff, g.size(), byDevice.size(), bestLodo, ErrorStats.of(without).mapePct(),
        bestHeld.heldOut(), bestHeld.fits());
  }
}
