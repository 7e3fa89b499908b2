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
    char[] buf = new char[32];
    int n = writeShort(v, digits, buf);
    if (n < 0) {
      return false;
    }
    out.append(buf, 0, n);
    return true;
  }

  /**
   * Writes what {@link #appendShort} appends into {@code buf} (at least 32 chars) and returns its length, or -1 for a
   * value with more than {@code digits} significant digits (at most 9: the digits are handled as an {@code int}).
   */
  public static int writeShort(double v, int digits, char[] buf) {
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
    // v = m · 10^-k: the digits of m, most significant first, without trailing zeros.
    char[] d = new char[10];
    int n = 0;
    boolean significant = false;
    for (int x = m; x > 0; ) {
      int q = div10(x);
      int digit = x - 10 * q;
      x = q;
      if (digit == 0 && !significant) {
        k--;
        continue;
      }
      significant = true;
      d[9 - n++] = (char) ('0' + digit);
    }
    int from = 10 - n;
    int p = 0;
    if (v < 0) {
      buf[p++] = '-';
    }
    if (e >= -3 && e < 7) {
      int point = n - k; // digits before the decimal point
      if (k <= 0) {
        System.arraycopy(d, from, buf, p, n);
        p += n;
        for (int i = 0; i < -k; i++) {
          buf[p++] = '0';
        }
        buf[p++] = '.';
        buf[p++] = '0';
      } else if (point > 0) {
        System.arraycopy(d, from, buf, p, point);
        p += point;
        buf[p++] = '.';
        System.arraycopy(d, from + point, buf, p, n - point);
        p += n - point;
      } else {
        buf[p++] = '0';
        buf[p++] = '.';
        for (int i = 0; i < -point; i++) {
          buf[p++] = '0';
        }
        System.arraycopy(d, from, buf, p, n);
        p += n;
      }
    } else {
      buf[p++] = d[from];
      buf[p++] = '.';
      if (n > 1) {
        System.arraycopy(d, from + 1, buf, p, n - 1);
        p += n - 1;
      } else {
        buf[p++] = '0';
      }
      buf[p++] = 'E';
      if (e < 0) {
        buf[p++] = '-';
      }
      int ae = Math.abs(e);
      if (ae >= 100) {
        buf[p++] = (char) ('0' + ae / 100);
      }
      if (ae >= 10) {
        buf[p++] = (char) ('0' + ae / 10 % 10);
      }
      buf[p++] = (char) ('0' + ae % 10);
    }
    return p;
  }

  /** x / 10 for 0 ≤ x < 2³¹, by multiplication (exact for every such x). */
  private static int div10(int x) {
    return (int) ((x * 0xCCCCCCCDL) >>> 35);
  }

  /** floor(log10(a)) for a > 0, by comparison with exact powers of ten where they exist. */
  private static int exponent(double a) {
    if (a >= 1 && a < 1e22) {
      int e = 0;
      while (e + 1 < POW10.length && a >= POW10[e + 1]) {
        e++;
      }
      return e;
    }
    if (a < 1 && a >= 1e-22) {
      int e = -1;
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
    int e = (int) Math.floor(Math.log10(a));
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
