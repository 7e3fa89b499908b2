package life.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

final class ClosedFormTest {
  static Stream<long[]> seeds() {
    return Stream.of(new long[] {1}, new long[] {2}, new long[] {3}, new long[] {4}, new long[] {5});
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void sumMax_equalsBruteForceSum(long[] seed) {
    Random r = new Random(12345 + seed[0]);
    for (int k = 0; k < 2000; k++) {
      double a = r.nextDouble() * 10 - 5;
      double b = r.nextDouble() * 2 - 1;
      double c = r.nextDouble() * 10 - 5;
      double d = r.nextInt(4) == 0 ? b : r.nextDouble() * 2 - 1;
      long n = 1 + r.nextInt(60);
      double brute = 0;
      for (long q = 0; q < n; q++) {
        brute += Math.max(a + b * q, c + d * q);
      }
      assertEquals(brute, Forecaster.sumMax(a, b, c, d, n), 1e-9 * (1 + Math.abs(brute)));
    }
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void linear_equalsBruteForceSum(long[] seed) {
    Random r = new Random(seed[0]);
    double x = r.nextDouble();
    double y = r.nextDouble();
    long n = 1 + r.nextInt(1000);
    double brute = 0;
    for (long q = 0; q < n; q++) {
      brute += x + y * q;
    }
    assertEquals(brute, Forecaster.linear(x, y, n), 1e-9 * brute);
  }
}
