package life.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code life serve} and {@code life plan} through the command line. */
class ServingCliTest {
  static JsonNode json(CliTest.Run r) throws Exception {
    assertEquals(0, r.code(), r.err());
    return new ObjectMapper().readTree(r.out());
  }

  @Test
  void serveReportsTheFixedJsonKeys() throws Exception {
    JsonNode j = json(CliTest.run("serve", "--model", "llama-3.1-8b", "--hardware", "nvidia-h100-sxm5-80gb",
        "--stack", "vllm/cuda", "--prompt", "512", "--output", "64", "--qps", "5", "--requests", "300", "--format",
        "json"));
    for (String k : List.of("throughput_tps", "requests_per_s", "ttft_p50_ms", "ttft_p90_ms", "ttft_p99_ms",
        "tpot_p50_ms", "tpot_p90_ms", "e2e_p50_ms", "e2e_p99_ms", "mean_batch", "preemptions")) {
      assertTrue(j.has(k), k);
    }
    assertEquals(300, j.get("completed").asInt());
    // Below saturation the replica serves what arrives: 300 requests of 64 tokens over about 60 s.
    assertEquals(5 * 64, j.get("throughput_tps").asDouble(), 0.15 * 5 * 64);
    assertTrue(j.get("ttft_p50_ms").asDouble() <= j.get("ttft_p90_ms").asDouble());
    assertEquals(8192, j.get("max_batched_tokens").asInt());
  }

  @Test
  void serveReadsATrace(@TempDir Path dir) throws Exception {
    Path trace = dir.resolve("trace.csv");
    Files.writeString(trace, "arrival_s,prompt_tokens,output_tokens\n0,100,3\n0.5,50,2\n");
    JsonNode j = json(CliTest.run("serve", "--model", "llama-3.1-8b", "--hardware", "nvidia-h100-sxm5-80gb",
        "--trace", trace.toString(), "--format", "json"));
    assertEquals(2, j.get("completed").asInt());
    assertEquals(5, j.get("output_tokens").asInt());
    Files.writeString(trace, "arrival_s,prompt_tokens,output_tokens\n1,100,3\n0.5,50,x\n");
    CliTest.assertOneLineError(CliTest.run("serve", "--model", "llama-3.1-8b", "--hardware", "nvidia-h100-sxm5-80gb",
        "--trace", trace.toString()), "row 3", "arrival_s");
  }

  @Test
  void serveRefusesBadInputInOneLine() {
    CliTest.assertOneLineError(CliTest.run("serve", "--model", "llama-3.1-8b", "--hardware", "nvidia-h100-sxm5-80gb",
        "--qps", "0"), "--qps");
    CliTest.assertOneLineError(CliTest.run("serve", "--model", "llama-3.1-8b", "--hardware", "nvidia-h100-sxm5-80gb",
        "--max-load", "--prompt", "lognormal:5"), "--prompt");
    CliTest.assertOneLineError(CliTest.run("serve", "--model", "llama-3.1-8b", "--hardware", "nvidia-h100-sxm5-80gb",
        "--max-load", "--max-seqs", "0"), "--max-seqs");
    CliTest.assertOneLineError(CliTest.run("serve", "--model", "llama-3.1-70b", "--hardware", "nvidia-rtx-4090",
        "--max-load"), "does not fit");
  }

  /** Devices each configuration needs, by hardware and parallelism, from {@code life plan --format json}. */
  static Map<String, Integer> devices(String qps, String ttft, String tpot) throws Exception {
    JsonNode rows = json(CliTest.run("plan", "--model", "llama-3.1-8b", "--hardware",
        "nvidia-h100-sxm5-80gb,amd-mi300x", "--parallel", "1,tp:2", "--stack", "vllm/cuda", "--prompt", "1024",
        "--output", "128", "--qps", qps, "--slo-ttft-ms", ttft, "--slo-tpot-ms", tpot, "--requests", "600",
        "--format", "json"));
    Map<String, Integer> m = new HashMap<>();
    for (JsonNode r : rows) {
      assertEquals("", r.get("why").asText(), r.toString());
      m.put(r.get("hardware").asText() + "/" + r.get("parallel").asText(), r.get("devices").asInt());
    }
    assertEquals(4, m.size());
    return m;
  }

