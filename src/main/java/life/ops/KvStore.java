package life.ops;

/**
 * How a call stores its keys and values into the KV cache.
 */
public enum KvStore {
  /** Writes the present tokens into a preallocated (or paged) cache: serving engines, llama.cpp. */
  APPEND,
  /**
   * Writes the layer's whole cache each call without reading it: the paper's counting (docs/method.md, Table 9's
   * growth of 2× KV bytes per generated token).
   */
  REWRITE,
  /**
   * Grows the cache by concatenation: each call reads the layer's cached keys and values and writes them again with
   * the present tokens appended (Hugging Face transformers' default {@code DynamicCache.update}, a {@code torch.cat}
   * per layer and call).
   */
  CONCAT
}
