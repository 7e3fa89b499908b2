package life.ops;

import life.spec.DType;

/**
 * What a serving stack changes in the operator counts, as opposed to its efficiencies ({@code catalog/backends.csv}):
 * llama.cpp without flash attention computes QKᵀ into fp32 scores and runs its softmax in fp32 (ggml's default
 * precision for the KQ product), so its unfused attention moves 4-byte scores; and its CUDA, ROCm and SYCL backends of
 * 2024 (the builds of the validation data) route mixture-of-experts layers on the host ({@link Operator.ExpertLinear}'s
 * {@code hostRouted}: a copy and wait of the expert ids, then one GEMM per touched expert; Metal, Vulkan and CPU run
 * one {@code mul_mat_id} kernel). vLLM on ROCm reads K and V once per query head in the decode steps vLLM runs with
 * its V1 paged-attention kernel ({@link KvReads#PAGED_V1}): V1 launches one workgroup per query head and
 * sequence, each streaming its KV head's blocks, and exactly where vLLM switches from V2 to V1 (sequences × query heads
 * per GPU above 512) the measured ROCm runs of grouped-query models slow down; on CUDA the same counting made held-out
 * error worse (a large L2 serving the group's repeated reads is our reading). llama.cpp's Metal backend without flash
 * attention reads K and V once per query head in every decode step ({@link KvReads#PER_QUERY_HEAD}: its matrix-vector
 * kernels broadcast a KV head to each query head of the group): Llama-3's decode on Apple GPUs slows with the
 * context as four (8B) or eight (70B) times its cache would; on CUDA and ROCm the same counting did not lower held-out
 * error on every device, so they keep one read per KV head. Hugging Face transformers ({@code pytorch}) grows its
 * default cache by a {@code torch.cat} per layer and call ({@link KvStore#CONCAT}): every decode step reads and writes
 * the whole cache once more, which is how the paper's V100 decode slows with the prompt. Validation,
 * {@code forecast --backend} and the sweep's {@code backend} axis all go through here, so a fitted backend default is
 * used with the graph it was fitted on.
 */
public final class BackendConventions {
  /** llama.cpp backends whose 2024 {@code mul_mat_id} routed on the host (ggml-cuda, its HIP build, ggml-sycl). */
  private static final java.util.Set<String> HOST_ROUTED = java.util.Set.of("cuda", "rocm", "hip", "sycl");

  private BackendConventions() {}

  /** {@code o} as {@code backend} runs it; unchanged for {@code none}, null or a stack without conventions here. */
  public static GraphOptions apply(String backend, GraphOptions o) {
    if ("vllm/rocm".equals(backend)) {
      return o.withKvReads(KvReads.PAGED_V1);
    }
    if ("pytorch".equals(backend)) {
      return o.withKvStore(KvStore.CONCAT);
    }
    if (backend == null || !backend.startsWith("llama.cpp")) {
      return o;
    }
    GraphOptions r = o;
    if (!o.fusion().contains(Fusion.FLASH)) {
      r = r.withScores(DType.FP32);
      if (backend.equals("llama.cpp/metal")) {
        r = r.withKvReads(KvReads.PER_QUERY_HEAD);
      }
    }
    return HOST_ROUTED.contains(backend.substring(backend.indexOf('/') + 1)) ? r.withExpertLoop(true) : r;
  }
}
