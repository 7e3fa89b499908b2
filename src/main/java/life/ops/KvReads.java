package life.ops;

/**
 * How often an attention kernel reads the cached K and V of a grouped-query (or multi-query) group in a decode call.
 * Prefill always counts one read per KV head: its products are compute-bound.
 */
public enum KvReads {
  /** Once per KV head: the group's query heads share each read (flash kernels, GEMMs batched over the group). */
  PER_KV_HEAD,
  /**
   * Once per query head: a matrix-vector product per query head that broadcasts its KV head (ggml's {@code mul_mv}
   * kernels without flash attention).
   */
  PER_QUERY_HEAD,
  /**
   * Once per query head where vLLM runs its V1 paged-attention kernel (one workgroup per query head and sequence:
   * sequences × query heads &gt; 512 and a context of at most 8,192 tokens), else once per KV head (V2).
   */
  PAGED_V1;

  /** Longest context (past + present) for which vLLM picks its V1 paged-attention kernel. */
  public static final long PAGED_V1_MAX_CONTEXT = 8192;
}
