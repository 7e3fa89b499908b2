package life.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import life.catalog.HardwareCatalog;
import life.forecast.Forecaster;
import life.forecast.StepTimer;
import life.scenario.Built;
import life.scenario.ScenarioText;
import org.junit.jupiter.api.Test;

/** The continuous-batching simulator against hand-computed schedules and queueing invariants. */
class SimulatorTest {
  static Forecaster forecaster(String model, String hardware, String stack) {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("model", model);
    t.put("hardware", hardware);
    t.put("stack", stack);
    Built b = ScenarioText.setup(t, HardwareCatalog.builtIn(), null).build();
    return ((Built.Ready) b).forecaster();
  }

  static final Forecaster H100 = forecaster("llama-3.1-8b", "nvidia-h100-sxm5-80gb", "vllm/cuda");

  static Engine engine(int tokens, int seqs) {
    return new Engine(tokens, seqs, 16, 0.9, true, "test");
  }

  static Workload poisson(double rate, int n, long seed) {
    return Workload.of(new Arrivals.Poisson(rate), "512", "128", n, seed);
  }

  @Test
  void aStepOfDecodesAtOneContextCostsTheForecastersCall() {
    StepTimer t = H100.stepTimer(8192);
    for (int b : new int[] {1, 7, 64, 256}) {
      for (long past : new long[] {1, 300, 4095}) {
        double want = H100.callSeconds(past, 1, b);
        assertEquals(want, t.seconds(b, past * b, 0, null, null, null), want * 1e-12, b + "@" + past);
      }
    }
  }

  @Test
  void aStepOfOneChunkCostsTheForecastersCall() {
    StepTimer t = H100.stepTimer(8192);
    for (boolean samples : new boolean[] {true, false}) {
      for (long past : new long[] {0, 512, 3000}) {
        double want = H100.callSeconds(past, 700, 1, samples);
        double got = t.seconds(0, 0, 1, new long[] {past}, new long[] {700}, new boolean[] {samples});
        assertEquals(want, got, want * 1e-12, past + " " + samples);
      }
    }
  }

  @Test
  void aMixedStepReadsTheWeightsOnce() {
    StepTimer t = H100.stepTimer(8192);
    double decodes = t.seconds(32, 32 * 1000, 0, null, null, null);
    double chunk = t.seconds(0, 0, 1, new long[] {0}, new long[] {256}, new boolean[] {true});
    double mixed = t.seconds(32, 32 * 1000, 1, new long[] {0}, new long[] {256}, new boolean[] {true});
    // Cheaper than the two apart (one pass over 16 GB of weights, not two), dearer than either.
    assertTrue(mixed < decodes + chunk, mixed + " vs " + (decodes + chunk));
    assertTrue(mixed > Math.max(decodes, chunk));
  }

  @Test
  void twoRequestsFollowTheHandComputedSchedule() {
    // A: prompt 100, output 3; B: prompt 50, output 2; both at time 0; budget 120 tokens.
    Engine e = engine(120, 8);
    StepTimer t = H100.stepTimer(120);
    // Step 1: A's whole prompt (100, samples) and B's first 20 prompt tokens (no sample).
    double t1 = t.seconds(0, 0, 2, new long[] {0, 0}, new long[] {100, 20}, new boolean[] {true, false});
    // Step 2: A decodes (100 cached); B's last 30 prompt tokens (20 cached, samples).
    double t2 = t.seconds(1, 100, 1, new long[] {20}, new long[] {30}, new boolean[] {true});
    // Step 3: A decodes (101 cached), B decodes (50 cached): A's third token, B's second (B done).
    double t3 = t.seconds(2, 151, 0, null, null, null);
    Workload w = Workload.of(new Arrivals.Trace(java.util.List.of(new Workload.Item(0, 0, 100, 3),
        new Workload.Item(1, 0, 50, 2))));
    Simulator.Result r = Simulator.run(H100, e, w, Simulator.Slo.NONE);
    assertEquals(2, r.completed());
    assertEquals(3, r.steps());
    assertEquals(t1 + t2 + t3, r.durationS(), 1e-12);
    // TTFT: A after step 1, B after step 2; E2E: both after step 3.
    assertEquals((t1 + t1 + t2) / 2 * 1e3, r.ttft().meanMs(), 1e-9);
    assertEquals((t1 + t2 + t3) * 1e3, r.e2e().meanMs(), 1e-9);
    // TPOT: A (t2 + t3) / 2, B t3 / 1.
    assertEquals(((t2 + t3) / 2 + t3) / 2 * 1e3, r.tpot().meanMs(), 1e-9);
    assertEquals(5, r.outputTokens());
  }

