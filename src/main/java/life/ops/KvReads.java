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

  /**
   * Heads whose K or V a call reads: the KV heads, or the query heads in a decode call ({@code present == 1}) under
   * {@link #PER_QUERY_HEAD}, or in one that vLLM runs with its V1 kernel under {@link #PAGED_V1} (vLLM 0.2–0.6,
   * {@code paged_attn.py}: V1 when the context fits 8,192 tokens and sequences × query heads &gt; 512, else the
   * partitioned V2).
   */
  public int readHeads(int heads, int kvHeads, long past, long present, int batch) {
    if (present != 1) {
      return kvHeads;
    }
    return switch (this) {
      case PER_KV_HEAD -> kvHeads;
      case PER_QUERY_HEAD -> heads;
      case PAGED_V1 -> past + present <= PAGED_V1_MAX_CONTEXT && (long) batch * heads > 512 ? heads : kvHeads;
    };
  }
}
