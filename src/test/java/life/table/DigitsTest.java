package life.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class DigitsTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"20450.396413050978, 20450.4", "0.00439453125, 0.00439453", "-1234567.89, -1234570.0", "12345678.9, 1.23457E7", "0.000123456789, 1.23457E-4",
      "999999.7, 1000000.0", "1.25e-9, 1.25E-9", "6.02214076e23, 6.02214E23", "611, 611.0", "0.1, 0.1",
      "1e-6, 1.0E-6", "123456789012345.6, 1.23457E14"})
  void round6_thenShortText(double v, String expected) {
    double r = Digits.round(v, 6);
    StringBuilder sb = new StringBuilder();
    assertTrue(Digits.appendShort(r, 6, sb));
    assertEquals(expected, sb.toString());
    assertEquals(r, Double.parseDouble(sb.toString()), 0, "the text is the same double");
  }

  /** For any value rounded to 6 digits, the fast text parses back to the very same double. */
  @Test
  void appendShort_roundTripsExactly() {
    Random rnd = new Random(12345);
    for (int i = 0; i < 200_000; i++) {
      double v = Math.pow(10, rnd.nextDouble() * 36 - 16) * (rnd.nextBoolean() ? 1 : -1);
      double r = Digits.round(v, 6);
      StringBuilder sb = new StringBuilder();
      assertTrue(Digits.appendShort(r, 6, sb), () -> "value " + r);
      assertEquals(r, Double.parseDouble(sb.toString()), 0, sb::toString);
      assertEquals(r, v, Math.abs(v) * 5e-6, "rounding moves a value by at most half a unit in the 6th digit");
    }
  }

  @Test
  void appendShort_declinesLongValues() {
    assertFalse(Digits.appendShort(Math.PI, 6, new StringBuilder()));
    assertFalse(Digits.appendShort(Double.NaN, 6, new StringBuilder()));
  }

  /** The decimal exponent matches the exact one (BigDecimal) across the double range, and the decimal at powers of ten. */
  @Test
  void exponent_isFloorOfLog10() {
    Random rnd = new Random(99);
    for (int i = 0; i < 200_000; i++) {
      double a = Math.pow(10, rnd.nextDouble() * 600 - 300);
      java.math.BigDecimal x = new java.math.BigDecimal(a);
      int exact = x.precision() - x.scale() - 1;
      double nearest = Math.pow(10, Math.rint(Math.log10(a)));
      if (Math.abs(a / nearest - 1) > 1e-12) {
        assertEquals(exact, Digits.exponent(a), () -> "value " + a);
      }
    }
    // Next to a power of ten the exponent may be one low (1e-21 · 10²¹ rounds below 1); the text is still right.
    for (int k = -16; k <= 16; k++) {
      double p = Double.parseDouble("1e" + k);
      for (double a : new double[] {p, Math.nextUp(p), Math.nextDown(p)}) {
        int e = Digits.exponent(a);
        java.math.BigDecimal x = new java.math.BigDecimal(a);
        int exact = x.precision() - x.scale() - 1;
        assertTrue(e == exact || e == exact - 1 || e == exact + 1, () -> "value " + a);
      }
      StringBuilder sb = new StringBuilder();
      assertTrue(Digits.appendShort(p, 6, sb), "1e" + k);
      assertEquals(Double.toString(p), sb.toString(), "1e" + k);
    }
  }
}
