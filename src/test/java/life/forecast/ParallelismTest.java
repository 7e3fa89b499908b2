package life.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import life.catalog.HardwareCatalog;
import life.catalog.ModelCatalog;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.ops.ModelGraph;
import life.ops.OpClass;
import life.ops.OpCost;
import life.ops.Operator;
import life.ops.Parallelism;
import life.spec.DType;
import life.spec.HardwareSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tensor parallelism and layer split: hand-computed shares, collectives and invariants. */
final class ParallelismTest {
  private static ModelGraph graph(String model, Parallelism p) {
    return GraphBuilder.build(ModelCatalog.builtIn().resolve(model), GraphOptions.defaults(DType.FP16).withParallel(p));
  }

  private static HardwareSpec device(String id) {
    return HardwareCatalog.builtIn().resolve(id);
  }

  /** Every operator of a graph with its layer count. */
  private static List<Object[]> ops(ModelGraph g) {
    List<Object[]> out = new ArrayList<>();
    g.head().forEach(o -> out.add(new Object[] {o, 1}));
    for (ModelGraph.LayerGroup l : g.groups()) {
      l.ops().forEach(o -> out.add(new Object[] {o, l.count()}));
    }
    g.tail().forEach(o -> out.add(new Object[] {o, 1}));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"'tp:4', TENSOR, 4", "'layer:2', LAYER, 2", "'1', TENSOR, 1", "'none', TENSOR, 1", "' TP:8 ', TENSOR, 8"})
  void parse_readsModeAndDevices(String text, Parallelism.Mode mode, int devices) {
    Parallelism p = Parallelism.parse(text);
    assertEquals(mode, p.mode());
    assertEquals(devices, p.devices());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tp:0", "pp:2", "tp", "layer:x", "2"})
  void parse_rejectsOtherText_listingTheAllowedForms(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallelism.parse(text));
    assertTrue(e.getMessage().contains("allowed: 1, tp:N, layer:N"), e.getMessage());
  }

  /**
   * Llama-2-7B on 4 devices: every linear, the embedding and the LM head are split exactly (32 heads, 11008, 32000
   * all divide by 4); the 2·32 + 1 RMSNorm weight vectors of 4096 stay whole on every device.
   */
  @Test
  void tensorParallel_splitsEveryMatrixAndReplicatesTheNorms() {
    double whole = graph("llama-2-7b", Parallelism.NONE).parameters();
    double share = graph("llama-2-7b", Parallelism.parse("tp:4")).parameters();
    double norms = (2.0 * 32 + 1) * 4096;
    assertEquals((whole - norms) / 4 + norms, share, 0.5);
  }

  /** One all-reduce after the embedding and two per layer, each of 2(N−1) ring steps. */
  @Test
  void tensorParallel_addsTwoAllReducesPerLayer() {
    ModelGraph g = graph("llama-2-7b", Parallelism.parse("tp:4"));
    int count = 0;
    for (Object[] o : ops(g)) {
      Operator op = (Operator) o[0];
      if (op.opClass() == OpClass.COMM) {
        count += (int) o[1];
        // Decode of one token: 2 · 3/4 of 4096 fp16 values cross the link, in 6 steps.
        OpCost c = op.cost(100, 1, 1);
        assertEquals(2 * 0.75 * 4096 * 2, c.bytes(), 1e-9);
        assertEquals(6, c.dispatches());
      }
    }
    assertEquals(2 * 32 + 1, count);
    assertEquals(0, ops(graph("llama-2-7b", Parallelism.NONE)).stream()
        .filter(o -> ((Operator) o[0]).opClass() == OpClass.COMM).count());
  }

  /** The devices' matrix work adds up to the one device's: nothing is lost or counted twice. */
  @Test
  void tensorParallel_matrixOpsOfAllDevicesEqualOneDevice() {
    for (long[] call : new long[][] {{0, 512, 2}, {700, 1, 8}}) {
      double whole = matrixOps(graph("llama-2-7b", Parallelism.NONE), call);
      double share = matrixOps(graph("llama-2-7b", Parallelism.parse("tp:4")), call);
      assertEquals(whole, 4 * share, 1e-9 * whole);
    }
  }

  private static double matrixOps(ModelGraph g, long[] call) {
    double s = 0;
    for (Object[] o : ops(g)) {
      Operator op = (Operator) o[0];
      if (op.opClass() == OpClass.GEMM || op.opClass() == OpClass.BMM || op.opClass() == OpClass.LM_HEAD) {
        s += (int) o[1] * op.cost(call[0], call[1], (int) call[2]).ops();
      }
    }
    return s;
  }

  /** Fewer KV heads than devices: each device keeps one (replicated), so the KV cache per device stops shrinking. */
  @Test
  void tensorParallel_replicatesKvHeadsWhenFewerThanDevices() {
    // Llama-3.1-8B: 8 KV heads of 128 over 32 layers, fp16: 2 · 8 · 128 · 2 B = 4 KiB per layer and token.
    assertEquals(32 * 4096.0, graph("llama-3.1-8b", Parallelism.NONE).kvCacheBytes(1), 1e-9);
    assertEquals(32 * 4096.0 / 8, graph("llama-3.1-8b", Parallelism.parse("tp:8")).kvCacheBytes(1), 1e-9);
    // 16 devices cannot split 8 heads further, but 32 query heads still divide: one KV head each.
    assertEquals(32 * 4096.0 / 8, graph("llama-3.1-8b", Parallelism.parse("tp:16")).kvCacheBytes(1), 1e-9);
  }

  @Test
  void tensorParallel_thatDoesNotDivideTheHeads_isAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> graph("qwen2-7b", Parallelism.parse("tp:8")));
    assertTrue(e.getMessage().contains("tp:8 does not divide the 28 attention heads"), e.getMessage());
  }

  /** Per device, every operator's work is at least 1/N of the whole: N devices never decode more than N× faster. */
  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({"llama-2-70b, nvidia-h100-sxm5-80gb, 8", "llama-2-7b, amd-mi300x, 2", "mixtral-8x7b, intel-gaudi2, 4",
      "gpt-j-6b, nvidia-a100-sxm4-80gb, 2", "llama-3.1-8b, nvidia-rtx-4090, 4"})
  void tensorParallel_speedupIsAtMostTheDeviceCount(String model, String dev, int n) {
    Request r = new Request(1024, 128, 4);
    Forecast one = new Forecaster(graph(model, Parallelism.NONE), device(dev), life.stack.Efficiencies.of((device(dev)).kind()), Overlap.OPERATOR).forecast(r);
    Forecast tp = new Forecaster(graph(model, new Parallelism(Parallelism.Mode.TENSOR, n)), device(dev), life.stack.Efficiencies.of((device(dev)).kind()),
        Overlap.OPERATOR).forecast(r);
    assertTrue(tp.tpotMs() >= one.tpotMs() / n, tp.tpotMs() + " vs " + one.tpotMs());
    assertTrue(tp.ttftMs() >= one.ttftMs() / n, tp.ttftMs() + " vs " + one.ttftMs());
    assertTrue(tp.weightsGib() < one.weightsGib() / n * 1.05, "weights per device");
  }

  /** Llama-2-70B at batch 1 is read-bound: over 8 NVLink H100s its decode step is over twice as fast (not 8×: kernel
   * launches and the all-reduces' steps stay). */
  @Test
  void tensorParallel_speedsUpABandwidthBoundDecode() {
    Request r = new Request(512, 256, 1);
    HardwareSpec h100 = device("nvidia-h100-sxm5-80gb");
    double one = new Forecaster(graph("llama-2-70b", Parallelism.NONE), h100, life.stack.Efficiencies.of((h100).kind()), Overlap.OPERATOR).forecast(r).tpotMs();
    double eight = new Forecaster(graph("llama-2-70b", Parallelism.parse("tp:8")), h100, life.stack.Efficiencies.of((h100).kind()), Overlap.OPERATOR)
        .forecast(r).tpotMs();
    assertTrue(eight < one / 2 && eight > one / 8, eight + " vs " + one);
  }

  /** A layer split runs the same operators one device after the other: same times, 1/N of the memory per device. */
  @Test
  void layerSplit_keepsTheTimesAndSplitsTheMemory() {
    Request r = new Request(2048, 256, 2);
    HardwareSpec h = device("nvidia-rtx-3090");
    Forecast one = new Forecaster(graph("llama-2-13b", Parallelism.NONE), h, life.stack.Efficiencies.of((h).kind()), Overlap.OPERATOR).forecast(r);
    Forecast split = new Forecaster(graph("llama-2-13b", Parallelism.parse("layer:4")), h, life.stack.Efficiencies.of((h).kind()), Overlap.OPERATOR)
        .forecast(r);
    assertEquals(one.ttftMs(), split.ttftMs(), 0);
    assertEquals(one.tpotMs(), split.tpotMs(), 0);
    assertEquals(one.weightsGib() / 4, split.weightsGib(), 1e-12);
    assertEquals(one.kvCacheGib() / 4, split.kvCacheGib(), 1e-12);
    assertTrue(!one.fits() && split.fits(), "26 GB of fp16 weights fit over four 24 GB cards, not on one");
  }

  /**
   * A chunked prefill pipelines over a layer split: 8 chunks through 4 devices take (8 + 3) / (8 · 4) of the one-device
   * time; in groups of 4 chunks (llama.cpp's -b 2048 over -ub 512) (8 + 2 · 3) / 32. Decode steps are not pipelined.
   */
  @Test
  void layerSplit_pipelinesPrefillChunks() {
    HardwareSpec h = device("nvidia-rtx-4090");
    Forecaster one = new Forecaster(graph("llama-3.1-8b", Parallelism.NONE), h, life.stack.Efficiencies.of((h).kind()), Overlap.OPERATOR);
    Forecaster four = new Forecaster(graph("llama-3.1-8b", Parallelism.parse("layer:4")), h, life.stack.Efficiencies.of((h).kind()), Overlap.OPERATOR);
    Request r = new Request(4096, 64, 1, 512);
    Forecast a = one.forecast(r);
    Forecast b = four.forecast(r);
    assertEquals(a.ttftMs() * 11 / 32, b.ttftMs(), 1e-9 * a.ttftMs());
    assertEquals(a.tpotMs(), b.tpotMs(), 0);
    assertEquals(one.prefillSeconds(0, 4096, 1, 512) * 14 / 32, four.prefillSeconds(0, 4096, 1, 512, 4),
        1e-12);
    assertEquals(one.prefillSeconds(100, 512, 1, 512), four.prefillSeconds(100, 512, 1, 512, 4), 0,
        "one chunk has nothing to pipeline");
  }

  /** In a direct mesh a collective over N devices uses N − 1 peer links; behind a switch every pair gets the full rate. */
  @ParameterizedTest(name = "{0} over {1}")
  @CsvSource({"amd-mi300x, 2, 64", "amd-mi300x, 4, 192", "amd-mi300x, 8, 448", "intel-gaudi2, 8, 262.5",
      "nvidia-h100-sxm5-80gb, 2, 450", "nvidia-h100-sxm5-80gb, 8, 450", "nvidia-rtx-4090, 4, 31.5"})
  void linkBandwidth_ofACollective(String dev, int n, double gbps) {
    assertEquals(gbps * 1e9, device(dev).linkBytesPerSecond(n), 1e-3);
  }

  @Test
  void tensorParallel_onADeviceWithoutALinkFigure_isAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Forecaster(graph("llama-2-7b", Parallelism.parse("tp:2")), device("apple-m2-max-38c"), life.stack.Efficiencies.of((device("apple-m2-max-38c")).kind()),
            Overlap.OPERATOR));
    assertTrue(e.getMessage().contains("has no link_gbps figure"), e.getMessage());
  }
}
