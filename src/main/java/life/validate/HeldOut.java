package life.validate;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import life.catalog.HardwareCatalog;

/**
 * Held-out forecasts of published measurements: each source (one measurement file: one lab's dataset, usually one
 * stack and era) forecast by stack defaults fitted without any of its rows. The figure a user can expect on a stack
 * and dataset nobody here fitted to; in-sample figures only say how well the defaults fit what they were fitted on.
 */
public final class HeldOut {
  private HeldOut() {}

  /** The source of a row: its file, without the row number. */
  public static String source(Measurement m) {
    return m.file().replaceFirst(" row \\d+$", "");
  }

  /**
   * Every row forecast by stack defaults fitted ({@link BackendDefaults#fit}, the procedure that makes
   * {@code catalog/backends.csv}) on the other sources only; in the order of {@code ms}. Only the groups (stack and
   * device kind) a source's rows fall in are refitted for it: the others do not change its forecasts.
   */
  public static List<Validator.Outcome> leaveSourceOut(HardwareCatalog catalog, List<Measurement> ms) {
    Map<String, List<Measurement>> bySource = new LinkedHashMap<>();
    ms.forEach(m -> bySource.computeIfAbsent(source(m), k -> new ArrayList<>()).add(m));
    Validator plain = new Validator(catalog, Validator.PLAIN);
    Map<Measurement, Validator.Outcome> out = new IdentityHashMap<>();
    for (Map.Entry<String, List<Measurement>> s : bySource.entrySet()) {
      Set<String> groups = new TreeSet<>();
      for (Measurement m : s.getValue()) {
        if (plain.outcome(m).supported()) {
          groups.add(BackendDefaults.group(catalog, m));
        }
      }
      List<Measurement> train = new ArrayList<>();
      for (Map.Entry<String, List<Measurement>> o : bySource.entrySet()) {
        if (!o.getKey().equals(s.getKey())) {
          o.getValue().stream().filter(m -> plain.outcome(m).supported() && groups.contains(BackendDefaults.group(catalog, m)))
              .forEach(train::add);
        }
      }
      List<BackendDefaults.Row> rows = BackendDefaults.fit(catalog, train);
      Validator v = new Validator(catalog, BackendDefaults.rule(rows));
      s.getValue().forEach(m -> out.put(m, v.outcome(m)));
    }
    List<Validator.Outcome> list = new ArrayList<>(ms.size());
    ms.forEach(m -> list.add(out.get(m)));
    return list;
  }
}
