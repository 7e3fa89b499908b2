package life.forecast;

import life.spec.Check;
import life.spec.Limits;

/**
 * One inference request shape: {@code batch} sequences, each with {@code context} tokens already cached,
 * {@code prompt} tokens prefilled and {@code output} tokens generated (the first by the prefill, the other
 * {@code output − 1} by decode steps). With {@code chunk > 0} the prompt is prefilled in chunks of that many tokens
 * (chunked prefill, llama.cpp's micro-batch), each chunk a call that re-reads the weights and the KV cache written so
 * far; a layer split pipelines at most {@code pipelineChunks} consecutive chunks (0: all; llama.cpp pipelines the
 * micro-batches of one {@code -b}). A prompt of 0 prefills nothing: every output token is a decode step's
 * (llama-bench's {@code tg} test).
 */
public record Request(long prompt, long output, int batch, long chunk, long context, long pipelineChunks) {
  public Request {
    if (prompt < 0) {
      throw new IllegalArgumentException("prompt length must be non-negative, got " + prompt);
    }
    Check.positive("output length", output);
    Check.positive("batch", batch);
    if (chunk < 0) {
      throw new IllegalArgumentException("chunk must be positive (or 0 for none), got " + chunk);
    }
    if (context < 0 || pipelineChunks < 0) {
      throw new IllegalArgumentException("context and pipeline chunks must be non-negative");
    }
    if (prompt > Limits.MAX_TOKENS || output > Limits.MAX_TOKENS || context > Limits.MAX_TOKENS
        || chunk > Limits.MAX_TOKENS) {
      throw new IllegalArgumentException("prompt, output, context and chunk must be at most " + Limits.MAX_TOKENS
          + " tokens; got " + prompt + ", " + output + ", " + context + ", " + chunk);
    }
    if (batch > Limits.MAX_BATCH) {
      throw new IllegalArgumentException("batch must be at most " + Limits.MAX_BATCH + "; got " + batch);
    }
  }

  /** A request prefilled in chunks, nothing cached before it. */
  public Request(long prompt, long output, int batch, long chunk) {
    this(prompt, output, batch, chunk, 0, 0);
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
