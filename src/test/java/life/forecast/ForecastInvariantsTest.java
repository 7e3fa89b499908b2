package life.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import life.catalog.HardwareCatalog;
import life.catalog.ModelCatalog;
import life.ops.Counting;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.ops.ModelGraph;
import life.spec.DType;
import life.spec.HardwareSpec;
import life.spec.Limits;
import life.stack.Conventions;
import life.stack.Efficiencies;
import life.stack.Stacks;
import life.spec.ModelSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties that need no oracle, over model families, devices, overlap and counting modes. */
final class ForecastInvariantsTest {
  private static final List<String> MODELS = List.of("llama-2-7b", "mistral-7b", "gemma-2-2b", "gemma-3-4b",
      "mixtral-8x7b", "qwen3-30b-a3b", "deepseek-v2-lite", "gpt-j-6b", "bloom-7b1", "opt-6.7b", "falcon-7b",
      "decilm-7b", "phi-3-mini", "qwen2.5-7b");
  private static final List<String> DEVICES = List.of("nvidia-v100-sxm2", "nvidia-rtx-4090", "amd-ryzen-ai-9-hx-370-cpu",
      "apple-m2-max-38c", "nvidia-h100-sxm5-80gb");

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    int k = 0;
    for (String m : MODELS) {
      for (Overlap o : Overlap.values()) {
        for (Counting c : Counting.values()) {
          out.add(Arguments.of(m, DEVICES.get(k++ % DEVICES.size()), o, c));
        }
      }
    }
    return out.stream();
  }

  private static Forecaster forecaster(String model, HardwareSpec h, Overlap o, Counting c) {
    return forecaster(model, h, Efficiencies.of(h.kind()), o, c);
  }

  private static Forecaster forecaster(String model, HardwareSpec h, Efficiencies e, Overlap o, Counting c) {
    ModelGraph g = GraphBuilder.build(ModelCatalog.builtIn().resolve(model),
        GraphOptions.defaults(DType.FP16).withCounting(c));
    return new Forecaster(g, h, e, o);
  }

  private static HardwareSpec device(String id) {
    return HardwareCatalog.builtIn().resolve(id);
  }

  private static HardwareSpec scaled(HardwareSpec h, double computeScale, double bandwidthScale) {
    Map<DType, Double> peaks = new EnumMap<>(DType.class);
    h.peakOpsPerSecond().forEach((d, v) -> peaks.put(d, v * computeScale));
    return new HardwareSpec(h.id(), h.name(), h.kind(), peaks, h.memBytesPerSecond() * bandwidthScale, h.memBytes(),
        h.linkBytesPerSecond(), h.linkPeerBytesPerSecond(), h.tdpW(), h.priceUsd(), h.source(), h.memory());
  }

  /**
   * Decode's own efficiencies (a per-phase profile) change the decode steps only: the prefill is the same to the bit,
   * and a lower decode memory efficiency slows every step.
   */
  @ParameterizedTest(name = "{0} on {1}, {2}, {3}")
  @MethodSource("cases")
  void decodeEfficiency_changesOnlyDecode(String model, String dev, Overlap o, Counting c) {
    HardwareSpec h = device(dev);
    Request r = new Request(700, 50, 2);
    Forecast base = forecaster(model, h, o, c).forecast(r);
    Efficiencies e = Efficiencies.of(h.kind());
    Forecast slow = forecaster(model, h, e.withDecode(e.computeEff() / 2, e.memEff() / 2), o, c).forecast(r);
    assertEquals(base.ttftMs(), slow.ttftMs(), 0);
    assertTrue(slow.tpotMs() > base.tpotMs(), slow.tpotMs() + " vs " + base.tpotMs());
    Forecast same = forecaster(model, h, e.withDecode(e.computeEff(), e.memEff()), o, c).forecast(r);
    assertEquals(base.tpotMs(), same.tpotMs(), 1e-12 * base.tpotMs());
  }

  @ParameterizedTest(name = "{0} on {1}, {2}, {3}")
  @MethodSource("cases")
  void moreBandwidth_neverSlowsDecode(String model, String dev, Overlap o, Counting c) {
    HardwareSpec h = device(dev);
    Request r = new Request(1000, 200, 4);
    double base = forecaster(model, h, o, c).forecast(r).tpotMs();
    for (double s : new double[] {1.5, 2, 10}) {
      double faster = forecaster(model, scaled(h, 1, s), o, c).forecast(r).tpotMs();
      assertTrue(faster <= base * (1 + 1e-12), model + ": " + faster + " > " + base);
    }
  }

  @ParameterizedTest(name = "{0} on {1}, {2}, {3}")
  @MethodSource("cases")
  void moreCompute_neverSlowsPrefill(String model, String dev, Overlap o, Counting c) {
    HardwareSpec h = device(dev);
    Request r = new Request(2048, 1, 2);
    double base = forecaster(model, h, o, c).forecast(r).ttftMs();
    for (double s : new double[] {1.5, 2, 10}) {
      double faster = forecaster(model, scaled(h, s, 1), o, c).forecast(r).ttftMs();
      assertTrue(faster <= base * (1 + 1e-12), model + ": " + faster + " > " + base);
    }
  }

  @ParameterizedTest(name = "{0} on {1}, {2}, {3}")
  @MethodSource("cases")
  void ttftAndE2e_neverDecreaseWithPromptLength(String model, String dev, Overlap o, Counting c) {
    Forecaster f = forecaster(model, device(dev), o, c);
    double ttft = 0;
    double e2e = 0;
    for (long p : new long[] {1, 2, 16, 100, 511, 512, 1023, 2048, 4095, 4096, 4097, 8000, 16384}) {
      Forecast x = f.forecast(new Request(p, 64, 2));
      assertTrue(x.ttftMs() >= ttft, model + " TTFT at prompt " + p);
      assertTrue(x.e2eMs() >= e2e, model + " E2E at prompt " + p);
      ttft = x.ttftMs();
      e2e = x.e2eMs();
    }
  }

  /**
   * At the limits of the counts ({@link Limits}: every length 2²⁴ tokens, a batch of 2¹⁶), in one call and in chunks:
   * TTFT, TPOT, the rates and memory are finite and positive and above those of half the prompt and half the batch,
   * and the memory is beyond the device, so the forecast does not fit; a request that fits says so.
   */
  @ParameterizedTest(name = "{0} on {1}, {2}, {3}")
  @MethodSource("cases")
  void forecastAtTheLimits_isFinitePositiveAndDoesNotFit(String model, String dev, Overlap o, Counting c) {
    HardwareSpec h = device(dev);
    Forecaster f = forecaster(model, h, o, c);
    long t = Limits.MAX_TOKENS;
    int b = Limits.MAX_BATCH;
    for (long chunk : new long[] {0, 512}) {
      Forecast x = f.forecast(new Request(t, t, b, chunk, t, 0));
      Forecast half = f.forecast(new Request(t / 2, t, b / 2, chunk, t, 0));
      for (double v : new double[] {x.ttftMs(), x.tpotMs(), x.tps(), x.throughputTps(), x.e2eMs(), x.prefillTps(),
          x.memoryGib(), x.kvCacheGib()}) {
        assertTrue(v > 0 && Double.isFinite(v), model + " chunk " + chunk + ": " + x);
      }
      assertTrue(x.ttftMs() > half.ttftMs(), model + " TTFT " + x.ttftMs() + " <= " + half.ttftMs());
      assertTrue(x.tpotMs() > half.tpotMs(), model + " TPOT " + x.tpotMs() + " <= " + half.tpotMs());
      assertTrue(x.e2eMs() > half.e2eMs(), model + " E2E " + x.e2eMs() + " <= " + half.e2eMs());
      assertTrue(x.kvCacheGib() > half.kvCacheGib(), model + " KV " + x.kvCacheGib() + " <= " + half.kvCacheGib());
      assertTrue(x.memoryGib() * HardwareSpec.GIB > h.memBytes(), model + " memory " + x.memoryGib());
      assertFalse(x.fits(), model + " fits at the limits");
    }
    Forecast small = f.forecast(new Request(128, 16, 1));
    assertEquals(small.memoryGib() * HardwareSpec.GIB <= h.memBytes(), small.fits(), model + " " + small);
  }

  /**
   * With vLLM's V1 kernel counted (ROCm), decode reads K/V per query head up to a context of 8,192 tokens and per KV
   * head after it: the closed form still equals the loop across that switch, and the switch shows in the step times.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mistral-7b", "gemma-2-2b"})
  void pagedV1Decode_closedFormEqualsLoopAcrossTheContextLimit(String model) {
    ModelSpec m = ModelCatalog.builtIn().resolve(model);
    GraphOptions o = Conventions.apply(Stacks.parse("vllm/rocm@2024-10"), GraphOptions.defaults(DType.FP16));
    Forecaster f = new Forecaster(GraphBuilder.build(m, o), device("amd-mi300x"), Efficiencies.of((device("amd-mi300x")).kind()), Overlap.OPERATOR);
    int batch = 600;
    Request r = new Request(8100, 200, batch);
    double loop = 0;
    for (long j = 1; j < r.output(); j++) {
      loop += f.callSeconds(r.prompt() + j - 1, 1, batch);
    }
    Forecast x = f.forecast(r);
    assertEquals(loop, (x.e2eMs() - x.ttftMs()) / 1e3, 1e-9 * loop);
    assertTrue(f.callSeconds(8191, 1, batch) > f.callSeconds(8192, 1, batch), "V1 at 8,192 tokens, V2 after");
  }

  /**
   * A cache grown by concatenation (Hugging Face transformers) reads and writes the whole cache each step: the closed
   * form equals the loop (sliding windows included), and each step costs more than with an appended cache by the time
   * of moving the cache twice more.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"llama-2-7b", "gemma-2-2b"})
  void concatenatedCache_closedFormEqualsLoopAndCostsTwoCacheCopies(String model) {
    ModelSpec m = ModelCatalog.builtIn().resolve(model);
    GraphOptions o = Conventions.apply(Stacks.parse("transformers/cuda"), GraphOptions.defaults(DType.FP16));
    HardwareSpec dev = device("nvidia-v100-sxm2");
    Forecaster f = new Forecaster(GraphBuilder.build(m, o), dev, Efficiencies.of((dev).kind()), Overlap.OPERATOR);
    Forecaster appended = new Forecaster(GraphBuilder.build(m, GraphOptions.defaults(DType.FP16)), dev, Efficiencies.of((dev).kind()),
        Overlap.OPERATOR);
    Request r = new Request(4000, 300, 2);
    double loop = 0;
    for (long j = 1; j < r.output(); j++) {
      loop += f.callSeconds(r.prompt() + j - 1, 1, r.batch());
    }
    Forecast x = f.forecast(r);
    assertEquals(loop, (x.e2eMs() - x.ttftMs()) / 1e3, 1e-9 * loop);
    double cacheBytes = f.kvCacheBytesPerDevice(1000) * 2;
    double extra = f.callSeconds(999, 1, 2) - appended.callSeconds(999, 1, 2);
    assertEquals(2 * cacheBytes / (dev.memBytesPerSecond() * Efficiencies.of(dev.kind()).memEff()), extra, 0.02 * extra);
  }

  /**
   * A cost per sequence and cached token adds {@code batch × context × cost} to every sampling call: the prefill's
   * (context = prompt) and each decode step's (prompt + j for step j = 1 … output − 1), in closed form as in the loop,
   * across sliding-window breakpoints.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"llama-2-7b", "gemma-2-2b"})
  void contextCost_addsBatchTimesContextToEverySamplingCall(String model) {
    HardwareSpec plain = device("nvidia-h100-sxm5-80gb");
    Efficiencies costly = Efficiencies.of(plain.kind()).withHost(0, 0, 20e-9, 0);
    long prompt = 4000;
    long output = 300;
    int batch = 3;
    Request r = new Request(prompt, output, batch);
    Forecast a = forecaster(model, plain, Overlap.OPERATOR, Counting.CAUSAL).forecast(r);
    Forecaster f = forecaster(model, plain, costly, Overlap.OPERATOR, Counting.CAUSAL);
    Forecast b = f.forecast(r);
    assertEquals(batch * prompt * 20e-9 * 1e3, b.ttftMs() - a.ttftMs(), 1e-9);
    double steps = output - 1;
    double decodeMs = batch * 20e-9 * (steps * prompt + steps * (steps + 1) / 2) * 1e3;
    assertEquals(decodeMs, (b.e2eMs() - b.ttftMs()) - (a.e2eMs() - a.ttftMs()), 1e-9);
    double loop = 0;
    for (long j = 1; j < output; j++) {
      loop += f.callSeconds(prompt + j - 1, 1, batch);
    }
    assertEquals(loop, (b.e2eMs() - b.ttftMs()) / 1e3, 1e-9 * loop);
  }

  /**
   * The grouped-query cost ({@code gqa_ns}) is paid per sequence, query head of a grouped-query layer and cached token
   * of every decode step, and nowhere else: Llama-3-8B has 32 such layers of 32 query heads (1,024), Qwen2.5-7B 28 of
   * 28 (784), Llama-2-7B (one KV head per query head) none; the prefill is unchanged to the bit.
   */
  @ParameterizedTest(name = "{0}: {1} grouped query heads")
  @CsvSource({"llama-2-7b, 0", "llama-3-8b, 1024", "qwen2.5-7b, 784"})
  void groupedQueryCost_addsQueryHeadsTimesContextToEveryDecodeStep(String model, int groupedHeads) {
    HardwareSpec plain = device("amd-mi300x");
    long prompt = 2048;
    long output = 300;
    int batch = 3;
    Request r = new Request(prompt, output, batch);
    Forecast a = forecaster(model, plain, Overlap.OPERATOR, Counting.CAUSAL).forecast(r);
    Forecaster f = forecaster(model, plain, Efficiencies.of(plain.kind()).withHost(0, 0, 0, 2e-9), Overlap.OPERATOR,
        Counting.CAUSAL);
    Forecast b = f.forecast(r);
    assertEquals(a.ttftMs(), b.ttftMs(), 0);
    double steps = output - 1;
    double decodeMs = batch * groupedHeads * 2e-9 * (steps * prompt + steps * (steps + 1) / 2) * 1e3;
    assertEquals(decodeMs, (b.e2eMs() - b.ttftMs()) - (a.e2eMs() - a.ttftMs()), 1e-9 * Math.max(1, decodeMs));
    double loop = 0;
    for (long j = 1; j < output; j++) {
      loop += f.callSeconds(prompt + j - 1, 1, batch);
    }
    assertEquals(loop, (b.e2eMs() - b.ttftMs()) / 1e3, 1e-9 * loop);
  }

  /**
   * The breakdown, summed in closed form, equals the explicit calls: each operator's ops and bytes over every prefill
   * chunk (the LM head in the last only) and the mean decode step, and with the per-operator roofline its rows add up
   * to TTFT and TPOT. At the limits of the counts its rows are finite and still add up.
   */
  @ParameterizedTest(name = "{0} on {1}, {2}, {3}")
  @MethodSource("cases")
  void breakdown_equalsTheExplicitCalls(String model, String dev, Overlap o, Counting c) {
    Forecaster f = forecaster(model, device(dev), o, c);
    List<life.ops.Operator> ops = new ArrayList<>(f.graph().head());
    List<Integer> mult = new ArrayList<>(java.util.Collections.nCopies(ops.size(), 1));
    for (ModelGraph.LayerGroup g : f.graph().groups()) {
      ops.addAll(g.ops());
      mult.addAll(java.util.Collections.nCopies(g.ops().size(), g.count()));
    }
    ops.addAll(f.graph().tail());
    mult.addAll(java.util.Collections.nCopies(f.graph().tail().size(), 1));
    for (long[] shape : new long[][] {{1000, 30, 2, 256, 100}, {4090, 20, 1, 0, 0}, {300, 1, 3, 64, 0},
        {0, 9, 2, 0, 700}}) {
      Request r = new Request(shape[0], shape[1], (int) shape[2], shape[3], shape[4], 0);
      List<OpTiming> rows = f.breakdown(r);
      List<OpTiming> pre = rows.stream().filter(x -> x.phase().equals("prefill")).limit(ops.size()).toList();
      List<OpTiming> dec = rows.stream().filter(x -> x.phase().equals("decode")).limit(ops.size()).toList();
      long chunk = r.chunkSize();
      long steps = Math.max(r.output() - 1, 1);
      for (int i = 0; i < ops.size(); i++) {
        double preOps = 0;
        double preBytes = 0;
        for (long p = 0; p < r.prompt(); p += chunk) {
          if (p + chunk < r.prompt() && ops.get(i).sampling()) {
            continue;
          }
          life.ops.OpCost k = ops.get(i).cost(r.context() + p, Math.min(chunk, r.prompt() - p), r.batch());
          preOps += k.ops();
          preBytes += k.bytes();
        }
        double decOps = 0;
        double decBytes = 0;
        for (long j = 0; j < steps; j++) {
          life.ops.OpCost k = ops.get(i).cost(r.context() + r.prompt() + j, 1, r.batch());
          decOps += k.ops();
          decBytes += k.bytes();
        }
        String what = model + " " + r + " " + ops.get(i).name();
        assertEquals(mult.get(i) * preOps / 1e9, pre.get(i).gops(), 1e-9 * pre.get(i).gops() + 1e-15, what);
        assertEquals(mult.get(i) * preBytes / 1e9, pre.get(i).gb(), 1e-9 * pre.get(i).gb() + 1e-15, what);
        assertEquals(mult.get(i) * decOps / steps / 1e9, dec.get(i).gops(), 1e-9 * dec.get(i).gops() + 1e-15, what);
        assertEquals(mult.get(i) * decBytes / steps / 1e9, dec.get(i).gb(), 1e-9 * dec.get(i).gb() + 1e-15, what);
      }
      assertRowsAddUp(f.forecast(r), rows, o, model + " " + r);
    }
    long t = Limits.MAX_TOKENS;
    Request limits = new Request(t, t, Limits.MAX_BATCH, 512, t, 0);
    List<OpTiming> rows = f.breakdown(limits);
    for (OpTiming x : rows) {
      for (double v : new double[] {x.gops(), x.gb(), x.timeMs()}) {
        assertTrue(v >= 0 && Double.isFinite(v), model + " " + x);
      }
    }
    assertRowsAddUp(f.forecast(limits), rows, o, model + " at the limits");
  }

  private static void assertRowsAddUp(Forecast x, List<OpTiming> rows, Overlap o, String what) {
    if (o != Overlap.OPERATOR) {
      return;
    }
    double pre = rows.stream().filter(r -> r.phase().equals("prefill")).mapToDouble(OpTiming::timeMs).sum();
    double dec = rows.stream().filter(r -> r.phase().equals("decode")).mapToDouble(OpTiming::timeMs).sum();
    assertEquals(x.ttftMs(), pre, 1e-9 * x.ttftMs(), what + " TTFT");
    assertEquals(x.tpotMs(), dec, 1e-9 * x.tpotMs(), what + " TPOT");
  }

  /** The closed-form decode equals the explicit loop over tokens, across sliding-window breakpoints. */
  @ParameterizedTest(name = "{0} on {1}, {2}, {3}")
  @MethodSource("cases")
  void closedFormDecode_equalsTokenLoop(String model, String dev, Overlap o, Counting c) {
    Forecaster f = forecaster(model, device(dev), o, c);
    for (long[] shape : new long[][] {{1, 2, 1}, {7, 33, 3}, {1000, 100, 1}, {4000, 300, 2}, {1020, 10, 1},
        {4090, 20, 8}}) {
      Request r = new Request(shape[0], shape[1], (int) shape[2]);
      Forecast x = f.forecast(r);
      double loop = 0;
      for (long j = 1; j < r.output(); j++) {
        loop += f.callSeconds(r.prompt() + j - 1, 1, r.batch());
      }
      double closed = (x.e2eMs() - x.ttftMs()) / 1e3;
      assertEquals(loop, closed, 1e-9 * loop, model + " " + r);
      assertEquals(loop / (r.output() - 1) * 1e3, x.tpotMs(), 1e-9 * x.tpotMs(), model + " TPOT " + r);
      assertEquals(f.callSeconds(0, r.prompt(), r.batch()) * 1e3, x.ttftMs(), 1e-9 * x.ttftMs());
    }
  }

  @ParameterizedTest(name = "{0} on {1}, {2}, {3}")
  @MethodSource("cases")
  void phaseOverlap_neverSlowerThanOperatorRoofline(String model, String dev, Overlap o, Counting c) {
    HardwareSpec h = device(dev);
    Request r = new Request(777, 50, 3);
    Forecast op = forecaster(model, h, Overlap.OPERATOR, c).forecast(r);
    Forecast ph = forecaster(model, h, Overlap.PHASE, c).forecast(r);
    assertTrue(ph.ttftMs() <= op.ttftMs() * (1 + 1e-12));
    assertTrue(ph.e2eMs() <= op.e2eMs() * (1 + 1e-12));
  }

  @ParameterizedTest(name = "kv heads {0}")
  @ValueSource(ints = {1, 2, 4, 8, 16, 32})
  void gqaKvBytes_scaleWithKvHeads(int kvHeads) {
    ModelSpec base = ModelCatalog.builtIn().resolve("llama-2-7b");
    ModelSpec gqa = withKvHeads(base, kvHeads);
    ModelGraph g = GraphBuilder.build(gqa, GraphOptions.defaults(DType.FP16));
    // 2 (K and V) × layers × kv heads × head_dim × 2 bytes per token.
    assertEquals(2.0 * 32 * kvHeads * 128 * 2, g.kvCacheBytes(1), 0);
    ModelGraph mha = GraphBuilder.build(base, GraphOptions.defaults(DType.FP16));
    assertEquals((double) kvHeads / 32, g.kvCacheBytes(5000) / mha.kvCacheBytes(5000), 1e-12);
    // The attention products' KV reads in decode follow the same ratio.
    assertEquals((double) kvHeads / 32, kvRead(g, 4096) / kvRead(mha, 4096), 1e-12);
  }

  private static double kvRead(ModelGraph g, long past) {
    double b = 0;
    for (ModelGraph.LayerGroup grp : g.groups()) {
      for (var op : grp.ops()) {
        if (op instanceof life.ops.Operator.AttentionBmm) {
          var c = op.cost(past, 1, 1);
          b += grp.count() * (c.bytes() - op.transientBytes(c, past, 1, 1));
        }
      }
    }
    return b;
  }

  private static ModelSpec withKvHeads(ModelSpec m, int kv) {
    List<ModelSpec.LayerSpec> layers = m.layers().stream()
        .map(l -> new ModelSpec.LayerSpec(kv, l.window(), l.moe())).toList();
    return new ModelSpec(m.id(), m.modelType(), m.hidden(), m.heads(), m.headDim(), m.intermediate(), m.vocab(),
        layers, m.mlp(), m.activation(), m.norm(), m.parallelBlock(), m.normsPerLayer(), m.qkNorm(), m.bias(),
        m.tieEmbeddings(), m.position(), m.rotaryDim(), m.learnedPositions(), m.embeddingNorm(), m.maxPosition(),
        m.moe(), m.mla(), m.dtype());
  }
}
