package life.catalog;

import com.univocity.parsers.common.record.Record;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import life.spec.DType;
import life.spec.DeviceKind;
import life.spec.HardwareSpec;

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

  private HardwareCatalog(Map<String, HardwareSpec> devices) {
    this.devices = Collections.unmodifiableMap(devices);
  }

  /** The built-in catalog. */
  public static HardwareCatalog builtIn() {
    try (InputStream in = HardwareCatalog.class.getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new CatalogException("built-in hardware catalog " + BUILT_IN + " is missing from the jar");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new HardwareCatalog(parse("hardware.csv (built-in)", new StringReader(text)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** This catalog with the devices of {@code file} added (same id: the file's row wins). */
  public HardwareCatalog with(Path file) {
    Map<String, HardwareSpec> m = new LinkedHashMap<>(devices);
    m.putAll(readFile(file));
    return new HardwareCatalog(m);
  }

  /** This catalog with {@code device} added or replacing the device of the same id. */
  public HardwareCatalog withDevice(HardwareSpec device) {
    Map<String, HardwareSpec> m = new LinkedHashMap<>(devices);
    m.put(device.id(), device);
    return new HardwareCatalog(m);
  }

  /** Writes {@code devices} as a hardware file (this catalog's schema), e.g. a calibrated profile. */
  public static void write(java.util.List<HardwareSpec> devices, Path file) throws IOException {
    com.univocity.parsers.csv.CsvWriterSettings ws = new com.univocity.parsers.csv.CsvWriterSettings();
    ws.getFormat().setLineSeparator("\n");
    ws.setQuoteEscapingEnabled(true);
    try (java.io.Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
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
      for (HardwareSpec h : devices) {
        java.util.List<Object> row = new java.util.ArrayList<>();
        row.add(h.id());
        row.add(h.name());
        row.add(h.kind().id());
        for (DType d : DType.values()) {
          row.add(h.peak(d).isPresent() ? String.valueOf(h.peak(d).getAsDouble() / 1e12) : "");
        }
        row.add(String.valueOf(h.memBytesPerSecond() / 1e9));
        row.add(String.valueOf(h.memBytes() / HardwareSpec.GIB));
        row.add(String.valueOf(h.computeEff()));
        row.add(String.valueOf(h.memEff()));
        row.add(String.valueOf(h.dispatchSeconds() * 1e6));
        row.add(h.tdpW().isPresent() ? String.valueOf(h.tdpW().getAsDouble()) : "");
        row.add(h.priceUsd().isPresent() ? String.valueOf(h.priceUsd().getAsDouble()) : "");
        row.add(h.source());
        row.add(String.valueOf(h.sequenceSeconds() * 1e6));
        row.add(String.valueOf(h.stepSeconds() * 1e6));
        row.add(h.linkBytesPerSecond() > 0 ? String.valueOf(h.linkBytesPerSecond() / 1e9) : "");
        row.add(h.linkPeerBytesPerSecond() > 0 ? String.valueOf(h.linkPeerBytesPerSecond() / 1e9) : "");
        row.add(h.decodeComputeEff() > 0 ? String.valueOf(h.decodeComputeEff()) : "");
        row.add(h.decodeMemEff() > 0 ? String.valueOf(h.decodeMemEff()) : "");
        row.add(h.memory());
        row.add(String.valueOf(h.contextSeconds() * 1e9));
        row.add(String.valueOf(h.gqaSeconds() * 1e9));
        cw.writeRow(row);
      }
      cw.close();
    }
  }

  /** The devices of a user file, in file order. */
  public static Map<String, HardwareSpec> readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CatalogException("hardware file " + file + " does not exist");
    }
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(file.toString(), r);
    } catch (IOException e) {
      throw new CatalogException("hardware file " + file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * A device by id, or by path to a file with one device row (a file with several rows must be added with
   * {@code --hardware-file} and the device named by id).
   */
  public HardwareSpec resolve(String idOrPath) {
    HardwareSpec h = devices.get(idOrPath);
    if (h != null) {
      return h;
    }
    if (idOrPath.endsWith(".csv") || idOrPath.contains("/")) {
      Map<String, HardwareSpec> m = readFile(Path.of(idOrPath));
      if (m.size() != 1) {
        throw new CatalogException("hardware file " + idOrPath + " holds " + m.size()
            + " devices; add it with --hardware-file and pick one with --hardware ID (ids: "
            + String.join(", ", m.keySet()) + ")");
      }
      return m.values().iterator().next();
    }
    throw new CatalogException(Suggest.unknown("hardware id", idOrPath, devices.keySet()));
  }

  public Map<String, HardwareSpec> devices() {
    return devices;
  }

  private static Map<String, HardwareSpec> parse(String file, Reader reader) {
    CsvParserSettings s = new CsvParserSettings();
    s.setHeaderExtractionEnabled(true);
    s.setLineSeparatorDetectionEnabled(true);
    s.setMaxCharsPerColumn(100_000);
    s.setSkipEmptyLines(true);
    CsvParser p = new CsvParser(s);
    List<Record> records = p.parseAllRecords(reader);
    String[] header = p.getRecordMetadata() == null ? new String[0] : p.getRecordMetadata().headers();
    List<String> have = header == null ? List.of() : Arrays.stream(header).map(String::trim).toList();
    for (String col : COLUMNS) {
      if (!have.contains(col)) {
        throw new CatalogException(file + ": missing column '" + col + "' (required: " + String.join(",", COLUMNS)
            + ")");
      }
    }
    Map<String, HardwareSpec> out = new LinkedHashMap<>();
    int line = 1;
    for (Record r : records) {
      line++;
      HardwareSpec h = row(file, line, r);
      if (out.put(h.id(), h) != null) {
        throw new CatalogException(file + " row " + line + ": duplicate id '" + h.id() + "'");
      }
    }
    return out;
  }

  private static HardwareSpec row(String file, int line, Record r) {
    String where = file + " row " + line;
    String id = text(r, "id");
    if (id.isEmpty()) {
      throw new CatalogException(where + ": column 'id' is empty");
    }
    where = where + " (" + id + ")";
    DeviceKind kind;
    try {
      kind = DeviceKind.parse(text(r, "kind"));
    } catch (IllegalArgumentException e) {
      throw new CatalogException(where + ": column 'kind': " + e.getMessage());
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
    double ce = fraction(where, r, "compute_eff").orElse(kind.defaultComputeEff());
    double me = fraction(where, r, "mem_eff").orElse(kind.defaultMemEff());
    double dispatch = number(where, r, "dispatch_us", true).orElse(kind.defaultDispatchUs()) * 1e-6;
    double sequence = optionalNumber(where, r, "sequence_us", true) * 1e-6;
    double step = optionalNumber(where, r, "step_us", true) * 1e-6;
    double context = optionalNumber(where, r, "context_ns", true) * 1e-9;
    double gqa = optionalNumber(where, r, "gqa_ns", true) * 1e-9;
    String name = text(r, "name");
    double link = optionalNumber(where, r, "link_gbps", false) * 1e9;
    double peer = optionalNumber(where, r, "link_peer_gbps", false) * 1e9;
    double dce = optionalNumber(where, r, "decode_compute_eff", false);
    double dme = optionalNumber(where, r, "decode_mem_eff", false);
    if (dce > 1 || dme > 1) {
      throw new CatalogException(where + ": columns 'decode_compute_eff' and 'decode_mem_eff' are fractions of peak "
          + "in (0, 1], got " + (dce > 1 ? dce : dme));
    }
    return new HardwareSpec(id, name.isEmpty() ? id : name, kind, peaks, bw, mem, ce, me, dce, dme, dispatch, sequence,
        step, context, gqa, link, peer,
        number(where, r, "tdp_w", false), number(where, r, "price_usd", false), text(r, "source"), memory(where, r));
  }

  /** The optional {@code memory} column: a technology of {@link HardwareSpec#MEMORY}, or empty. */
  private static String memory(String where, Record r) {
    String[] h = r.getMetaData().headers();
    if (h == null || !java.util.Arrays.asList(h).contains("memory")) {
      return "";
    }
    String v = text(r, "memory").toLowerCase(java.util.Locale.ROOT);
    if (!v.isEmpty() && !HardwareSpec.MEMORY.contains(v)) {
      throw new CatalogException(where + ": column 'memory' is '" + v + "' (allowed: empty, "
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
      throw new CatalogException(where + ": column '" + col + "' is not a number: '" + v + "'");
    }
    if (!(d > 0 || (zeroAllowed && d == 0)) || !Double.isFinite(d)) {
      throw new CatalogException(where + ": column '" + col + "' must be " + (zeroAllowed ? "non-negative" : "positive")
          + " (or empty), got " + v);
    }
    return OptionalDouble.of(d);
  }

  private static OptionalDouble fraction(String where, Record r, String col) {
    OptionalDouble v = number(where, r, col, false);
    if (v.isPresent() && v.getAsDouble() > 1) {
      throw new CatalogException(where + ": column '" + col + "' is a fraction of peak in (0, 1], got "
          + v.getAsDouble());
    }
    return v;
  }
}
