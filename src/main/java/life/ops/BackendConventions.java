package life.ops;

import life.spec.DType;

/**
 * What a serving stack changes in the operator counts, as opposed to its efficiencies ({@code catalog/backends.csv}):
 * llama.cpp without flash attention computes QKᵀ into fp32 scores and runs its softmax in fp32 (ggml's default
 * precision for the KQ product), so its unfused attention moves 4-byte scores. Validation, {@code forecast --backend}
 * and the sweep's {@code backend} axis all go through here, so a fitted backend default is used with the graph it was
 * fitted on.
 */
public final class BackendConventions {
  private BackendConventions() {}

  /** {@code o} as {@code backend} runs it; unchanged for {@code none}, null or a stack without conventions here. */
  public static GraphOptions apply(String backend, GraphOptions o) {
    if (backend != null && backend.startsWith("llama.cpp") && !o.fusion().contains(Fusion.FLASH)) {
      return o.withScores(DType.FP32);
    }
    return o;
  }
}
