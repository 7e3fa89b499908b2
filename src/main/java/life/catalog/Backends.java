package life.catalog;

import com.univocity.parsers.common.record.Record;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import life.spec.DeviceKind;
import life.spec.HardwareSpec;

/**
 * Default efficiencies of a serving backend on a device kind ({@code catalog/backends.csv}): the same device runs at
 * different efficiencies under llama.cpp, vLLM or TensorRT-LLM. Fitted on the shared measurements by {@code life
 * calibrate --backends}; a row is {@code used} only where it beat the device kind's defaults on devices left out of
 * its fit. A row may be for one class of memory technology ({@code hbm}, {@code gddr}; empty = every device of the
 * kind): the same llama.cpp kernels reach a higher fraction of peak bandwidth on GDDR cards than on HBM ones. Such a
 * row is used only where it beat the row for the whole kind (or the kind's defaults) on its devices left out.
 */
public final class Backends {
  /** One row of the table. */
  public record Backend(String name, String kind, String memory, double computeEff, double memEff, double dispatchUs,
      double sequenceUs, double stepUs, double contextNs, int rows, int devices, double lodoMapePct, double defaultMapePct,
      boolean used) {
    /** {@code h} with this backend's efficiencies. */
    public HardwareSpec applyTo(HardwareSpec h) {
      return h.withEfficiency(computeEff, memEff, dispatchUs * 1e-6).withSequenceSeconds(sequenceUs * 1e-6)
          .withStepSeconds(stepUs * 1e-6).withContextSeconds(contextNs * 1e-9);
    }
  }

  private static final Map<String, Backend> ALL = load();

  private Backends() {}

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

  /** Backend names with a row, for messages. */
  public static List<String> names() {
    TreeSet<String> n = new TreeSet<>();
    ALL.values().forEach(b -> n.add(b.name()));
    return List.copyOf(n);
  }

  /**
   * {@code h} with the defaults of {@code backend} on its kind where there is a used row; unchanged for
   * {@code none} and for a calibrated profile ({@link HardwareSpec#calibrated()}: its own fit beats any default); an
   * unknown backend name is an error listing the known ones.
   */
  public static HardwareSpec apply(HardwareSpec h, String backend) {
    if (backend == null || backend.equals("none")) {
      return h;
    }
    if (!names().contains(backend)) {
      throw new IllegalArgumentException("unknown backend '" + backend + "' (allowed: none, "
          + String.join(", ", names()) + ")");
    }
    Backend b = h.calibrated() ? null : get(backend, h.kind(), h.memoryClass());
    return b == null ? h : b.applyTo(h);
  }

  private static Map<String, Backend> load() {
    Map<String, Backend> m = new LinkedHashMap<>();
    try (InputStream in = Backends.class.getResourceAsStream("/catalog/backends.csv")) {
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