  @Test
  void planNeedsFewerDevicesForLooserObjectivesAndMoreForMoreLoad() throws Exception {
    Map<String, Integer> tight = devices("40", "150", "15");
    Map<String, Integer> loose = devices("40", "2000", "60");
    Map<String, Integer> busier = devices("120", "150", "15");
    boolean fewer = false;
    boolean more = false;
    for (String k : tight.keySet()) {
      assertTrue(loose.get(k) <= tight.get(k), k + " " + loose.get(k) + " > " + tight.get(k));
      assertTrue(busier.get(k) >= tight.get(k), k + " " + busier.get(k) + " < " + tight.get(k));
      fewer |= loose.get(k) < tight.get(k);
      more |= busier.get(k) > tight.get(k);
    }
    assertTrue(fewer && more, tight + " " + loose + " " + busier);
  }

  @Test
  void planRanksByCostAndSaysWhyAConfigurationCannot() throws Exception {
    JsonNode rows = json(CliTest.run("plan", "--model", "llama-3.1-8b", "--hardware",
        "nvidia-h100-sxm5-80gb,apple-m2-ultra-76c", "--parallel", "1,tp:2", "--prompt", "2048", "--output", "128",
        "--qps", "5", "--slo-ttft-ms", "500", "--slo-tpot-ms", "40", "--requests", "600", "--format", "json"));
    double last = 0;
    boolean sawCannot = false;
    for (JsonNode r : rows) {
      if (r.get("why").asText().isEmpty()) {
        assertTrue(!sawCannot, "a feasible row after an infeasible one");
        double usd = r.get("usd_per_mtok").asDouble();
        assertTrue(usd >= last);
        last = usd;
        assertTrue(r.get("ttft_p90_ms").asDouble() <= 500 && r.get("tpot_p90_ms").asDouble() <= 40, r.toString());
      } else {
        sawCannot = true;
      }
    }
    // The Mac has no link figure (no tp:2), and alone its 2,048-token prefill takes longer than 500 ms.
    assertTrue(rows.toString().contains("no link_gbps figure"), rows.toString());
    assertTrue(rows.toString().contains("misses the objectives"), rows.toString());
  }

  /** A disaggregated replica counts its prefill and decode instances; speculation and disaggregation reach plan. */
  @Test
  void planCountsADisaggregatedReplicasInstances() throws Exception {
    JsonNode rows = json(CliTest.run("plan", "--model", "llama-3.1-8b", "--hardware", "nvidia-h100-sxm5-80gb",
        "--parallel", "tp:2", "--disaggregate", "1:2", "--prompt", "1024", "--output", "128", "--qps", "30",
        "--slo-ttft-ms", "500", "--slo-tpot-ms", "20", "--requests", "500", "--format", "json"));
    JsonNode r = rows.get(0);
    assertEquals("", r.get("why").asText(), r.toString());
    assertEquals("tp:2 1:2", r.get("parallel").asText());
    assertEquals(r.get("replicas").asInt() * 6, r.get("devices").asInt());
    CliTest.assertOneLineError(CliTest.run("forecast", "--model", "llama-3.1-8b", "--hardware",
        "nvidia-h100-sxm5-80gb", "--disaggregate", "1-2"), "--disaggregate", "P:D");
    CliTest.assertOneLineError(CliTest.run("forecast", "--model", "llama-3.1-8b", "--hardware",
        "nvidia-h100-sxm5-80gb", "--spec", "eagle:0:0.5"), "--spec", "K");
    CliTest.assertOneLineError(CliTest.run("plan", "--model", "llama-3.1-8b", "--hardware", "nvidia-h100-sxm5-80gb",
        "--qps", "5", "--slo-ttft-ms", "500", "--slo-tpot-ms", "20", "--parallel", "1,tp:x"), "--parallel", "tp:x");
    CliTest.assertOneLineError(CliTest.run("serve", "--model", "llama-3.1-8b", "--hardware", "nvidia-h100-sxm5-80gb"),
        "specify one of these");
  }
}
