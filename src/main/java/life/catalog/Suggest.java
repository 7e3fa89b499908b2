package life.catalog;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import life.spec.InputException;
import org.apache.commons.text.similarity.LevenshteinDistance;

/** "Did you mean" lists for unknown ids. */
final class Suggest {
  private Suggest() {}

  /** Up to five known ids closest to {@code wanted}: those containing it, then by edit distance. */
  static List<String> near(String wanted, Collection<String> known) {
    String w = wanted.toLowerCase(Locale.ROOT);
    LevenshteinDistance d = LevenshteinDistance.getDefaultInstance();
    return known.stream()
        .sorted(Comparator.<String>comparingInt(k -> k.contains(w) || w.contains(k) ? 0 : 1)
            .thenComparingInt(k -> d.apply(w, k))
            .thenComparing(k -> k))
        .limit(5)
        .collect(Collectors.toList());
  }

  static String unknown(String what, String wanted, Collection<String> known) {
    return "unknown " + what + " " + InputException.quote(wanted) + " (near matches: "
        + String.join(", ", near(wanted.length() > InputException.QUOTE_LIMIT
            ? wanted.substring(0, InputException.QUOTE_LIMIT) : wanted, known))
        + "; `life catalog " + what.replace(" id", "") + (what.startsWith("model") ? "s" : "")
        + "` lists all)";
  }
}
