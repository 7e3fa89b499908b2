package life.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import life.catalog.HardwareCatalog;
import life.catalog.ModelCatalog;
import life.ops.AttentionVariant;
import life.ops.Fusion;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.ops.Lora;
import life.ops.ModelGraph;
import life.ops.OpCost;
import life.ops.Operator;
import life.ops.WeightFormat;
import life.spec.DType;
import life.spec.HardwareSpec;
import life.spec.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What each optimization must do to the counts, whatever the model. */
final class OptimizationInvariantsTest {
  static Stream<String> models() {
    return Stream.of("llama-2-7b", "llama-3.1-8b", "mistral-7b", "gemma-2-2b", "qwen2.5-7b", "mixtral-8x7b",
        "qwen3-30b-a3b", "deepseek-v2-lite", "gpt-j-6b", "bloom-7b1", "opt-6.7b", "falcon-7b", "phi-3-mini");
  }

  static Stream<String> moeModels() {
    return Stream.of("mixtral-8x7b", "qwen3-30b-a3b", "deepseek-v2-lite");
  }

  private static final GraphOptions BASE = GraphOptions.defaults(DType.FP16);
  private static final HardwareSpec H100 = HardwareCatalog.builtIn().resolve("nvidia-h100-sxm5-80gb");

  private static ModelSpec model(String id) {
    return ModelCatalog.builtIn().resolve(id);
  }

  private static ModelGraph graph(String id, GraphOptions o) {
    return GraphBuilder.build(model(id), o);
  }

  private static Forecaster forecaster(String id, GraphOptions o) {
    return new Forecaster(graph(id, o), H100, life.stack.Efficiencies.of((H100).kind()), Overlap.OPERATOR);
  }

