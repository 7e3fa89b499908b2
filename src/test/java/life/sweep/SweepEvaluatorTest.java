package life.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import life.forecast.ForecastColumns;
import life.spec.Limits;
import life.table.ColumnType;
import life.table.RowBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SweepEvaluatorTest {
  /** The metric columns of a sweep row: the forecast's numbers (not the device's price or power, NaN where unknown). */
  private static final List<String> FIGURES = ForecastColumns.ALL.stream()
      .filter(c -> c.type() == ColumnType.DOUBLE).map(ForecastColumns.Column::name).toList();

  private static RowBatch evaluate(Path dir, String yaml, SweepEvaluator.Counts[] counts) throws IOException {
    Files.writeString(dir.resolve("slow.csv"), "id,name,kind,fp32_tflops,fp16_tflops,bf16_tflops,fp8_tflops,"
        + "int8_tops,int4_tops,mem_bw_gbps,mem_gib,compute_eff,mem_eff,dispatch_us,tdp_w,price_usd,source\n"
        + "slow-gpu,Slow,gpu,15,120,,,,,1e-320,32,,,,,,lab\n");
    Path f = dir.resolve("s.yaml");
    Files.writeString(f, yaml);
    SweepEvaluator ev = new SweepEvaluator(SweepFile.read(f));
    RowBatch out = new RowBatch(ev.schema(), (int) ev.plan().points());
    counts[0] = ev.evaluate(0, ev.plan().points(), out);
    return out;
  }

  /**
   * Points whose figures would not be finite (a device file with a vanishing bandwidth) are rows that could not be
   * forecast: counted as failed, their status naming the figure, no metric written; points at the limits on a real
   * device are forecast, every metric finite and non-negative.
   */
  @Test
  void nonFiniteFigures_areFailedRows_andPointsAtTheLimitsAreFinite(@TempDir Path dir) throws IOException {
    SweepEvaluator.Counts[] counts = new SweepEvaluator.Counts[1];
    RowBatch out = evaluate(dir, "name: s\nhardware_files: [slow.csv]\naxes:\n"
        + "  hardware: [slow-gpu, nvidia-h100-sxm5-80gb]\n  model: [llama-3.2-1b]\n"
        + "  prompt: [128, " + Limits.MAX_TOKENS + "]\n  output: [" + Limits.MAX_TOKENS + "]\n"
        + "  batch: [1, " + Limits.MAX_BATCH + "]\n", counts);
    assertEquals(8, out.size());
    assertEquals(4, counts[0].failed);
    int hardware = out.schema().indexOf("hardware");
    int status = out.schema().indexOf("status");
    for (int r = 0; r < out.size(); r++) {
      boolean slow = out.strings(hardware)[r].equals("slow-gpu");
      String s = out.strings(status)[r];
      if (slow) {
        assertTrue(s.contains("ttft_ms") && s.contains("not a finite non-negative number"), s);
      } else {
        assertEquals("ok", s);
        assertFalse(out.booleans(out.schema().indexOf("fits"))[r] && out.longs(out.schema().indexOf("batch"))[r]
            == Limits.MAX_BATCH, "fits at the largest batch");
      }
      for (String c : FIGURES) {
        double v = out.doubles(out.schema().indexOf(c))[r];
        if (slow) {
          assertTrue(Double.isNaN(v), c + " written for a failed row: " + v);
        } else {
          assertTrue(v >= 0 && Double.isFinite(v), c + " = " + v + " at row " + r);
        }
      }
    }
  }

  /**
   * The serving axes: max_qps_at_slo is the steady state's largest rate within the objectives, the replicas the
   * ceiling of the rate over it, cost and energy per token follow the device's price and TDP (NaN without a price),
   * and a where constraint can use them.
   */
  @Test
  void servingColumnsFollowTheSteadyState(@TempDir Path dir) throws IOException {
    SweepEvaluator.Counts[] counts = new SweepEvaluator.Counts[1];
    RowBatch out = evaluate(dir, "name: s\naxes:\n  hardware: [nvidia-h100-sxm5-80gb, nvidia-l40s]\n"
        + "  model: [llama-3.1-8b]\n  stack: [vllm/cuda]\n  prompt: [1024]\n  output: [128]\n"
        + "  qps: [0, 5, 40]\n  slo_ttft_ms: [500]\n  slo_tpot_ms: [30]\n"
        + "where:\n  - max_qps_at_slo > 0\n", counts);
    assertEquals(6, out.size());
    var h100 = SimulatorTestAccess.forecaster("llama-3.1-8b", "nvidia-h100-sxm5-80gb", "vllm/cuda");
    var ss = new life.serving.SteadyState(h100, life.serving.Engine.defaults(h100.stack(), h100.hardware()), 1024,
        128);
    double max = ss.maxRate(new life.serving.Simulator.Slo(500, 30));
    int hw = out.schema().indexOf("hardware");
    int qps = out.schema().indexOf("qps");
    for (int r = 0; r < out.size(); r++) {
      double q = out.doubles(qps)[r];
      double got = out.doubles(out.schema().indexOf("max_qps_at_slo"))[r];
      double replicas = out.doubles(out.schema().indexOf("replicas"))[r];
      double usd = out.doubles(out.schema().indexOf("usd_per_mtok"))[r];
      double joules = out.doubles(out.schema().indexOf("j_per_token"))[r];
      assertTrue(got > 0);
      assertTrue(joules > 0, "no TDP used");
      if (q == 0) {
        assertTrue(Double.isNaN(replicas));
      } else {
        assertEquals(Math.ceil(q / got), replicas);
        assertTrue(out.doubles(out.schema().indexOf("load_ttft_p90_ms"))[r] <= 500);
        assertTrue(out.doubles(out.schema().indexOf("load_tpot_p90_ms"))[r] <= 30);
      }
      if (out.strings(hw)[r].equals("nvidia-h100-sxm5-80gb")) {
        assertEquals(max, got, 1e-5 * max);
        assertTrue(usd > 0);
      } else {
        assertTrue(Double.isNaN(usd), "the L40S has no price in the catalog");
      }
    }
  }
}
