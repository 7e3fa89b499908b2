package life.forecast;

import life.spec.Check;

/**
 * One inference request shape: {@code batch} sequences, each with {@code prompt} tokens prefilled and {@code output}
 * tokens generated (the first by the prefill, the other {@code output − 1} by decode steps). With {@code chunk > 0}
 * the prompt is prefilled in chunks of that many tokens (chunked prefill), each chunk a call that re-reads the
 * weights and the KV cache written so far.
 */
public record Request(long prompt, long output, int batch, long chunk) {
  public Request {
    Check.positive("prompt length", prompt);
    Check.positive("output length", output);
    Check.positive("batch", batch);
    if (chunk < 0) {
      throw new IllegalArgumentException("chunk must be positive (or 0 for none), got " + chunk);
    }
  }

  /** A request prefilled in one call. */
  public Request(long prompt, long output, int batch) {
    this(prompt, output, batch, 0);
  }

  /** The prefill's chunk size: the whole prompt when not chunked. */
  public long chunkSize() {
    return chunk == 0 || chunk >= prompt ? prompt : chunk;
  }
}
