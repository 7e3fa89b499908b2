package life.sweep;

import java.util.List;

/**
 * The lazy Cartesian grid of a sweep: job {@code i} ↔ its coordinates by mixed-radix decoding, the first declared
 * axis varying slowest. Nothing proportional to the number of points is ever held.
 */
public final class Plan {
  private final int[] radix;
  private final long points;

  public Plan(SweepSpec spec) {
    List<SweepSpec.Axis> axes = spec.axes();
    radix = new int[axes.size()];
    for (int i = 0; i < radix.length; i++) {
      radix[i] = axes.get(i).values().size();
    }
    points = spec.points();
  }

  public long points() {
    return points;
  }

  public int axes() {
    return radix.length;
  }

  /** Writes the coordinates (value index per axis) of job {@code index} into {@code coords}. */
  public void decode(long index, int[] coords) {
    if (index < 0 || index >= points) {
      throw new IndexOutOfBoundsException("job " + index + " of " + points);
    }
    long r = index;
    for (int a = radix.length - 1; a >= 0; a--) {
      coords[a] = (int) (r % radix[a]);
      r /= radix[a];
    }
  }

  /** Advances {@code coords} to the next job's coordinates (an odometer: the last axis turns fastest). */
  public void next(int[] coords) {
    for (int a = radix.length - 1; a >= 0; a--) {
      if (++coords[a] < radix[a]) {
        return;
      }
      coords[a] = 0;
    }
  }

  /** The job index of {@code coords}: the inverse of {@link #decode}. */
  public long encode(int[] coords) {
    long i = 0;
    for (int a = 0; a < radix.length; a++) {
      i = i * radix[a] + coords[a];
    }
    return i;
  }
}
