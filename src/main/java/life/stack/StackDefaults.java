package life.stack;

import com.univocity.parsers.common.record.Record;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import life.spec.DeviceKind;
import life.spec.HardwareSpec;

/**
 * Fitted default efficiencies of a serving stack on a device kind ({@code catalog/backends.csv}): the same device runs at
 * different efficiencies under llama.cpp, vLLM or TensorRT-LLM. Fitted on the shared measurements by {@code life
 * calibrate --backends}; a row is {@code used} only where it beat the device kind's defaults on devices left out of
 * its fit. A row may be for one class of memory technology ({@code hbm}, {@code gddr}; empty = every device of the
 * kind): the same llama.cpp kernels reach a higher fraction of peak bandwidth on GDDR cards than on HBM ones. Such a
 * row is used only where it beat the row for the whole kind (or the kind's defaults) on its devices left out.
 */
public final class StackDefaults {
  /** One row of the table. */
  public record Backend(String name, String kind, String memory, double computeEff, double memEff, double dispatchUs,
      double sequenceUs, double stepUs, double contextNs, int rows, int devices, double lodoMapePct, double defaultMapePct,
      boolean used) {
    /** These efficiencies, no decode split and no grouped-query cost. */
    public Efficiencies efficiencies() {
      return new Efficiencies(computeEff, memEff, 0, 0, dispatchUs * 1e-6, sequenceUs * 1e-6, stepUs * 1e-6,
          contextNs * 1e-9, 0, "stack:" + name + ":" + kind + (memory.isEmpty() ? "" : "/" + memory));
    }
  }

  private static final Map<String, Backend> ALL = load();

  private StackDefaults() {}

  public static Map<String, Backend> all() {
    return ALL;
  }

  /** The used row of {@code backend} on every device of {@code kind}, or null. */
  public static Backend get(String backend, DeviceKind kind) {
    return get(backend, kind, "");
  }

  /**
   * The used row of {@code backend} on {@code kind} for the memory class {@code memoryClass}
   * ({@link HardwareSpec#memoryClass()}), else the used row for the whole kind, or null.
   */
  public static Backend get(String backend, DeviceKind kind, String memoryClass) {
    Backend b = memoryClass.isEmpty() ? null : ALL.get(backend + "|" + kind.id() + "|" + memoryClass);
    if (b != null && b.used()) {
      return b;
    }
    b = ALL.get(backend + "|" + kind.id() + "|");
    return b != null && b.used() ? b : null;
  }

  /**
   * The fitted efficiencies of stack {@code name} on {@code h}'s kind and memory class, or null where no used row
   * exists.
   */
  public static Efficiencies forDevice(String name, HardwareSpec h) {
    Backend b = get(name, h.kind(), h.memoryClass());
    return b == null ? null : b.efficiencies();
  }

  private static Map<String, Backend> load() {
    Map<String, Backend> m = new LinkedHashMap<>();
    try (InputStream in = StackDefaults.class.getResourceAsStream("/catalog/backends.csv")) {
      if (in == null) {
        return m;
      }
      CsvParserSettings s = new CsvParserSettings();
      s.setHeaderExtractionEnabled(true);
      for (Record r : new CsvParser(s).parseAllRecords(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String memory = r.getString("memory");
        Backend b = new Backend(r.getString("backend"), r.getString("kind"), memory == null ? "" : memory,
            r.getDouble("compute_eff"),
            r.getDouble("mem_eff"), r.getDouble("dispatch_us"), r.getDouble("sequence_us"),
            r.getMetaData().containsColumn("step_us") ? r.getDouble("step_us") : 0,
            r.getMetaData().containsColumn("context_ns") ? r.getDouble("context_ns") : 0, r.getInt("rows"),
            r.getInt("devices"), r.getDouble("lodo_mape_pct"), r.getDouble("default_mape_pct"),
            Boolean.parseBoolean(r.getString("used")));
        m.put(b.name() + "|" + b.kind() + "|" + b.memory(), b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }
}