  /** Bytes one decode step reads and writes in the (expert) linears of the decoder layers. */
  private static double linearBytes(ModelGraph g, long past, int batch) {
    double b = 0;
    for (ModelGraph.LayerGroup grp : g.groups()) {
      for (Operator op : grp.ops()) {
        if (op instanceof Operator.Linear || op instanceof Operator.ExpertLinear) {
          b += grp.count() * op.cost(past, 1, batch).bytes();
        }
      }
    }
    return b;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void int4Weights_cutDecodeWeightBytesAbout4x(String id) {
    double fp16 = linearBytes(graph(id, BASE), 500, 1);
    double int4 = linearBytes(graph(id, BASE.withWeights(WeightFormat.bits(4, 128))), 500, 1);
    // 16 / 4.25 bits = 3.76 for the weights; activations (unchanged) pull it slightly lower.
    assertTrue(fp16 / int4 > 3.6 && fp16 / int4 <= 16 / 4.25 + 1e-9, id + ": ratio " + fp16 / int4);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void kvBits_scaleKvBytes(String id) {
    ModelGraph g16 = graph(id, BASE);
    for (int bits : new int[] {8, 4}) {
      ModelGraph g = graph(id, BASE.withKv(bits, 1));
      assertEquals(16.0 / bits, g16.kvCacheBytes(3000) / g.kvCacheBytes(3000), 1e-12);
      double kvRead16 = forecaster(id, BASE).stepCost(3000, 1, 1).bytes() - forecaster(id, BASE).stepCost(1, 1, 1).bytes();
      Forecaster f = forecaster(id, BASE.withKv(bits, 1));
      double kvRead = f.stepCost(3000, 1, 1).bytes() - f.stepCost(1, 1, 1).bytes();
      assertTrue(kvRead < kvRead16, id + ": " + bits + "-bit KV reads " + kvRead + " vs " + kvRead16);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void flashAttention_removesQuadraticScoreTraffic(String id) {
    ModelGraph flash = graph(id, BASE.withFusion(EnumSet.of(Fusion.FLASH)));
    for (long l : new long[] {1024, 8192}) {
      double f1 = attentionBytes(flash, l);
      double f2 = attentionBytes(flash, 2 * l);
      assertTrue(f2 <= 2 * f1 * (1 + 1e-12), id + ": flash attention bytes grow faster than linearly");
    }
    Forecaster plain = forecaster(id, BASE);
    Forecaster fused = new Forecaster(flash, H100, life.stack.Efficiencies.of((H100).kind()), Overlap.OPERATOR);
    assertTrue(fused.stepCost(0, 4096, 1).bytes() < plain.stepCost(0, 4096, 1).bytes());
    assertEquals(plain.stepCost(0, 4096, 1).ops(), fused.stepCost(0, 4096, 1).ops(), 1e-9
        * plain.stepCost(0, 4096, 1).ops(), "fusion keeps the ops");
  }

  private static double attentionBytes(ModelGraph g, long prompt) {
    double b = 0;
    for (ModelGraph.LayerGroup grp : g.groups()) {
      for (Operator op : grp.ops()) {
        if (op instanceof Operator.FlashAttention) {
          b += grp.count() * op.cost(0, prompt, 1).bytes();
        }
      }
    }
    assertTrue(b > 0);
    return b;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void everyFusion_removesDispatchesAndKeepsOps(String id) {
    Forecaster plain = forecaster(id, BASE);
    Forecaster fused = forecaster(id, BASE.withFusion(EnumSet.allOf(Fusion.class)));
    OpCost p = plain.stepCost(700, 1, 2);
    OpCost f = fused.stepCost(700, 1, 2);
    assertTrue(f.dispatches() < p.dispatches());
    assertTrue(f.bytes() < p.bytes());
    // Fusion moves no multiply or add (the final norm's fused add is the last layer's residual: +hidden per token).
    assertEquals(p.ops(), f.ops(), 1e-6 * p.ops(), id);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void chunkedPrefill_neverReducesOpsBytesOrTtft(String id) {
    Forecaster f = forecaster(id, BASE);
    Request whole = new Request(3000, 16, 2);
    Forecast w = f.forecast(whole);
    for (long chunk : new long[] {1, 7, 256, 512, 1000, 2999, 3000, 5000}) {
      Forecast c = f.forecast(new Request(3000, 16, 2, chunk));
      assertEquals(w.prefillGops(), c.prefillGops(), 1e-9 * w.prefillGops(), id + " chunk " + chunk);
      assertTrue(c.prefillGb() >= w.prefillGb() * (1 - 1e-12), id + " chunk " + chunk);
      assertTrue(c.ttftMs() >= w.ttftMs() * (1 - 1e-12), id + " chunk " + chunk);
    }
  }

  /** Chunk sums in closed form equal the explicit loop over chunk calls, across window breakpoints and keep ratios. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void chunkedPrefill_closedFormEqualsChunkLoop(String id) {
    for (GraphOptions o : List.of(BASE, BASE.withKv(16, 0.37), BASE.withAttention(AttentionVariant.NATIVE, 1000),
        BASE.withKv(8, 0.5).withAttention(AttentionVariant.NATIVE, 700))) {
      for (Overlap ov : Overlap.values()) {
        Forecaster f = new Forecaster(graph(id, o), H100, life.stack.Efficiencies.of((H100).kind()), ov);
        for (long[] s : new long[][] {{5000, 512}, {3000, 1000}, {999, 100}, {4096, 4096}, {6000, 7}}) {
          Forecast c = f.forecast(new Request(s[0], 40, 3, s[1]));
          double loop = 0;
          for (long p = 0; p < s[0]; p += s[1]) {
            loop += f.callSeconds(p, Math.min(s[1], s[0] - p), 3, p + s[1] >= s[0]);
          }
          assertEquals(loop * 1e3, c.ttftMs(), 1e-9 * c.ttftMs(), id + " " + o + " " + ov + " " + s[0] + "/" + s[1]);
          double dec = 0;
          for (long j = 1; j < 40; j++) {
            dec += f.callSeconds(s[0] + j - 1, 1, 3);
          }
          assertEquals(dec * 1e3, c.e2eMs() - c.ttftMs(), 1e-9 * dec * 1e3, id + " decode " + o);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} rank {1}")
  @MethodSource("loraCases")
  void unmergedLora_neverBeatsMerged(String id, int rank) {
    Forecast merged = forecaster(id, BASE.withLora(Lora.of(rank, Lora.Mode.MERGED, "all")))
        .forecast(new Request(1000, 64, 4));
    Forecast unmerged = forecaster(id, BASE.withLora(Lora.of(rank, Lora.Mode.UNMERGED, "all")))
        .forecast(new Request(1000, 64, 4));
    Forecast inline = forecaster(id, BASE.withLora(Lora.of(rank, Lora.Mode.INLINE, "all")))
        .forecast(new Request(1000, 64, 4));
    assertTrue(unmerged.ttftMs() > merged.ttftMs() && unmerged.tpotMs() > merged.tpotMs());
    assertTrue(inline.ttftMs() > merged.ttftMs());
    assertEquals(merged.tpotMs(), inline.tpotMs(), 1e-9 * merged.tpotMs(), "inline merge costs only the first call");
    Forecast none = forecaster(id, BASE).forecast(new Request(1000, 64, 4));
    assertEquals(none.ttftMs(), merged.ttftMs(), 1e-9 * none.ttftMs(), "merged ahead of time is free");
  }

  static Stream<Object[]> loraCases() {
    return Stream.of(new Object[] {"llama-2-7b", 8}, new Object[] {"llama-2-7b", 128}, new Object[] {"mistral-7b", 16},
        new Object[] {"gpt-j-6b", 64}, new Object[] {"phi-3-mini", 32}, new Object[] {"mixtral-8x7b", 16});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("moeModels")
  void moeDecodeAtBatch1_readsOnlyActiveExperts(String id) {
    ModelSpec m = model(id);
    ModelGraph g = graph(id, BASE);
    var moe = m.moe().orElseThrow();
    for (ModelGraph.LayerGroup grp : g.groups()) {
      for (Operator op : grp.ops()) {
        if (op instanceof Operator.ExpertLinear e) {
          double weights = op.cost(100, 1, 1).bytesRead() - e.active() * e.in() * 2.0;
          assertEquals((double) moe.active() * e.in() * e.out() * 2, weights, 1e-6 * weights, e.name());
          // A large batch touches nearly every expert, never more.
          double many = op.cost(100, 1, 512).bytesRead() - 512.0 * e.active() * e.in() * 2;
          assertTrue(many <= (double) moe.experts() * e.in() * e.out() * 2 * (1 + 1e-12));
        }
      }
    }
  }

  @Test
  void mlaKvBytesPerToken_isLatentPlusRopeTimesLayers() {
    ModelSpec m = model("deepseek-v2-lite");
    var mla = m.mla().orElseThrow();
    for (int bits : new int[] {16, 8, 4}) {
      ModelGraph g = graph("deepseek-v2-lite", BASE.withKv(bits, 1));
      assertEquals((double) (mla.kvLoraRank() + mla.qkRopeHeadDim()) * m.layerCount() * bits / 8, g.kvCacheBytes(1),
          1e-9);
    }
    assertEquals((512 + 64) * 27 * 2.0, graph("deepseek-v2-lite", BASE).kvCacheBytes(1), 0);
  }

  @ParameterizedTest(name = "window {0}")
  @ValueSource(ints = {128, 1024, 4096})
  void slidingWindow_capsKvAtTheWindow(int window) {
    ModelGraph g = graph("llama-2-7b", BASE.withAttention(AttentionVariant.NATIVE, window));
    assertEquals(g.kvCacheBytes(window), g.kvCacheBytes(window + 1), 0);
    assertEquals(g.kvCacheBytes(window), g.kvCacheBytes(100_000), 0);
    assertTrue(g.kvCacheBytes(window - 1) < g.kvCacheBytes(window));
    Forecaster f = new Forecaster(g, H100, life.stack.Efficiencies.of((H100).kind()), Overlap.OPERATOR);
    // Decode cost stops growing once the context passes the window.
    assertEquals(f.callSeconds(window + 10, 1, 1), f.callSeconds(window + 5000, 1, 1), 1e-15);
    assertTrue(f.callSeconds(window / 2, 1, 1) < f.callSeconds(window + 10, 1, 1));
  }

  @Test
  void mistral_nativeWindowCapsKv() {
    ModelGraph g = graph("mistral-7b", BASE);
    assertEquals(g.kvCacheBytes(4096), g.kvCacheBytes(32_000), 0);
  }

  @Test
  void kvKeep_scalesKvAndNeverSlowsDecode() {
    ModelGraph full = graph("llama-2-7b", BASE);
    ModelGraph half = graph("llama-2-7b", BASE.withKv(16, 0.5));
    assertEquals(0.5, half.kvCacheBytes(8000) / full.kvCacheBytes(8000), 1e-12);
    Forecast a = new Forecaster(full, H100, life.stack.Efficiencies.of((H100).kind()), Overlap.OPERATOR).forecast(new Request(8000, 100, 8));
    Forecast b = new Forecaster(half, H100, life.stack.Efficiencies.of((H100).kind()), Overlap.OPERATOR).forecast(new Request(8000, 100, 8));
    assertTrue(b.tpotMs() < a.tpotMs());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mha", "gqa:8", "gqa:4", "mqa"})
  void attentionVariants_setKvHeads(String variant) {
    ModelGraph g = graph("llama-2-7b", BASE.withAttention(AttentionVariant.parse(variant), -1));
    int kv = switch (variant) {
      case "mha" -> 32;
      case "mqa" -> 1;
      default -> Integer.parseInt(variant.substring(4));
    };
    assertEquals(2.0 * 32 * kv * 128 * 2, g.kvCacheBytes(1), 0);
  }

  @Test
  void badVariants_areRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> graph("llama-2-7b", BASE.withAttention(AttentionVariant.parse("mla"), -1)));
    assertTrue(e.getMessage().contains("kv_lora_rank"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> graph("llama-2-7b", BASE.withAttention(AttentionVariant.parse("gqa:5"), -1)));
    assertTrue(e.getMessage().contains("does not divide"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> graph("llama-2-7b", BASE.withAttention(AttentionVariant.parse("gqa"), -1)));
    assertTrue(e.getMessage().contains("gqa:N"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> graph("deepseek-v2-lite", BASE.withAttention(AttentionVariant.parse("mha"), -1)));
    assertTrue(e.getMessage().contains("MLA"), e.getMessage());
  }

  @Test
  void activationQuantization_usesTheIntegerPeak() {
    ModelGraph w8a8 = graph("llama-2-7b", BASE.withWeights(WeightFormat.bits(8, 128))
        .withActQuant(life.ops.ActQuant.INT8));
    Forecast q = new Forecaster(w8a8, H100, life.stack.Efficiencies.of((H100).kind()), Overlap.OPERATOR).forecast(new Request(4096, 1, 8));
    Forecast f = forecaster("llama-2-7b", BASE).forecast(new Request(4096, 1, 8));
    assertTrue(q.ttftMs() < 0.75 * f.ttftMs(), "int8 GEMMs at twice the fp16 peak: " + q.ttftMs() + " vs " + f.ttftMs());
    // A device without an int4 figure cannot run w4a4.
    ModelGraph w4a4 = graph("llama-2-7b", BASE.withWeights(WeightFormat.bits(4, 128))
        .withActQuant(life.ops.ActQuant.INT4));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Forecaster(w4a4, H100, life.stack.Efficiencies.of((H100).kind()), Overlap.OPERATOR));
    assertTrue(e.getMessage().contains("int4_tops"), e.getMessage());
  }

  @Test
  void llamaCppFormats_carryTheirBitsPerWeight() {
    assertEquals(4.5, WeightFormat.named("q4_0").bitsPerWeight(), 0);
    assertEquals(8.5, WeightFormat.named("Q8_0").bitsPerWeight(), 0);
    assertEquals(4.85, WeightFormat.named("q4_k_m").bitsPerWeight(), 0);
    ModelGraph q4 = graph("llama-2-7b", BASE.withWeights(WeightFormat.named("q4_0")));
    assertEquals(6_738_415_616.0 * 4.5 / 8, q4.weightBytes(), 1e6, "the format covers every matrix");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightFormat.named("q4_x"));
    assertTrue(e.getMessage().contains("q4_k_m") && e.getMessage().contains("q8_0"));
    e = assertThrows(IllegalArgumentException.class, () -> WeightFormat.bits(7, 128));
    assertTrue(e.getMessage().contains("[16, 8, 6, 5, 4, 3, 2]"));
  }
}
