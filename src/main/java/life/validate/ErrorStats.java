package life.validate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * Error summaries of validation outcomes: MAPE, median and max absolute percentage error, and the median signed error
 * (the bias: below 0 the forecasts are too low), overall and by key.
 */
public record ErrorStats(long rows, double mapePct, double medianAbsPct, double maxAbsPct, double medianSignedPct) {
  public static ErrorStats of(List<Validator.Outcome> outcomes) {
    DescriptiveStatistics d = new DescriptiveStatistics();
    DescriptiveStatistics signed = new DescriptiveStatistics();
    for (Validator.Outcome o : outcomes) {
      if (o.supported()) {
        d.addValue(Math.abs(o.errorPct()));
        signed.addValue(o.errorPct());
      }
    }
    boolean none = d.getN() == 0;
    return new ErrorStats(d.getN(), none ? Double.NaN : d.getMean(), none ? Double.NaN : d.getPercentile(50),
        none ? Double.NaN : d.getMax(), none ? Double.NaN : signed.getPercentile(50));
  }

  /** Stats per key of the supported outcomes, keys sorted. */
  public static Map<String, ErrorStats> by(List<Validator.Outcome> outcomes,
      Function<Measurement, String> key) {
    Map<String, List<Validator.Outcome>> groups = new TreeMap<>();
    for (Validator.Outcome o : outcomes) {
      if (o.supported()) {
        groups.computeIfAbsent(key.apply(o.m()), k -> new ArrayList<>()).add(o);
      }
    }
    Map<String, ErrorStats> out = new LinkedHashMap<>();
    groups.forEach((k, v) -> out.put(k, of(v)));
    return out;
  }
}
