package life.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Request streams for serving runs: the distributions they promise, their determinism and their one way in. */
final class WorkloadTest {
  private static SummaryStatistics stats(List<Workload.Item> items, ToDoubleFunction<Workload.Item> f) {
    SummaryStatistics s = new SummaryStatistics();
    items.forEach(i -> s.addValue(f.applyAsDouble(i)));
    return s;
  }

  @Test
  void sameSeed_sameRequests_otherSeed_otherRequests() {
    Workload w = Workload.of(new Arrivals.Poisson(3), "lognormal:512/256", "uniform:16-256", 1000, 7);
    assertEquals(w.items(), w.items());
    assertEquals(w.items(), Workload.of(new Arrivals.Poisson(3), "lognormal:512/256", "uniform:16-256", 1000, 7)
        .items());
    assertNotEquals(w.items(), Workload.of(new Arrivals.Poisson(3), "lognormal:512/256", "uniform:16-256", 1000, 8)
        .items());
  }

  /** Exponential gaps: mean 1 / rate and a coefficient of variation of 1 (2 × 10⁵ gaps: standard errors ≈ 0.2 %). */
  @Test
  void poissonArrivals_haveExponentialGapsOfMeanOneOverTheRate() {
    List<Workload.Item> items = Workload.of(new Arrivals.Poisson(5), "512", "128", 200_000, 1).items();
    SummaryStatistics gaps = new SummaryStatistics();
    for (int i = 1; i < items.size(); i++) {
      double gap = items.get(i).arrivalS() - items.get(i - 1).arrivalS();
      assertTrue(gap >= 0);
      gaps.addValue(gap);
    }
    assertEquals(0.2, gaps.getMean(), 0.2 * 0.01);
    assertEquals(1.0, gaps.getStandardDeviation() / gaps.getMean(), 0.02);
  }

  @Test
  void maxLoadAndClosedLoops_arriveAtZero() {
    for (Arrivals a : List.of(new Arrivals.MaxLoad(), new Arrivals.Concurrency(8))) {
      assertTrue(Workload.of(a, "512", "128", 100, 1).items().stream().allMatch(i -> i.arrivalS() == 0), a.toString());
    }
  }

  /** Log-normal lengths keep the mean and standard deviation asked for (of the length, not of its logarithm). */
  @Test
  void lognormalLengths_haveTheGivenMeanAndSd() {
    List<Workload.Item> items = Workload.of(new Arrivals.MaxLoad(), "lognormal:512/256", "lognormal:200/300", 200_000,
        3).items();
    SummaryStatistics p = stats(items, Workload.Item::promptTokens);
    assertEquals(512, p.getMean(), 512 * 0.01);
    assertEquals(256, p.getStandardDeviation(), 256 * 0.03);
    SummaryStatistics o = stats(items, Workload.Item::outputTokens);
    assertEquals(200, o.getMean(), 200 * 0.02);
    assertEquals(300, o.getStandardDeviation(), 300 * 0.06);
    assertTrue(o.getMin() >= 1);
  }

  @Test
  void uniformLengths_coverTheirRangeEvenly() {
    List<Workload.Item> items = Workload.of(new Arrivals.MaxLoad(), "uniform:128-1024", "normal:64/8", 100_000, 5)
        .items();
    SummaryStatistics p = stats(items, Workload.Item::promptTokens);
    assertEquals(128, p.getMin());
    assertEquals(1024, p.getMax());
    assertEquals(576, p.getMean(), 576 * 0.005);
    SummaryStatistics o = stats(items, Workload.Item::outputTokens);
    assertEquals(64, o.getMean(), 0.2);
    assertEquals(8, o.getStandardDeviation(), 8 * 0.03);
  }

  /** Arrivals, prompts and outputs draw apart: another output distribution leaves arrivals and prompts unchanged. */
  @Test
  void changingOneDistribution_leavesTheOtherDrawsAlone() {
    List<Workload.Item> a = Workload.of(new Arrivals.Poisson(2), "lognormal:512/256", "128", 500, 11).items();
    List<Workload.Item> b = Workload.of(new Arrivals.Poisson(2), "lognormal:512/256", "uniform:1-999", 500, 11)
        .items();
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).arrivalS(), b.get(i).arrivalS());
      assertEquals(a.get(i).promptTokens(), b.get(i).promptTokens());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"512", "uniform:128-1024", "normal:512/64", "lognormal:512/256", "lognormal:300.5/20.25"})
  void lengthText_readsBackToItself(String text) {
    assertEquals(text, Lengths.parse("--prompt", text).text());
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "0; must be from 1 to 16777216 tokens",
      "16777217; must be from 1 to 16777216 tokens",
      "uniform:512-128; need lo <= hi",
      "lognormal:0/10; need a mean from 1 to 16777216",
      "normal:100/-1; standard deviation from 0",
      "poisson:5; expected TOKENS, uniform:LO-HI, normal:MEAN/SD or lognormal:MEAN/SD",
      "lognormal:512; expected TOKENS",
      "'12\n8'; got '12\\n8'"})
  void badLengthText_isOneLineNamingTheOption(String text, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lengths.parse("--prompt", text));
    assertTrue(e.getMessage().startsWith("--prompt: ") && e.getMessage().contains(fragment), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }

  @Test
  void badRatesAndCounts_nameTheirOption() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Arrivals.Poisson(0)).getMessage()
        .startsWith("--qps must be above 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Arrivals.Poisson(Double.NaN)).getMessage()
        .startsWith("--qps"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Arrivals.Concurrency(0)).getMessage()
        .startsWith("--concurrency must be from 1"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Workload.of(new Arrivals.MaxLoad(), "1", "1", 0, 1))
        .getMessage().startsWith("--requests must be from 1"));
  }
}
