package life.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import life.ops.Operator.AttentionBmm;
import life.ops.Operator.BmmKind;
import life.ops.Operator.Elementwise;
import life.ops.Operator.Embedding;
import life.ops.Operator.ExpertLinear;
import life.ops.Operator.FlashAttention;
import life.ops.Operator.KvAppend;
import life.ops.Operator.Linear;
import life.ops.Operator.LmHead;
import life.ops.Operator.LoraMerge;
import life.ops.Operator.Nonlinear;
import life.ops.Operator.Norm;
import life.ops.Operator.Rope;
import life.ops.Operator.ScoreOp;
import life.spec.DType;
import life.spec.ModelSpec.NormKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Hand-computed reference cases, one or more per operator kind (2 bytes per fp16 element). */
final class OperatorTest {
  private static final DType H = DType.FP16;
  private static final Span CAUSAL = new Span(0, true, 1);
  private static final Span FULL = new Span(0, false, 1);

  private static Linear lin(String name, long in, long out, int groups, boolean bias) {
    return new Linear(name, in, out, groups, bias, 2, H, H, false, 0, Lora.Mode.MERGED, 0);
  }

  /** operator, past, present, batch, expected ops, bytes read, bytes written. */
  static Stream<Arguments> referenceCases() {
    return Stream.of(
        // GEMM: 2·m·k·n ops; reads k·n weights + m·k inputs, writes m·n (Table 1).
        Arguments.of(lin("q", 8, 4, 1, false), 0, 3, 2, 2.0 * 6 * 8 * 4, (32 + 48) * 2.0, 24 * 2.0),
        // bias adds m·n ops and n parameters.
        Arguments.of(lin("q", 8, 4, 1, true), 0, 3, 1, 2.0 * 3 * 32 + 12, (32 + 4 + 24) * 2.0, 24.0),
        // grouped: 3 groups of 2×5.
        Arguments.of(lin("g", 2, 5, 3, false), 9, 1, 1, 2.0 * 3 * 10, (30 + 6) * 2.0, 15 * 2.0),
        // MoE decode at T = 1: the active expert's weights only (E·(1−(1−a/E)^1) = a).
        Arguments.of(new ExpertLinear("e", 8, 2, 4, 3, 2, H, H, false, false, false), 10, 1, 1, 2.0 * 2 * 12,
            (2 * 12 + 2 * 4) * 2.0, 2 * 3 * 2.0),
        // Host-routed (llama.cpp 2024) with T = 2 tokens: 8·(1−0.75²) = 3.5 experts touched; the 2·2 routed rows are
        // gathered into fp32 (4 inputs) and scattered back (3 outputs): 2·2·(4+3)·4 bytes more each way.
        Arguments.of(new ExpertLinear("e", 8, 2, 4, 3, 2, H, H, false, true, false), 0, 1, 2, 2.0 * 4 * 12,
            (3.5 * 12 + 4 * 4) * 2.0 + 4 * 7 * 4.0, 4 * 3 * 2.0 + 4 * 7 * 4.0),
        // A batch of 4 copies of one prompt decoded alike: one token's 2 experts are read, whatever the batch.
        Arguments.of(new ExpertLinear("e", 8, 2, 4, 3, 2, H, H, false, false, true), 10, 1, 4, 2.0 * 8 * 12,
            (2 * 12 + 8 * 4) * 2.0, 8 * 3 * 2.0),
        // LM head on the last token of each of 2 sequences.
        Arguments.of(new LmHead(4, 10, false, false, false, 2, false, H), 0, 5, 2, 2.0 * 2 * 40, (40 + 8) * 2.0, 20 * 2.0),
        // Paper counting: LM head on all 10 tokens.
        Arguments.of(new LmHead(4, 10, false, false, true, 2, false, H), 0, 5, 2, 2.0 * 10 * 40, (40 + 40) * 2.0,
            100 * 2.0),
        // Embedding: rows looked up; paper: whole table + one row (Table 1).
        Arguments.of(new Embedding(100, 4, 0, false, 2, H), 0, 3, 1, 1.0, 12 * 2.0, 12 * 2.0),
        Arguments.of(new Embedding(100, 4, 0, true, 2, H), 0, 3, 1, 1.0, (400 + 4) * 2.0, 12 * 2.0),
        // QK, causal prefill of 4 tokens: 10 scores/head, 2 heads, dim 8: 2·S·d − S.
        Arguments.of(new AttentionBmm("qk", BmmKind.QK, 2, 1, 8, CAUSAL, H, 2, H, KvReads.PER_KV_HEAD), 0, 4, 1,
            2.0 * 20 * 8 - 20, (4 * 2 * 8 + 4 * 1 * 8) * 2.0, 20 * 2.0),
        // The same with fp32 scores (llama.cpp without flash attention): the 20 scores written at 4 bytes.
        Arguments.of(new AttentionBmm("qk", BmmKind.QK, 2, 1, 8, CAUSAL, H, 2, DType.FP32, KvReads.PER_KV_HEAD), 0, 4, 1,
            2.0 * 20 * 8 - 20, (4 * 2 * 8 + 4 * 1 * 8) * 2.0, 20 * 4.0),
        // vLLM's V1 decode kernel on ROCm: 4 query heads over 1 KV head, batch 200 (200·4 > 512), past 9: the 10 keys
        // are read once per query head: 200·10·4·8 elements of K.
        Arguments.of(new AttentionBmm("qk", BmmKind.QK, 4, 1, 8, CAUSAL, H, 2, H, KvReads.PAGED_V1), 9, 1, 200,
            200 * (2.0 * 40 * 8 - 40), (200 * 4 * 8 + 200 * 10 * 4 * 8) * 2.0, 200 * 40 * 2.0),
        // PV, non-causal: 16 scores/head; −b·m·n with n = dim.
        Arguments.of(new AttentionBmm("pv", BmmKind.PV, 2, 2, 8, FULL, H, 2, H, KvReads.PER_KV_HEAD), 0, 4, 1,
            2.0 * 32 * 8 - 4 * 2 * 8, (32 + 4 * 2 * 8) * 2.0, 4 * 2 * 8 * 2.0),
        // Softmax on decode with past 5: 6 keys × 3 heads, 5 ops each.
        Arguments.of(new ScoreOp("softmax", OpClass.SOFTMAX, 3, 5, false, CAUSAL, H), 5, 1, 1, 5.0 * 18, 18 * 2.0,
            18 * 2.0),
        // Scale+mask reads the mask once for all heads.
        Arguments.of(new ScoreOp("sm", OpClass.ELEMENTWISE, 3, 2, true, CAUSAL, H), 5, 1, 1, 2.0 * 18,
            (18 + 6) * 2.0, 18 * 2.0),
        // RMSNorm over 2 tokens × 4: 4 ops/element; reads inputs + 4 weights.
        Arguments.of(Norm.of("n", NormKind.RMS, 4, 4, H), 0, 2, 1, 4.0 * 8, (8 + 4) * 2.0, 8 * 2.0),
        Arguments.of(Norm.of("n", NormKind.LAYER, 4, 4, H), 0, 2, 1, 7.0 * 8, (8 + 8) * 2.0, 8 * 2.0),
        // RoPE on 6 rotated elements per token, rotary dim 2, 2 tokens.
        Arguments.of(new Rope(6, 2, H), 0, 2, 1, 3.0 * 12, (12 + 2 * 2 * 2) * 2.0, 12 * 2.0),
        Arguments.of(new Elementwise("add", 4, 2, 1, H), 0, 3, 1, 12.0, 24 * 2.0, 12 * 2.0),
        Arguments.of(new Nonlinear("act", 4, H), 0, 3, 1, 24.0, 12 * 2.0, 12 * 2.0),
        // KV append of 3 tokens × 10 bytes; paper rewrite writes past + present; torch.cat reads and writes them.
        Arguments.of(new KvAppend(10, KvStore.APPEND, false, CAUSAL, H), 7, 3, 1, 0.0, 30.0, 30.0),
        Arguments.of(new KvAppend(10, KvStore.REWRITE, false, CAUSAL, H), 7, 3, 1, 0.0, 30.0, 100.0),
        Arguments.of(new KvAppend(10, KvStore.CONCAT, true, CAUSAL, H), 7, 3, 2, 0.0, 200.0, 200.0),
        // Dequantizing int4 weights (0.5 B each): + 2·k·n ops per call, whatever the tokens (Table 1 / appendix).
        Arguments.of(new Linear("q", 8, 4, 1, false, 0.5, H, H, true, 0, Lora.Mode.MERGED, 0), 0, 1, 1,
            2.0 * 32 + 2.0 * 32, 32 * 0.5 + 8 * 2.0, 4 * 2.0),
        // llama.cpp CUDA before MMQ: above 32 tokens the int4 weights are expanded to an fp16 copy by a kernel of
        // their own (2kn ops, 32 · 0.5 B read, 32 · 2 B written) and the GEMM reads the copy; at 32 tokens not.
        Arguments.of(new Linear("q", 8, 4, 1, false, 0.5, H, H, true, 0, Lora.Mode.MERGED, 32), 0, 64, 1,
            2.0 * 64 * 32, 32 * 2.0 + 64 * 8 * 2.0, 64 * 4 * 2.0),
        Arguments.of(new Linear("q", 8, 4, 1, false, 0.5, H, H, true, 0, Lora.Mode.MERGED, 32), 0, 32, 1,
            2.0 * 32 * 32 + 2.0 * 32, 32 * 0.5 + 32 * 8 * 2.0, 32 * 4 * 2.0),
        Arguments.of(new Operator.WeightExpand("q_expand", 8, 4, 1, 0.5, H, 32), 0, 64, 1, 2.0 * 32, 32 * 0.5,
            32 * 2.0),
        Arguments.of(new Operator.WeightExpand("q_expand", 8, 4, 1, 0.5, H, 32), 0, 32, 1, 0.0, 0.0, 0.0),
        // w8a8: inputs read as int8.
        Arguments.of(new Linear("q", 8, 4, 1, false, 1, H, DType.INT8, false, 0, Lora.Mode.MERGED, 0), 0, 2, 1,
            2.0 * 2 * 32, 32 * 1.0 + 16 * 1.0, 8 * 2.0),
        // Unmerged LoRA r = 2 on 8→4, 1 token: + 2·r·(k+n) + n ops; reads A, B and x, xA, base output; writes xA, y.
        Arguments.of(new Linear("q", 8, 4, 1, false, 2, H, H, false, 2, Lora.Mode.UNMERGED, 0), 0, 1, 1,
            2.0 * 32 + 2.0 * 2 * 12 + 4, (32 + 8) * 2.0 + 24 * 2.0 + (8 + 2 + 4) * 2.0, 4 * 2.0 + (2 + 4) * 2.0),
        // Inline merge: Σkn·(2r+2) ops at the first call, nothing after.
        Arguments.of(new LoraMerge(100, 30, 2, 4, 2, H), 0, 5, 1, 100.0 * 10, 100 * 2.0 + 30 * 4 * 2.0, 100 * 2.0),
        // Flash attention, causal prefill of 4 tokens, 2 heads, 1 KV head, dim 8: unfused ops, no score traffic.
        Arguments.of(new FlashAttention(2, 1, 8, 8, false, CAUSAL, H, 2, life.ops.KvReads.PER_KV_HEAD), 0, 4, 1,
            (2.0 * 20 * 8 - 20) + 7 * 20 + (2.0 * 20 * 8 - 4 * 2 * 8), (4 * 2 * 8 + 4 * 1 * 16) * 2.0, 4 * 2 * 8 * 2.0),
        // Fused residual add + RMSNorm: 5 ops per element, two streams in and out.
        Arguments.of(new Norm("n", NormKind.RMS, 4, 4, 1, H), 0, 2, 1, 5.0 * 8, (16 + 4) * 2.0, 16 * 2.0),
        // Ring all-reduce of 2 × 3 tokens × 4 over 4 devices: adds 3/4 of the 24 values, sends 2 · 3/4 of them.
        Arguments.of(new Operator.AllReduce("ar", 4, 4, H, false), 9, 3, 2, 0.75 * 24, 2 * 0.75 * 24 * 2.0, 0.0),
        // The same as one kernel (custom all-reduce): the same work and bytes, one dispatch.
        Arguments.of(new Operator.AllReduce("ar1", 4, 4, H, true), 9, 3, 2, 0.75 * 24, 2 * 0.75 * 24 * 2.0, 0.0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("referenceCases")
  void cost_matchesHandComputedValue(Operator op, long past, long present, int batch, double ops, double read,
      double written) {
    OpCost c = op.cost(past, present, batch);
    assertEquals(ops, c.ops(), 1e-9, "ops");
    assertEquals(read, c.bytesRead(), 1e-9, "bytes read");
    assertEquals(written, c.bytesWritten(), 1e-9, "bytes written");
    double dispatches = op instanceof Embedding e && e.positions() > 0 ? 2
        : op instanceof LoraMerge lm ? 2 * lm.linears()
        : op instanceof Operator.AllReduce ar ? (ar.oneKernel() ? 1 : 2 * (ar.devices() - 1))
        : op instanceof ExpertLinear e && e.hostRouted()
            ? 2 + (batch * present == 1 ? 1 : 3) * e.expectedExpertsTouched((double) batch * present)
        : op instanceof Linear l && l.loraRank() > 0 && l.loraMode() == Lora.Mode.UNMERGED ? 3
        : op instanceof Operator.WeightExpand w && (long) batch * present <= w.above() ? 0 : 1;
    assertEquals(dispatches, c.dispatches(), 0);
  }

  @Test
  void everyOperatorKind_hasAReferenceCase() {
    Set<Class<?>> covered = referenceCases().map(a -> a.get()[0].getClass()).collect(Collectors.toSet());
    List<Class<?>> all = Arrays.asList(Operator.class.getPermittedSubclasses());
    assertTrue(covered.containsAll(all), "missing: " + all.stream().filter(c -> !covered.contains(c)).toList());
  }

  @Test
  void expertLinear_batchTouchesExpectedDistinctExperts() {
    ExpertLinear e = new ExpertLinear("e", 8, 2, 4, 3, 2, H, H, false, false, false);
    assertEquals(2, e.expectedExpertsTouched(1), 1e-12);
    assertEquals(8 * (1 - Math.pow(0.75, 4)), e.expectedExpertsTouched(4), 1e-12);
    assertTrue(e.expectedExpertsTouched(10_000) <= 8);
  }

  /**
   * Host routing (llama.cpp's 2024 {@code mul_mat_id}): a copy and a wait of the ids, then per touched expert one GEMM
   * for a single token, or gather, GEMM and scatter for several; a grouped kernel is one dispatch whatever the tokens.
   */
  @ParameterizedTest(name = "tokens {0}: {1} dispatches")
  @org.junit.jupiter.params.provider.CsvSource({"1, 4", "2, 12.5", "64, 25.9997"})
  void hostRoutedExperts_dispatchPerTouchedExpert(int tokens, double dispatches) {
    ExpertLinear grouped = new ExpertLinear("e", 8, 2, 4, 3, 2, H, H, false, false, false);
    ExpertLinear routed = new ExpertLinear("e", 8, 2, 4, 3, 2, H, H, false, true, false);
    assertEquals(1, grouped.cost(0, tokens, 1).dispatches());
    double touched = routed.expectedExpertsTouched(tokens);
    assertEquals(tokens == 1 ? 2 + touched : 2 + 3 * touched, routed.cost(0, tokens, 1).dispatches(), 1e-12);
    assertEquals(dispatches, routed.cost(0, tokens, 1).dispatches(), 1e-3);
    assertEquals(grouped.cost(0, tokens, 1).ops(), routed.cost(0, tokens, 1).ops());
  }

  /**
   * Per query head: every decode call under {@code PER_QUERY_HEAD} (ggml's matrix-vector kernels on Metal); under
   * {@code PAGED_V1} only where vLLM picks V1 (sequences × query heads above 512, context of at most 8,192 tokens);
   * never a prefill, never under {@code PER_KV_HEAD}.
   */
  @ParameterizedTest(name = "{0}, batch {1}, past {2}, present {3}: K read for {4} heads")
  @org.junit.jupiter.params.provider.CsvSource({"PAGED_V1, 129, 100, 1, 4", "PAGED_V1, 128, 100, 1, 1",
      "PAGED_V1, 129, 8192, 1, 1", "PAGED_V1, 129, 8191, 1, 4", "PAGED_V1, 129, 0, 16, 1",
      "PER_QUERY_HEAD, 1, 100, 1, 4", "PER_QUERY_HEAD, 1, 9000, 1, 4", "PER_QUERY_HEAD, 1, 0, 16, 1",
      "PER_KV_HEAD, 1000, 100, 1, 1"})
  void kvReads_perQueryHeadOnlyInTheDecodeCallsOfSuchKernels(KvReads mode, int batch, long past, long present,
      int readHeads) {
    AttentionBmm counted = new AttentionBmm("qk", BmmKind.QK, 4, 1, 8, CAUSAL, H, 2, H, mode);
    AttentionBmm plain = new AttentionBmm("qk", BmmKind.QK, 4, 1, 8, CAUSAL, H, 2, H, KvReads.PER_KV_HEAD);
    double k = batch * CAUSAL.keys(past, present) * 8 * 2.0;
    assertEquals((readHeads - 1) * k, counted.cost(past, present, batch).bytesRead()
        - plain.cost(past, present, batch).bytesRead(), 1e-6);
  }

  /**
   * Which stacks route experts on the host, write fp32 scores, read K/V per query head and grow the cache by
   * concatenation, as validated.
   */
  @ParameterizedTest(name = "{0}: expert loop {1}, fp32 scores {2}, K/V reads {3}, store {4}")
  @org.junit.jupiter.params.provider.CsvSource({"llama.cpp/cuda@2024-05, true, true, PER_KV_HEAD, APPEND",
      "llama.cpp/rocm@2024-10, true, true, PER_KV_HEAD, APPEND", "llama.cpp/sycl@2024-10, true, true, PER_KV_HEAD, APPEND",
      "llama.cpp/metal@2024-05, false, true, PER_QUERY_HEAD, APPEND",
      "llama.cpp/vulkan@2024-05, false, true, PER_KV_HEAD, APPEND",
      "llama.cpp/cpu@2024-05, false, true, PER_KV_HEAD, APPEND",
      "llama.cpp/cuda@current, false, false, PER_KV_HEAD, APPEND",
      "llama.cpp/metal@current, false, false, PER_KV_HEAD, APPEND",
      "vllm/cuda, false, false, PER_KV_HEAD, APPEND",
      "vllm/rocm, false, false, PAGED_V1, APPEND", "tensorrt-llm/cuda, false, false, PER_KV_HEAD, APPEND",
      "transformers/cuda, false, false, PER_KV_HEAD, CONCAT", "none, false, false, PER_KV_HEAD, APPEND"})
  void stackConventions_byStackAndDate(String stack, boolean loop, boolean fp32, KvReads reads, KvStore store) {
    GraphOptions o = life.stack.Conventions.apply(life.stack.Stacks.parse(stack), GraphOptions.defaults(H));
    assertEquals(loop, o.expertLoop());
    assertEquals(fp32 ? DType.FP32 : H, o.scores());
    assertEquals(reads, o.kvReads());
    assertEquals(store, o.kvStore());
    // A built MoE graph carries the flag into every expert linear.
    life.spec.ModelSpec mixtral = life.catalog.ModelCatalog.builtIn().resolve("mixtral-8x7b");
    assertTrue(GraphBuilder.build(mixtral, o).groups().stream().flatMap(g -> g.ops().stream())
        .filter(op -> op instanceof ExpertLinear).allMatch(op -> ((ExpertLinear) op).hostRouted() == loop));
  }
}