  @Test
  void noRequestIsLostOrServedTwice() {
    Simulator.Result r = Simulator.run(H100, engine(2048, 256), poisson(20, 3000, 7), Simulator.Slo.NONE);
    assertEquals(3000, r.completed() + r.rejected());
    assertEquals(0, r.rejected());
    assertEquals(3000L * 128, r.outputTokens());
  }

  @Test
  void littlesLawHoldsOnALongRun() {
    double rate = 20;
    Simulator.Result r = Simulator.run(H100, engine(2048, 256), poisson(rate, 20000, 3), Simulator.Slo.NONE);
    double little = rate * r.e2e().meanMs() / 1e3;
    assertEquals(little, r.meanInFlight(), 0.02 * little);
    assertFalse(r.saturated());
  }

  @Test
  void belowSaturationThroughputNeverExceedsTheOfferedRate() {
    double capacity = Simulator.run(H100, engine(2048, 256), Workload.of(new Arrivals.MaxLoad(), "512", "128", 2000,
        1), Simulator.Slo.NONE).requestsPerS();
    double previousE2e = 0;
    double previousTtft = 0;
    for (double share : new double[] {0.1, 0.3, 0.5, 0.7, 0.85}) {
      double rate = share * capacity;
      Simulator.Result r = Simulator.run(H100, engine(2048, 256), poisson(rate, 4000, 11), Simulator.Slo.NONE);
      assertFalse(r.saturated(), "saturated at " + share);
      assertTrue(r.requestsPerS() <= rate * 1.03, r.requestsPerS() + " > " + rate);
      assertTrue(r.e2e().meanMs() >= previousE2e, "E2E fell at " + share);
      assertTrue(r.ttft().p90Ms() >= previousTtft, "TTFT p90 fell at " + share);
      previousE2e = r.e2e().meanMs();
      previousTtft = r.ttft().p90Ms();
    }
  }

  @Test
  void saturationIsDetected() {
    double capacity = Simulator.run(H100, engine(2048, 256), Workload.of(new Arrivals.MaxLoad(), "512", "128", 2000,
        1), Simulator.Slo.NONE).requestsPerS();
    Simulator.Result over = Simulator.run(H100, engine(2048, 256), poisson(2 * capacity, 4000, 5), Simulator.Slo.NONE);
    assertTrue(over.saturated());
    assertTrue(over.requestsPerS() < 1.1 * capacity);
    Simulator.Result under = Simulator.run(H100, engine(2048, 256), poisson(0.5 * capacity, 4000, 5),
        Simulator.Slo.NONE);
    assertFalse(under.saturated());
  }

  @Test
  void theSameSeedGivesTheSameResult() {
    Workload w = Workload.of(new Arrivals.Poisson(30), "lognormal:800/400", "uniform:16-512", 2000, 42);
    assertEquals(Simulator.run(H100, engine(2048, 256), w, Simulator.Slo.NONE),
        Simulator.run(H100, engine(2048, 256), w, Simulator.Slo.NONE));
  }

  @Test
  void aSmallCachePreemptsAndStillServesEveryone() {
    Forecaster f = forecaster("llama-3.1-8b", "nvidia-rtx-4090", "vllm/cuda");
    // 24 GiB: about 16 GB of weights leave a few GiB of cache; 64 long requests at once overflow it.
    Simulator.Result r = Simulator.run(f, engine(2048, 256), Workload.of(new Arrivals.MaxLoad(), "2048", "1024", 64,
        1), Simulator.Slo.NONE);
    assertEquals(64, r.completed());
    assertTrue(r.preemptions() > 0, "no preemption");
    assertTrue(r.peakKvUsage() <= 1.0);
  }

  @Test
  void aClosedLoopKeepsItsClientsBusy() {
    Simulator.Result r = Simulator.run(H100, engine(2048, 256), Workload.of(new Arrivals.Concurrency(8), "512", "128",
        400, 1), Simulator.Slo.NONE);
    assertEquals(400, r.completed());
    assertEquals(8, r.meanInFlight(), 0.05 * 8);
  }

