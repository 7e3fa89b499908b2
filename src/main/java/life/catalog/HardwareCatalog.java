package life.catalog;

import static life.spec.InputException.clip;
import static life.spec.InputException.quote;

import life.spec.InputException;
import com.univocity.parsers.common.record.Record;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import life.spec.DType;
import life.spec.DeviceKind;
import life.spec.HardwareSpec;
import life.stack.Efficiencies;

/**
 * The hardware catalog: the built-in {@code catalog/hardware.csv} plus any user files of the same schema, a user row
 * replacing the built-in row with the same id. Peaks are dense, in 10¹² ops/s; bandwidth in GB/s (10⁹ B/s); capacity
 * in GiB; empty cells mean "not supported or not published".
 */
public final class HardwareCatalog {
  /** Columns every hardware file must have, in the built-in order. */
  public static final List<String> COLUMNS = List.of("id", "name", "kind", "fp32_tflops", "fp16_tflops",
      "bf16_tflops", "fp8_tflops", "int8_tops", "int4_tops", "mem_bw_gbps", "mem_gib", "compute_eff", "mem_eff",
      "dispatch_us", "tdp_w", "price_usd", "source");

  private static final String BUILT_IN = "/catalog/hardware.csv";
  private final Map<String, HardwareSpec> devices;
  private final Map<String, Efficiencies.Overrides> fits;

  /** A device and the efficiencies its file gives (none for the built-in rows). */
  public record Entry(HardwareSpec spec, Efficiencies.Overrides fit) {}

  private HardwareCatalog(Map<String, Entry> entries) {
    Map<String, HardwareSpec> d = new LinkedHashMap<>();
    Map<String, Efficiencies.Overrides> f = new LinkedHashMap<>();
    entries.forEach((k, e) -> {
      d.put(k, e.spec());
      f.put(k, e.fit());
    });
    this.devices = Collections.unmodifiableMap(d);
    this.fits = Collections.unmodifiableMap(f);
  }

  private Map<String, Entry> entries() {
    Map<String, Entry> m = new LinkedHashMap<>();
    devices.forEach((k, h) -> m.put(k, new Entry(h, fits.get(k))));
    return m;
  }

  /** The built-in catalog (a new instance each time, of the devices read once). */
  public static HardwareCatalog builtIn() {
    return new HardwareCatalog(BuiltIn.ENTRIES);
  }

  /** The rows of the built-in catalog, read on first use. */
  private static final class BuiltIn {
    static final Map<String, Entry> ENTRIES = read();

