package life.serving;

import com.univocity.parsers.common.record.Record;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import life.catalog.InputFile;
import life.spec.InputException;
import life.spec.Limits;

/**
 * A request trace: a CSV with columns {@code arrival_s} (seconds from the start, in order), {@code prompt_tokens} and
 * {@code output_tokens}, one row per request; other columns are ignored.
 */
public final class TraceFile {
  private TraceFile() {}

  /** The trace in {@code path}; a bad cell is a one-line error naming the file, row, column and allowed values. */
  public static Arrivals.Trace read(Path path) {
    String file = path.toString();
    InputFile.Csv csv = InputFile.csv(file, InputFile.read("trace file", path));
    for (String c : List.of("arrival_s", "prompt_tokens", "output_tokens")) {
      if (!csv.has(c)) {
        throw new InputException(file + ": missing column " + c + " (a trace has arrival_s, prompt_tokens, "
            + "output_tokens)");
      }
    }
    if (csv.rows().isEmpty()) {
      throw new InputException(file + ": no requests (a trace has a header row, then one row per request)");
    }
    if (csv.rows().size() > Workload.MAX_REQUESTS) {
      throw new InputException(file + ": more than " + Workload.MAX_REQUESTS + " requests");
    }
    List<Workload.Item> items = new ArrayList<>();
    double last = 0;
    int row = 2;
    for (Record r : csv.rows()) {
      String where = file + " row " + row;
      double at = number(where, r, "arrival_s");
      if (at < last) {
        throw new InputException(where + ": arrival_s " + at + " is before the previous row's " + last
            + " (rows must be in arrival order)");
      }
      long p = tokens(where, r, "prompt_tokens");
      long o = tokens(where, r, "output_tokens");
      items.add(new Workload.Item(items.size(), at, p, o));
      last = at;
      row++;
    }
    return new Arrivals.Trace(items);
  }

  private static double number(String where, Record r, String column) {
    String v = r.getString(column);
    try {
      double d = Double.parseDouble(v == null ? "" : v.trim());
      if (d >= 0 && d <= 1e9) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InputException(where + ": " + column + " must be a number of seconds from 0 to 1e9, got '"
        + InputException.escape(String.valueOf(v)) + "'");
  }

  private static long tokens(String where, Record r, String column) {
    String v = r.getString(column);
    try {
      long n = Long.parseLong(v == null ? "" : v.trim());
      if (n >= 1 && n <= Limits.MAX_TOKENS) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InputException(where + ": " + column + " must be a whole number of tokens from 1 to "
        + Limits.MAX_TOKENS + ", got '" + InputException.escape(String.valueOf(v)) + "'");
  }
}
