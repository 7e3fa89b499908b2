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
 * time over the leave-one-source-out forecasts of one stack (or engine, or all) and phase, so a forecast time
 * {@code T} has the 80 % interval {@code [T·lo, T·hi]} and a rate {@code R} the interval {@code [R/hi, R/lo]}.
 * Written by {@code life calibrate --backends}.
 */
public final class Intervals {
  /** What a metric times: the prompt, the decode steps, or a whole request (both). */
  public enum Phase {
    PREFILL, DECODE, REQUEST;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Phase parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  /**
   * One band: {@code stack} is {@code engine/api}, {@code engine/*} or {@code *}; {@code rows} the held-out rows it
   * was measured on; {@code lo} and {@code hi} the 10th and 90th percentile of measured / forecast time.
   */
  public record Band(String stack, Phase phase, int rows, double lo, double hi) {
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
   * The band of {@code stackName} ({@code engine/api}) in {@code phase} from {@code bands}: its own, else its
   * engine's, else the one over every stack; null when there is none.
   */
  public static Band of(List<Band> bands, String stackName, Phase phase) {
    String engine = stackName.contains("/") ? stackName.substring(0, stackName.indexOf('/')) + "/*" : stackName;
    for (String k : new String[] {stackName, engine, "*"}) {
      for (Band b : bands) {
        if (b.phase() == phase && b.stack().equals(k)) {
          return b;
        }
      }
    }
    return null;
  }

  /** The shipped band of {@code stackName} in {@code phase}, or null. */
  public static Band of(String stackName, Phase phase) {
    return of(BANDS, stackName, phase);
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
        out.add(new Band(r.getString("stack"), Phase.parse(r.getString("phase")), r.getInt("rows"),
            r.getDouble("lo"), r.getDouble("hi")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(out);
  }
}
