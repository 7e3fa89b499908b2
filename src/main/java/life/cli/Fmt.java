package life.cli;

import java.math.BigDecimal;
import java.math.MathContext;

/** Locale-independent number formatting for terminal tables (machine formats print full precision). */
final class Fmt {
  private Fmt() {}

  /** Four significant digits, plain notation, never the default locale's decimal comma. */
  static String num(Object v) {
    if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        return d.toString();
      }
      if (d == 0) {
        return "0";
      }
      return new BigDecimal(d).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
    return String.valueOf(v);
  }
}
