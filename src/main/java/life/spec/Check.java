package life.spec;

/** Argument checks written in the positive form, so NaN fails too; messages name the field and the value. */
public final class Check {
  private Check() {}

  public static double positive(String field, double v) {
    if (v > 0 && Double.isFinite(v)) {
      return v;
    }
    throw new IllegalArgumentException(field + " must be a positive finite number, got " + v);
  }

  public static double nonNegative(String field, double v) {
    if (v >= 0 && Double.isFinite(v)) {
      return v;
    }
    throw new IllegalArgumentException(field + " must be a non-negative finite number, got " + v);
  }

  public static int positive(String field, int v) {
    if (v > 0) {
      return v;
    }
    throw new IllegalArgumentException(field + " must be positive, got " + v);
  }

  public static long positive(String field, long v) {
    if (v > 0) {
      return v;
    }
    throw new IllegalArgumentException(field + " must be positive, got " + v);
  }

  public static int nonNegative(String field, int v) {
    if (v >= 0) {
      return v;
    }
    throw new IllegalArgumentException(field + " must be non-negative, got " + v);
  }

  /** A fraction in (0, 1]. */
  public static double fraction(String field, double v) {
    if (v > 0 && v <= 1) {
      return v;
    }
    throw new IllegalArgumentException(field + " must be in (0, 1], got " + v);
  }
}