  @Test
  void aModelThatDoesNotFitIsRefused() {
    Forecaster f = forecaster("llama-3.1-70b", "nvidia-rtx-4090", "vllm/cuda");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Simulator.run(f, engine(2048, 256), poisson(1, 10, 1), Simulator.Slo.NONE));
    assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
  }

  static Forecaster speculative(String spec) {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("model", "llama-3.1-8b");
    t.put("hardware", "nvidia-h100-sxm5-80gb");
    t.put("stack", "vllm/cuda");
    t.put("spec", spec);
    return ((Built.Ready) ScenarioText.setup(t, HardwareCatalog.builtIn(), null).build()).forecaster();
  }

  /**
   * Speculative decoding's closed form (the forecast: mean step over the expected tokens a step yields) equals its
   * simulation (each step keeps a drawn number of drafted tokens) one request at a time, within the spread of the
   * draws; with every draft accepted the two agree exactly up to the steps' contexts.
   */
  @Test
  void speculativeDecodingsClosedFormEqualsItsSimulation() {
    for (String spec : new String[] {"eagle:4:0.8", "draft:llama-3.2-1b:3:0.6", "medusa:2:1.0"}) {
      Forecaster f = speculative(spec);
      double closed = f.forecast(new life.forecast.Request(128, 2048, 1, 0)).tpotMs();
      Simulator.Result r = Simulator.run(f, engine(8192, 256), Workload.of(new Arrivals.Concurrency(1), "128",
          "2048", 40, 7), Simulator.Slo.NONE);
      assertEquals(closed, r.tpot().meanMs(), (spec.endsWith("1.0") ? 0.002 : 0.02) * closed, spec);
      // And it pays: fewer ms per token than plain decoding for these acceptance rates.
      double plain = H100.forecast(new life.forecast.Request(128, 2048, 1, 0)).tpotMs();
      assertTrue(closed < plain, spec + ": " + closed + " vs " + plain);
    }
    // With nothing accepted it only costs.
    Forecaster none = speculative("eagle:4:0");
    assertTrue(none.forecast(new life.forecast.Request(128, 256, 1, 0)).tpotMs()
        > H100.forecast(new life.forecast.Request(128, 256, 1, 0)).tpotMs());
    assertEquals(1 + 0.8 + 0.64 + 0.512 + 0.4096, life.forecast.Speculation.parse("eagle:4:0.8").tokensPerStep(),
        1e-12);
  }

  static Forecaster disaggregated(String d) {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("model", "llama-3.1-8b");
    t.put("hardware", "nvidia-h100-sxm5-80gb");
    t.put("stack", "vllm/cuda");
    t.put("disaggregate", d);
    return ((Built.Ready) ScenarioText.setup(t, HardwareCatalog.builtIn(), null).build()).forecaster();
  }

  /**
   * Disaggregated: the KV cache of a prompt crosses the link between prefill and decode; Llama-3.1-8B keeps 32 layers
   * × 8 KV heads × 128 × (K, V) × 2 bytes = 131,072 bytes a token, so 4,096 tokens take 536,870,912 B / 5 GB/s.
   */
  @Test
  void aDisaggregatedForecastWaitsForTheCacheToCross() {
    life.forecast.Request r = new life.forecast.Request(4096, 256, 1, 0);
    life.forecast.Forecast one = H100.forecast(r);
    life.forecast.Forecast split = disaggregated("1:1@5").forecast(r);
    assertEquals(one.ttftMs(), split.ttftMs(), 1e-9);
    assertEquals(536_870_912 / 5e9 * 1e3, split.e2eMs() - one.e2eMs(), 1e-6);
  }

  /** One request through both stages, each step hand-timed: prefill, transfer, then two decode steps. */
  @Test
  void oneRequestCrossesBothStagesAsScheduled() {
    Forecaster f = disaggregated("1:1@5");
    StepTimer t = f.stepTimer(2048);
    double t1 = t.seconds(0, 0, 1, new long[] {0}, new long[] {100}, new boolean[] {true});
    double transfer = 100 * 131_072 / 5e9;
    double t2 = t.seconds(1, 100, 0, null, null, null);
    double t3 = t.seconds(1, 101, 0, null, null, null);
    Workload w = Workload.of(new Arrivals.Trace(java.util.List.of(new Workload.Item(0, 0, 100, 3))));
    Simulator.Result r = Simulator.run(f, engine(2048, 256), w, Simulator.Slo.NONE);
    assertEquals(t1 * 1e3, r.ttft().meanMs(), 1e-9);
    assertEquals((t1 + transfer + t2 + t3) * 1e3, r.e2e().meanMs(), 1e-9);
    assertEquals(3, r.outputTokens());
  }

  @Test
  void decodeInstancesNeverPauseForAPrefill() {
    Workload w = poisson(6, 2000, 5);
    Simulator.Result colocated = Simulator.run(H100, engine(2048, 256), w, Simulator.Slo.NONE);
    Simulator.Result split = Simulator.run(disaggregated("1:1"), engine(2048, 256), w, Simulator.Slo.NONE);
    assertEquals(2000, split.completed());
    assertEquals(2000L * 128, split.outputTokens());
    assertFalse(split.saturated());
    assertTrue(split.tpot().p90Ms() < colocated.tpot().p90Ms(), split.tpot() + " vs " + colocated.tpot());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Simulator.run(
        disaggregated("1:1"), engine(2048, 256), Workload.of(new Arrivals.Concurrency(4), "512", "128", 50, 1),
        Simulator.Slo.NONE));
    assertTrue(e.getMessage().contains("--concurrency"), e.getMessage());
  }
}
