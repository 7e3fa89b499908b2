package life.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import life.table.ColumnType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class ForecastTest {
  private static final RecordComponent[] COMPONENTS = Forecast.class.getRecordComponents();

  /** A valid forecast's components, every number 1. */
  private static Object[] valid() {
    return Arrays.stream(COMPONENTS).map(c -> c.getType() == String.class ? "x" : c.getType() == Bound.class
        ? Bound.MEMORY : c.getType() == boolean.class ? (Object) Boolean.TRUE : c.getType() == int.class
        ? (Object) 1 : c.getType() == long.class ? (Object) 1L : (Object) 1.0).toArray();
  }

  private static Forecast make(Object[] args) throws ReflectiveOperationException {
    Constructor<Forecast> k = Forecast.class.getDeclaredConstructor(Arrays.stream(COMPONENTS)
        .map(RecordComponent::getType).toArray(Class<?>[]::new));
    return k.newInstance(args);
  }

  /** The double components: the figures. */
  static Stream<String> figures() {
    return Arrays.stream(COMPONENTS).filter(c -> c.getType() == double.class).map(RecordComponent::getName);
  }

  /** Every figure with each value a forecast must not carry. */
  static Stream<Arguments> badFigures() {
    return figures().flatMap(c -> Stream.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1e-300)
        .map(v -> Arguments.of(c, v)));
  }

  /** The figure is refused, its message naming the output column (which exists) and the value. */
  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("badFigures")
  void badFigure_isRefusedNamingItsColumn(String component, double value) throws ReflectiveOperationException {
    Object[] args = valid();
    make(args);
    int i = Arrays.stream(COMPONENTS).map(RecordComponent::getName).toList().indexOf(component);
    args[i] = value;
    InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> make(args));
    assertTrue(e.getCause() instanceof IllegalArgumentException, e.getCause().toString());
    String column = component.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    List<String> doubles = ForecastColumns.ALL.stream().filter(c -> c.type() == ColumnType.DOUBLE)
        .map(ForecastColumns.Column::name).toList();
    assertTrue(doubles.contains(column), column + " not among " + doubles);
    String m = e.getCause().getMessage();
    assertTrue(m.contains(" " + column + " ") && m.contains(Double.toString(value)), m);
    assertEquals(1, m.lines().count(), m);
  }

  /** Zero is a figure a forecast can carry (a decode-only request prefills at 0 tokens/s). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("figures")
  void zeroFigure_isAccepted(String component) throws ReflectiveOperationException {
    Object[] args = valid();
    args[Arrays.stream(COMPONENTS).map(RecordComponent::getName).toList().indexOf(component)] = 0.0;
    make(args);
  }
}
