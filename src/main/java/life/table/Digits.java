package life.table;

/**
 * Rounding of result values to a fixed number of significant digits, so that result tables carry what a forecast
 * can mean (its uncertainty is percents, not 10⁻¹⁶) and CSV cells stay short. The rounded value is the double nearest
 * to the decimal {@code m · 10^k}: the integer {@code m} is exact, and one IEEE multiplication or division by an
 * exact power of ten rounds correctly, so CSV (shortest digits) and Parquet (the double) hold the same number.
 */
public final class Digits {
  private static final double[] POW10 = new double[23];

  static {
    double p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  private Digits() {}

  /**
   * Appends {@code v} as its shortest exact decimal if it has at most {@code digits} significant digits (a value made
   * by {@link #round}), and returns true; returns false, appending nothing, for any other value. Plain notation for
   * 10⁻³ ≤ |v| < 10⁷, else {@code d.dddE±x}, and integers end in {@code .0}, as {@link Double#toString} writes them.
   */
  public static boolean appendShort(double v, int digits, StringBuilder out) {
    byte[] buf = new byte[32];
    int n = writeShort(v, digits, buf, 0);
    if (n < 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      out.append((char) buf[i]);
    }
    return true;
  }

  /**
   * Writes what {@link #appendShort} appends, as ASCII bytes, into {@code buf} from {@code off} (at least 25 bytes
   * free) and returns its length, or -1 for a value with more than {@code digits} significant digits (at most 9: the
   * digits are handled as an {@code int}).
   */
  public static int writeShort(double v, int digits, byte[] buf, int off) {
    if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
      return -1;
    }
    double a = Math.abs(v);
    int e = exponent(a);
    int k = digits - 1 - e;
    if (k >= POW10.length || -k >= POW10.length) {
      return -1;
    }
    double mm = k >= 0 ? Math.rint(a * POW10[k]) : Math.rint(a / POW10[-k]);
    // The value has at most `digits` significant digits iff it is the double nearest m · 10^-k (as round() makes it).
    if ((k >= 0 ? mm / POW10[k] : mm * POW10[-k]) != a) {
      return -1;
    }
    if (digits > 9) {
      return -1;
    }
    int m = (int) mm;
    if (m >= (int) POW10[digits]) {
      m = div10(m);
      k--;
      e++;
    }
    // v = m · 10^-k with m's trailing zeros dropped; n digits.
    for (int q = div10(m); m == 10 * q; q = div10(m)) {
      m = q;
      k--;
    }
    int n = 1;
    while (n < 10 && m >= (int) POW10[n]) {
      n++;
    }
    int p = off;
    if (v < 0) {
      buf[p++] = '-';
    }
    if (e >= -3 && e < 7) {
      int point = n - k; // digits before the decimal point
      if (k <= 0) {
        p = digits(m, n, buf, p);
        for (int i = 0; i < -k; i++) {
          buf[p++] = '0';
        }
        buf[p++] = '.';
        buf[p++] = '0';
      } else if (point > 0) {
        int end = p + n + 1;
        int x = m;
        for (int i = end - 1; i > p + point; i--) {
          int q = div10(x);
          buf[i] = (byte) ('0' + x - 10 * q);
          x = q;
        }
        buf[p + point] = '.';
        digits(x, point, buf, p);
        p = end;
      } else {
        buf[p++] = '0';
        buf[p++] = '.';
        for (int i = 0; i < -point; i++) {
          buf[p++] = '0';
        }
        p = digits(m, n, buf, p);
      }
    } else {
      int x = m;
      // d.ddd: the fraction digits, last first, then the leading digit.
      for (int i = p + n; i > p + 1; i--) {
        int q = div10(x);
        buf[i] = (byte) ('0' + x - 10 * q);
        x = q;
      }
      buf[p] = (byte) ('0' + x);
      buf[p + 1] = '.';
      if (n > 1) {
        p += n + 1;
      } else {
        buf[p + 2] = '0';
        p += 3;
      }
      buf[p++] = 'E';
      if (e < 0) {
        buf[p++] = '-';
      }
      int ae = Math.abs(e);
      if (ae >= 100) {
        buf[p++] = (byte) ('0' + ae / 100);
      }
      if (ae >= 10) {
        buf[p++] = (byte) ('0' + ae / 10 % 10);
      }
      buf[p++] = (byte) ('0' + ae % 10);
    }
    return p - off;
  }

  /** Writes the {@code n} decimal digits of {@code x} (0 ≤ x < 10ⁿ) at {@code buf[p…p+n)}; returns p + n. */
  static int digits(int x, int n, byte[] buf, int p) {
    for (int i = p + n - 1; i >= p; i--) {
      int q = div10(x);
      buf[i] = (byte) ('0' + x - 10 * q);
      x = q;
    }
    return p + n;
  }

  /** x / 10 for 0 ≤ x < 2³¹, by multiplication (exact for every such x). */
  private static int div10(int x) {
    return (int) ((x * 0xCCCCCCCDL) >>> 35);
  }

  /**
   * floor(log10(a)) for finite a > 0: a first guess from the binary exponent (log10 2 ≈ 0.30103), corrected by
   * comparison with powers of ten (10⁻²² … 10²²), else floor(log10(a)). Right next to a power of ten it can be one
   * off (the comparison rounds); {@link #writeShort} corrects a low one and declines a value after a high one.
   */
  static int exponent(double a) {
    int guess = (int) Math.floor(Math.getExponent(a) * 0.30102999566398120);
    if (a >= 1 && a < 1e22) {
      int e = Math.max(0, Math.min(guess, POW10.length - 1));
      while (e + 1 < POW10.length && a >= POW10[e + 1]) {
        e++;
      }
      while (e > 0 && a < POW10[e]) {
        e--;
      }
      return e;
    }
    if (a < 1 && a >= 1e-22) {
      // The largest e <= -1 with a · 10^-e >= 1.
      int e = Math.min(-1, Math.max(guess, 1 - POW10.length));
      while (e < -1 && a * POW10[-(e + 1)] >= 1) {
        e++;
      }
      while (-e < POW10.length && a * POW10[-e] < 1) {
        e--;
      }
      return e;
    }
    return (int) Math.floor(Math.log10(a));
  }

  /** {@code v} rounded to {@code digits} significant digits (1 … 15); NaN, infinities and 0 unchanged. */
  public static double round(double v, int digits) {
    if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    double a = Math.abs(v);
    int e = exponent(a);
    int k = digits - 1 - e;
    double m;
    double r;
    if (k >= 0) {
      if (k >= POW10.length) {
        return v;
      }
      m = Math.rint(a * POW10[k]);
      r = m / POW10[k];
    } else {
      if (-k >= POW10.length) {
        return v;
      }
      m = Math.rint(a / POW10[-k]);
      r = m * POW10[-k];
    }
    return Math.copySign(r, v);
  }
}