    private static Map<String, Entry> read() {
      try (InputStream in = HardwareCatalog.class.getResourceAsStream(BUILT_IN)) {
        if (in == null) {
          throw new InputException("built-in hardware catalog " + BUILT_IN + " is missing from the jar");
        }
        String file = "hardware.csv (built-in)";
        return Collections.unmodifiableMap(parse(file, InputFile.text(file, in.readAllBytes())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** This catalog with the devices of {@code file} added (same id: the file's row wins). */
  public HardwareCatalog with(Path file) {
    Map<String, Entry> m = entries();
    m.putAll(readEntries(file));
    return new HardwareCatalog(m);
  }

  /** This catalog with {@code device} and its efficiencies added or replacing the device of the same id. */
  public HardwareCatalog withDevice(HardwareSpec device, Efficiencies.Overrides fit) {
    Map<String, Entry> m = entries();
    m.put(device.id(), new Entry(device, fit));
    return new HardwareCatalog(m);
  }

  /** The efficiencies the device's file gives ({@link Efficiencies.Overrides#NONE} for built-in devices). */
  public Efficiencies.Overrides fit(String id) {
    Efficiencies.Overrides f = fits.get(id);
    return f == null ? Efficiencies.Overrides.NONE : f;
  }

  /**
   * Writes {@code devices} as a hardware file (this catalog's schema), e.g. a calibrated profile: the datasheet and the
   * efficiencies each entry gives (empty cells for those it leaves to the stack or the device kind).
   */
  public static void write(java.util.List<Entry> devices, Path file) throws IOException {
    com.univocity.parsers.csv.CsvWriterSettings ws = new com.univocity.parsers.csv.CsvWriterSettings();
    ws.getFormat().setLineSeparator("\n");
    ws.setQuoteEscapingEnabled(true);
    try (java.io.Writer w = new java.io.OutputStreamWriter(life.io.FileOutput.create(life.io.Commit.temp(file)),
        StandardCharsets.UTF_8)) {
      com.univocity.parsers.csv.CsvWriter cw = new com.univocity.parsers.csv.CsvWriter(w, ws);
      java.util.List<String> header = new java.util.ArrayList<>(COLUMNS);
      header.add("sequence_us");
      header.add("step_us");
      header.add("link_gbps");
      header.add("link_peer_gbps");
      header.add("decode_compute_eff");
      header.add("decode_mem_eff");
      header.add("memory");
      header.add("context_ns");
      header.add("gqa_ns");
      cw.writeHeaders(header);
      for (Entry en : devices) {
        HardwareSpec h = en.spec();
        Efficiencies.Overrides e = en.fit();
        java.util.List<Object> row = new java.util.ArrayList<>();
        row.add(h.id());
        row.add(h.name());
        row.add(h.kind().id());
        for (DType d : DType.values()) {
          row.add(h.peak(d).isPresent() ? String.valueOf(h.peak(d).getAsDouble() / 1e12) : "");
        }
        row.add(String.valueOf(h.memBytesPerSecond() / 1e9));
        row.add(String.valueOf(h.memBytes() / HardwareSpec.GIB));
        row.add(cell(e.computeEff(), 1));
        row.add(cell(e.memEff(), 1));
        row.add(cell(e.dispatchSeconds(), 1e6));
        row.add(h.tdpW().isPresent() ? String.valueOf(h.tdpW().getAsDouble()) : "");
        row.add(h.priceUsd().isPresent() ? String.valueOf(h.priceUsd().getAsDouble()) : "");
        row.add(h.source());
        row.add(cell(e.sequenceSeconds(), 1e6));
        row.add(cell(e.stepSeconds(), 1e6));
        row.add(h.linkBytesPerSecond() > 0 ? String.valueOf(h.linkBytesPerSecond() / 1e9) : "");
        row.add(h.linkPeerBytesPerSecond() > 0 ? String.valueOf(h.linkPeerBytesPerSecond() / 1e9) : "");
        row.add(e.decodeComputeEff() != null && e.decodeComputeEff() > 0 ? String.valueOf(e.decodeComputeEff()) : "");
        row.add(e.decodeMemEff() != null && e.decodeMemEff() > 0 ? String.valueOf(e.decodeMemEff()) : "");
        row.add(h.memory());
        row.add(cell(e.contextSeconds(), 1e9));
        row.add(cell(e.gqaSeconds(), 1e9));
        cw.writeRow(row);
      }
      cw.close();
    }
    life.io.Commit.publish(file);
  }

  /** A value in a file's unit, empty when not given. */
  private static String cell(Double v, double scale) {
    return v == null ? "" : String.valueOf(v * scale);
  }

  /** The devices of a user file, in file order. */
  public static Map<String, HardwareSpec> readFile(Path file) {
    Map<String, HardwareSpec> m = new LinkedHashMap<>();
    readEntries(file).forEach((k, e) -> m.put(k, e.spec()));
    return m;
  }

  /** The devices of a user file with the efficiencies it gives, in file order. */
  public static Map<String, Entry> readEntries(Path file) {
    return parse(file.toString(), InputFile.read("hardware file", file));
  }

  /**
   * A device by id, or by path to a file with one device row (a file with several rows must be added with
   * {@code --hardware-file} and the device named by id).
   */
  public HardwareSpec resolve(String idOrPath) {
    return resolveEntry(idOrPath).spec();
  }

  /** As {@link #resolve}, with the efficiencies the device's file gives. */
  public Entry resolveEntry(String idOrPath) {
    HardwareSpec h = devices.get(idOrPath);
    if (h != null) {
      return new Entry(h, fit(idOrPath));
    }
    if (idOrPath.endsWith(".csv") || idOrPath.contains("/")) {
      Map<String, Entry> m = readEntries(Path.of(idOrPath));
      if (m.size() != 1) {
        throw new InputException("hardware file " + idOrPath + " holds " + m.size()
            + " devices; add it with --hardware-file and pick one with --hardware ID (ids: "
            + String.join(", ", m.keySet()) + ")");
      }
      return m.values().iterator().next();
    }
    throw new InputException(Suggest.unknown("hardware id", idOrPath, devices.keySet()));
  }

  public Map<String, HardwareSpec> devices() {
    return devices;
  }

  private static Map<String, Entry> parse(String file, String text) {
    InputFile.Csv csv = InputFile.csv(file, text);
    for (String col : COLUMNS) {
      if (!csv.has(col)) {
        throw new InputException(file + ": missing column '" + col + "' (required: " + String.join(",", COLUMNS)
            + ")");
      }
    }
    Map<String, Entry> out = new LinkedHashMap<>();
    int line = 1;
    for (Record r : csv.rows()) {
      line++;
      Entry h = row(file, line, r);
      if (out.put(h.spec().id(), h) != null) {
        throw new InputException(file + " row " + line + ": duplicate id " + quote(h.spec().id()));
      }
    }
    return out;
  }

  private static Entry row(String file, int line, Record r) {
    String where = file + " row " + line;
    String id = text(r, "id");
    if (id.isEmpty()) {
      throw new InputException(where + ": column 'id' is empty");
    }
    where = where + " (" + clip(id) + ")";
    DeviceKind kind;
    try {
      kind = DeviceKind.parse(text(r, "kind"));
    } catch (IllegalArgumentException e) {
      throw new InputException(where + ": column 'kind': " + e.getMessage());
    }
    Map<DType, Double> peaks = new EnumMap<>(DType.class);
    for (DType d : DType.values()) {
      OptionalDouble v = number(where, r, d.peakColumn(), false);
      if (v.isPresent()) {
        peaks.put(d, v.getAsDouble() * 1e12);
      }
    }
    double bw = number(where, r, "mem_bw_gbps", false).orElse(0) * 1e9;
    double mem = number(where, r, "mem_gib", false).orElse(0) * HardwareSpec.GIB;
    OptionalDouble ce = fraction(where, r, "compute_eff");
    OptionalDouble me = fraction(where, r, "mem_eff");
    OptionalDouble dispatch = number(where, r, "dispatch_us", true);
    Double sequence = optional(where, r, "sequence_us", true, 1e-6);
    Double step = optional(where, r, "step_us", true, 1e-6);
    Double context = optional(where, r, "context_ns", true, 1e-9);
    Double gqa = optional(where, r, "gqa_ns", true, 1e-9);
    String name = text(r, "name");
    double link = optionalNumber(where, r, "link_gbps", false) * 1e9;
    double peer = optionalNumber(where, r, "link_peer_gbps", false) * 1e9;
    Double dce = optional(where, r, "decode_compute_eff", false, 1);
    Double dme = optional(where, r, "decode_mem_eff", false, 1);
    if ((dce != null && dce > 1) || (dme != null && dme > 1)) {
      throw new InputException(where + ": columns 'decode_compute_eff' and 'decode_mem_eff' are fractions of peak "
          + "in (0, 1], got " + (dce != null && dce > 1 ? dce : dme));
    }
    String source = text(r, "source");
    HardwareSpec spec = new HardwareSpec(id, name.isEmpty() ? id : name, kind, peaks, bw, mem, link, peer,
        number(where, r, "tdp_w", false), number(where, r, "price_usd", false), source, memory(where, r));
    boolean calibrated = source.startsWith(HardwareSpec.CALIBRATED);
    Efficiencies.Overrides fit = new Efficiencies.Overrides(boxed(ce, 1), boxed(me, 1), dce, dme,
        boxed(dispatch, 1e-6), sequence, step, context, gqa, calibrated, (calibrated ? "profile:" : "file:") + id);
    return new Entry(spec, fit.empty() && !calibrated ? Efficiencies.Overrides.NONE : fit);
  }

  private static Double boxed(OptionalDouble v, double scale) {
    return v.isPresent() ? v.getAsDouble() * scale : null;
  }

  /** A column older files may lack: its value times {@code scale}, or null when the column or the cell is empty. */
  private static Double optional(String where, Record r, String col, boolean zeroAllowed, double scale) {
    String[] h = r.getMetaData().headers();
    boolean present = h != null && java.util.Arrays.asList(h).contains(col);
    return present ? boxed(number(where, r, col, zeroAllowed), scale) : null;
  }

  /** The optional {@code memory} column: a technology of {@link HardwareSpec#MEMORY}, or empty. */
  private static String memory(String where, Record r) {
    String[] h = r.getMetaData().headers();
    if (h == null || !java.util.Arrays.asList(h).contains("memory")) {
      return "";
    }
    String v = text(r, "memory").toLowerCase(java.util.Locale.ROOT);
    if (!v.isEmpty() && !HardwareSpec.MEMORY.contains(v)) {
      throw new InputException(where + ": column 'memory' is " + quote(v) + " (allowed: empty, "
          + String.join(", ", HardwareSpec.MEMORY) + ")");
    }
    return v;
  }

  /** A column older files may lack: its number, or 0 when the column or the cell is empty. */
  private static double optionalNumber(String where, Record r, String col, boolean zeroAllowed) {
    String[] h = r.getMetaData().headers();
    boolean present = h != null && java.util.Arrays.asList(h).contains(col);
    return present ? number(where, r, col, zeroAllowed).orElse(0) : 0;
  }

  private static String text(Record r, String col) {
    String v = r.getString(col);
    return v == null ? "" : v.trim();
  }

  private static OptionalDouble number(String where, Record r, String col, boolean zeroAllowed) {
    String v = text(r, col);
    if (v.isEmpty()) {
      return OptionalDouble.empty();
    }
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new InputException(where + ": column '" + col + "' is not a number: " + quote(v));
    }
    if (!(d > 0 || (zeroAllowed && d == 0)) || !Double.isFinite(d)) {
      throw new InputException(where + ": column '" + col + "' must be " + (zeroAllowed ? "non-negative" : "positive")
          + " (or empty), got " + quote(v));
    }
    return OptionalDouble.of(d);
  }

  private static OptionalDouble fraction(String where, Record r, String col) {
    OptionalDouble v = number(where, r, col, false);
    if (v.isPresent() && v.getAsDouble() > 1) {
      throw new InputException(where + ": column '" + col + "' is a fraction of peak in (0, 1], got "
          + v.getAsDouble());
    }
    return v;
  }
}
