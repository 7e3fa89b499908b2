package life.stack;

import com.univocity.parsers.common.record.Record;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Forecast intervals ({@code catalog/intervals.csv}): how far measured times fell from forecast ones on data the
 * defaults were not fitted to. Each band holds the 10th and 90th percentile of the ratio measured time / forecast
 * time over the leave-one-source-out forecasts of one basis, stack (or engine, or all) and phase, so a forecast time
 * {@code T} has the 80 % interval {@code [T·lo, T·hi]} and a rate {@code R} the interval {@code [R/hi, R/lo]}. The
 * basis keeps apart forecasts whose stack had defaults fitted on other sources and forecasts that fell back to the
 * device kind's defaults: held out, the second miss by a whole stack's offset, which the first's spread does not
 * hold. Written by {@code life calibrate --backends}.
 */
public final class Intervals {
  /** What a metric times: the prompt, the decode steps, a whole request (both), or any of them. */
  public enum Phase {
    PREFILL, DECODE, REQUEST, ANY;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Phase parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  /**
   * What a forecast's efficiencies rest on: defaults of its stack fitted on published measurements (or a calibrated
   * profile), or the device kind's hand-set defaults where the stack has none for the device's kind.
   */
  public enum Basis {
    FITTED, KIND;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Basis parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }

    /** The basis of efficiencies of origin {@code origin} ({@link Efficiencies#origin}). */
    public static Basis of(String origin) {
      return origin.startsWith("kind:") ? KIND : FITTED;
    }
  }

  /**
   * One band: {@code stack} is {@code engine/api}, {@code engine/*} or {@code *}; {@code rows} the held-out rows it
   * was measured on; {@code lo} and {@code hi} the 10th and 90th percentile of measured / forecast time.
   */
  public record Band(Basis basis, String stack, Phase phase, int rows, double lo, double hi) {
    /** The 80 % interval of a forecast time. */
    public double[] time(double t) {
      return new double[] {t * lo, t * hi};
    }

    /** The 80 % interval of a forecast rate. */
    public double[] rate(double r) {
      return new double[] {r / hi, r / lo};
    }
  }

  /** Held-out rows a band needs, at least, to be kept: fewer say little about a 10th or 90th percentile. */
  public static final int MIN_ROWS = 30;

  private static final List<Band> BANDS = load("/catalog/intervals.csv");

  private Intervals() {}

  public static List<Band> all() {
    return BANDS;
  }

  /**
   * The band of a forecast on {@code basis} for {@code stackName} ({@code engine/api}) in {@code phase} from
   * {@code bands}: of its stack, else its engine, else every stack, in its phase; then the same in any phase; null
   * when there is none of its basis.
   */
  public static Band of(List<Band> bands, Basis basis, String stackName, Phase phase) {
    String engine = stackName.contains("/") ? stackName.substring(0, stackName.indexOf('/')) + "/*" : stackName;
    for (Phase p : new Phase[] {phase, Phase.ANY}) {
      for (String k : new String[] {stackName, engine, "*"}) {
        for (Band b : bands) {
          if (b.basis() == basis && b.phase() == p && b.stack().equals(k)) {
            return b;
          }
        }
      }
    }
    return null;
  }

  /**
   * Forecast columns that get an interval, each with the phase it times, in output order: after a column {@code NAME}
   * come {@code NAME_lo} and {@code NAME_hi}.
   */
  public static final java.util.Map<String, Phase> COLUMNS = orderedColumns();

  private static java.util.Map<String, Phase> orderedColumns() {
    java.util.Map<String, Phase> m = new java.util.LinkedHashMap<>();
    m.put("ttft_ms", Phase.PREFILL);
    m.put("tpot_ms", Phase.DECODE);
    m.put("tps", Phase.DECODE);
    m.put("throughput_tps", Phase.REQUEST);
    m.put("e2e_ms", Phase.REQUEST);
    m.put("prefill_tps", Phase.PREFILL);
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * The 80 % interval of forecast column {@code column} ({@link #COLUMNS}) at {@code value} under band {@code b}: a
   * time's {@code [v·lo, v·hi]} ({@code _ms} columns), a rate's {@code [v/hi, v/lo]}; NaNs without a band.
   */
  public static double[] interval(String column, double value, Band b) {
    if (b == null || !Double.isFinite(value)) {
      return new double[] {Double.NaN, Double.NaN};
    }
    return column.endsWith("_ms") ? b.time(value) : b.rate(value);
  }

  /** The shipped band of a forecast on {@code basis} for {@code stackName} in {@code phase}, or null. */
  public static Band of(Basis basis, String stackName, Phase phase) {
    return of(BANDS, basis, stackName, phase);
  }

  private static List<Band> load(String resource) {
    List<Band> out = new ArrayList<>();
    try (InputStream in = Intervals.class.getResourceAsStream(resource)) {
      if (in == null) {
        return List.of();
      }
      CsvParserSettings s = new CsvParserSettings();
      s.setHeaderExtractionEnabled(true);
      for (Record r : new CsvParser(s).parseAllRecords(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        out.add(new Band(Basis.parse(r.getString("basis")), r.getString("stack"), Phase.parse(r.getString("phase")),
            r.getInt("rows"), r.getDouble("lo"), r.getDouble("hi")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(out);
  }
}
