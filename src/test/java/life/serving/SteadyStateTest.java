package life.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import life.forecast.Forecaster;
import org.junit.jupiter.api.Test;

/**
 * The steady-state model against the simulator on a grid: four devices and stacks (vLLM on an H100, an RTX 4090 and
 * an MI300X; llama.cpp's four slots on an M2 Max) and the H100 with EAGLE speculation (4 drafted, 0.8), three length
 * pairs, four loads from 10 % to 70 % of the replica's
 * max-load rate. The model claims 10 % on throughput and p50 TTFT and TPOT where the cap on running sequences is not
 * the bottleneck (its slot load, arrival rate × service time / max_seqs, at most 0.5); it must say when it is not.
 */
class SteadyStateTest {
  @Test
  void withinTenPercentOfTheSimulatorOnTheGrid() {
    String[][] setups = {{"llama-3.1-8b", "nvidia-h100-sxm5-80gb", "vllm/cuda"},
        {"llama-3.1-8b", "nvidia-rtx-4090", "vllm/cuda"}, {"llama-3.1-8b", "apple-m2-max-38c", "llama.cpp/metal"},
        {"qwen2.5-7b", "amd-mi300x", "vllm/rocm"},
        {"llama-3.1-8b", "nvidia-h100-sxm5-80gb", "vllm/cuda", "eagle:4:0.8"}};
    int[][] lengths = {{512, 128}, {2048, 256}, {128, 1024}};
    List<String> misses = new ArrayList<>();
    int checked = 0;
    int slotBound = 0;
    double worst = 0;
    for (String[] s : setups) {
      Forecaster f = s.length > 3 ? SimulatorTest.speculative(s[3]) : SimulatorTest.forecaster(s[0], s[1], s[2]);
      Engine e = Engine.defaults(f.stack(), f.hardware());
      for (int[] l : lengths) {
        Workload max = Workload.of(new Arrivals.MaxLoad(), "" + l[0], "" + l[1], 1000, 1);
        double cap = Simulator.run(f, e, max, Simulator.Slo.NONE).requestsPerS();
        SteadyState ss = new SteadyState(f, e, l[0], l[1]);
        for (double share : new double[] {0.1, 0.3, 0.5, 0.7}) {
          double rate = share * cap;
          Simulator.Result r = Simulator.run(f, e, Workload.of(new Arrivals.Poisson(rate), "" + l[0], "" + l[1], 3000,
              3), Simulator.Slo.NONE);
          SteadyState.Estimate x = ss.at(rate);
          assertTrue(!x.saturated() && !r.saturated(), s[1] + " " + share);
          if (x.slotLoad() > 0.5) {
            slotBound++;
            continue;
          }
          checked++;
          double[] err = {x.throughputTps() / r.throughputTps() - 1, x.ttftP50Ms() / r.ttft().p50Ms() - 1,
              x.tpotP50Ms() / r.tpot().p50Ms() - 1};
          for (double d : err) {
            worst = Math.max(worst, Math.abs(d));
            if (Math.abs(d) >= 0.10) {
              misses.add(String.format("%s %s %d/%d at %.1f: throughput %+.3f, TTFT p50 %+.3f, TPOT p50 %+.3f", s[0],
                  s[1], l[0], l[1], share, err[0], err[1], err[2]));
            }
          }
        }
      }
    }
    assertEquals(List.of(), misses);
    assertTrue(checked >= 56, checked + " points checked");
    assertTrue(slotBound <= 4, slotBound + " slot-bound points");
    assertTrue(worst < 0.10);
  }

  @Test
  void theLargestRateMeetingTheSlosGrowsAsTheyLoosen() {
    Forecaster f = SimulatorTest.H100;
    SteadyState ss = new SteadyState(f, Engine.defaults(f.stack(), f.hardware()), 2048, 256);
    double tight = ss.maxRate(new Simulator.Slo(200, 20));
    double loose = ss.maxRate(new Simulator.Slo(1000, 50));
    double none = ss.maxRate(Simulator.Slo.NONE);
    assertTrue(0 < tight && tight < loose && loose <= none, tight + " " + loose + " " + none);
    // At the rate found, the SLOs hold; 2 % above it, one of them fails or the replica saturates.
    SteadyState.Estimate at = ss.at(loose);
    assertTrue(at.ttftP90Ms() <= 1000 && at.tpotP90Ms() <= 50);
    SteadyState.Estimate above = ss.at(loose * 1.02);
    assertTrue(above.saturated() || above.ttftP90Ms() > 1000 || above.tpotP90Ms() > 50);
    // An objective below a lone request's own latency cannot be met at any rate.
    assertEquals(0, ss.maxRate(new Simulator.Slo(1, 1)));
  }
}
