package life.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class SpanTest {
  @ParameterizedTest(name = "past {0} present {1} window {2}")
  @CsvSource({"0,1,0", "0,7,0", "5,1,0", "5,9,0", "0,10,4", "3,10,4", "100,1,64", "60,10,64", "64,1,64", "63,1,64",
      "0,1,1", "10,3,1"})
  void scoreElements_equalsCountOfVisibleKeys(long past, long present, int window) {
    long causal = 0;
    long full = 0;
    long w = window > 0 ? window : Long.MAX_VALUE;
    for (long i = 0; i < present; i++) {
      causal += Math.min(past + i + 1, w);
      full += Math.min(past + present, w);
    }
    assertEquals(causal, new Span(window, true, 1).scores(past, present), 0);
    assertEquals(full, new Span(window, false, 1).scores(past, present), 0);
  }

  @ParameterizedTest(name = "past {0} present {1} window {2}")
  @CsvSource({"0,1,0", "5,9,0", "0,10,4", "3,10,4", "100,1,64", "60,10,64"})
  void keyTokens_isUnionOfWindows(long past, long present, int window) {
    long lo = Long.MAX_VALUE;
    long hi = 0;
    for (long i = 0; i < present; i++) {
      long pos = past + i;
      long first = window > 0 ? Math.max(0, pos - window + 1) : 0;
      lo = Math.min(lo, first);
      hi = Math.max(hi, pos);
    }
    assertEquals(hi - lo + 1, new Span(window, true, 1).keys(past, present), 0);
  }
}
