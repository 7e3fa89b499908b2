package life.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ConstraintTest {
  private static double[] vars(double prompt, double output, double batch, double fits) {
    double[] v = new double[Vars.COUNT];
    Arrays.fill(v, Double.NaN);
    v[Vars.index("prompt")] = prompt;
    v[Vars.index("output")] = output;
    v[Vars.index("batch")] = batch;
    v[Vars.index("context")] = prompt + output;
    v[Vars.index("max_context")] = 4096;
    v[Vars.index("fits")] = fits;
    return v;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "prompt + output <= max_context; 1000; 96; 1; 1; true",
      "prompt + output <= max_context; 4000; 97; 1; 1; false",
      "batch * (prompt + output) <= 1_000_000; 1000; 1000; 500; 1; true",
      "batch * (prompt + output) <= 1_000_000; 1000; 1000; 501; 1; false",
      "fits; 1; 1; 1; 1; true",
      "fits; 1; 1; 1; 0; false",
      "not fits or batch >= 8; 1; 1; 8; 1; true",
      "fits and batch > 8; 1; 1; 8; 1; false",
      "-prompt + 2 * output == 0; 10; 5; 1; 1; true",
      "prompt / output != 2; 10; 5; 1; 1; false",
      "price_usd < 1000; 1; 1; 1; 1; false"})
  void constraint_evaluatesLikeArithmetic(String expr, double p, double o, double b, double fits, boolean expected) {
    assertEquals(expected, Constraint.parse(expr, 1).test(vars(p, o, b, fits)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {"fits; true", "prompt < 10; false", "ttft_ms < 100 and batch > 1; true"})
  void metricConstraints_areCheckedAfterForecasting(String expr, boolean after) {
    assertEquals(after, Constraint.parse(expr, 1).afterForecast());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {"promt < 5; unknown name 'promt'", "prompt <; ends too early",
      "(prompt < 5; missing ')'", "prompt $ 5; unexpected character", "prompt 5; unexpected '5'"})
  void badExpression_isNamed(String expr, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Constraint.parse(expr, 1));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
