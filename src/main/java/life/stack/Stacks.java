package life.stack;

import com.univocity.parsers.common.record.Record;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import life.spec.DeviceKind;
import life.spec.HardwareSpec;

/**
 * The known serving stacks ({@code catalog/stacks.csv}), their releases ({@code catalog/stack-releases.csv}) and the
 * dated history of their settings ({@code catalog/stack-settings.csv}, each change with its source). A stack at a date
 * takes, for each setting, the latest change on or before that date (a change for its own API before one for every
 * API of the engine on the same day); settings never changed keep {@link StackSettings#NONE}'s value.
 */
public final class Stacks {
  /** One known stack. */
  public record Known(String name, String what) {}

  /** One dated change of a setting. */
  public record Change(String engine, String api, String setting, String value, LocalDate from, String source) {}

  /** One release: a version name and its date. */
  public record Release(String engine, String version, LocalDate date, String source) {}

  private static final Map<String, Known> KNOWN = new LinkedHashMap<>();
  private static final List<Change> CHANGES = new ArrayList<>();
  private static final List<Release> RELEASES = new ArrayList<>();
  /** The date {@code current} stands for: the newest change or release recorded. */
  public static final LocalDate CURRENT;

  static {
    for (Record r : read("/catalog/stacks.csv")) {
      KNOWN.put(r.getString("stack"), new Known(r.getString("stack"), r.getString("what")));
    }
    LocalDate newest = LocalDate.of(2024, 1, 1);
    for (Record r : read("/catalog/stack-releases.csv")) {
      Release rel = new Release(r.getString("engine"), r.getString("version"), LocalDate.parse(r.getString("date")),
          r.getString("source"));
      RELEASES.add(rel);
      newest = rel.date().isAfter(newest) ? rel.date() : newest;
    }
    for (Record r : read("/catalog/stack-settings.csv")) {
      String[] s = r.getString("stack").split("/", 2);
      Change c = new Change(s[0], s[1], r.getString("setting"), r.getString("value"),
          LocalDate.parse(r.getString("from")), r.getString("source"));
      StackSettings.NONE.with(c.setting(), c.value());
      CHANGES.add(c);
      newest = c.from().isAfter(newest) ? c.from() : newest;
    }
    CURRENT = newest;
  }

  private Stacks() {}

  /** The known stacks, in catalog order. */
  public static List<Known> known() {
    return List.copyOf(KNOWN.values());
  }

  /** Every change of every setting, in file order. */
  public static List<Change> changes() {
    return List.copyOf(CHANGES);
  }

  public static List<Release> releases() {
    return List.copyOf(RELEASES);
  }

  /**
   * A stack from text: {@code none}, or {@code engine/api} (current), {@code engine/api@YYYY-MM[-DD]},
   * {@code engine/api@current} or {@code engine/api@RELEASE}. One-line errors name the allowed values.
   */
  public static Stack parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("none")) {
      return Stack.NONE;
    }
    int at = t.indexOf('@');
    String name = at < 0 ? t : t.substring(0, at);
    String version = at < 0 ? "current" : t.substring(at + 1);
    if (!KNOWN.containsKey(name)) {
      throw new IllegalArgumentException("unknown stack '" + name + "' (allowed: none, "
          + String.join(", ", KNOWN.keySet()) + ")");
    }
    String[] ea = name.split("/", 2);
    LocalDate date = date(ea[0], version);
    return at(ea[0], ea[1], version, date);
  }

  /** The stack {@code engine/api} with the settings in force on {@code date}. */
  static Stack at(String engine, String api, String version, LocalDate date) {
    StackSettings s = StackSettings.NONE;
    Map<String, String> sources = new TreeMap<>();
    Map<String, Change> latest = new TreeMap<>();
    for (Change c : CHANGES) {
      if (!c.engine().equals(engine) || !(c.api().equals(api) || c.api().equals("*")) || c.from().isAfter(date)) {
        continue;
      }
      Change prev = latest.get(c.setting());
      if (prev == null || c.from().isAfter(prev.from()) || (c.from().equals(prev.from()) && !c.api().equals("*"))) {
        latest.put(c.setting(), c);
      }
    }
    for (Change c : latest.values()) {
      s = s.with(c.setting(), c.value());
      sources.put(c.setting(), c.source());
    }
    return new Stack(engine, api, version, date, s, sources);
  }

  private static LocalDate date(String engine, String version) {
    if (version.equals("current")) {
      return CURRENT;
    }
    if (version.matches("\\d{4}-\\d{2}")) {
      version = version + "-01";
    }
    if (version.matches("\\d{4}-\\d{2}-\\d{2}")) {
      try {
        return LocalDate.parse(version);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("stack version '" + version + "' is not a date (YYYY-MM or YYYY-MM-DD)");
      }
    }
    List<String> names = new ArrayList<>();
    for (Release r : RELEASES) {
      if (r.engine().equals(engine)) {
        if (r.version().equals(version)) {
          return r.date();
        }
        names.add(r.version());
      }
    }
    throw new IllegalArgumentException("unknown version '" + version + "' of " + engine + " (allowed: current, a date "
        + "YYYY-MM or YYYY-MM-DD" + (names.isEmpty() ? "" : ", or a release: " + String.join(", ", names)) + ")");
  }

  /**
   * The stack most people run on {@code h}, when none is given: llama.cpp on Apple chips (Metal), GeForce and RTX
   * cards (CUDA), AMD client GPUs and iGPUs (Vulkan), Intel GPUs (SYCL) and CPUs; vLLM on NVIDIA and AMD datacenter
   * GPUs; the vendor's runtime on NPUs and other accelerators.
   */
  public static Stack defaultFor(HardwareSpec h) {
    return parse(defaultName(h));
  }

  /** The name of {@link #defaultFor}'s stack. */
  public static String defaultName(HardwareSpec h) {
    String id = h.id().toLowerCase(Locale.ROOT);
    DeviceKind k = h.kind();
    return switch (k) {
      case SOC -> id.startsWith("apple") ? "llama.cpp/metal" : "llama.cpp/vulkan";
      case CPU -> "llama.cpp/cpu";
      case NPU -> "vendor/npu";
      case ACCELERATOR -> "vendor/accelerator";
      case IGPU -> id.startsWith("intel") ? "llama.cpp/sycl" : "llama.cpp/vulkan";
      case GPU -> {
        if (id.startsWith("nvidia")) {
          yield id.matches(".*-(rtx|geforce|gtx|titan)-.*") || id.contains("dgx-spark") ? "llama.cpp/cuda"
              : "vllm/cuda";
        }
        if (id.startsWith("amd")) {
          yield id.matches("amd-mi\\d.*") ? "vllm/rocm" : "llama.cpp/vulkan";
        }
        yield id.startsWith("intel") ? "llama.cpp/sycl" : "llama.cpp/vulkan";
      }
    };
  }

  /** The rows of a CSV file shipped in the jar ({@code /catalog/...}), header first. */
  public static List<Record> read(String resource) {
    try (InputStream in = Stacks.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the jar");
      }
      CsvParserSettings s = new CsvParserSettings();
      s.setHeaderExtractionEnabled(true);
      s.setMaxCharsPerColumn(100_000);
      s.setCommentCollectionEnabled(false);
      return new CsvParser(s).parseAllRecords(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
