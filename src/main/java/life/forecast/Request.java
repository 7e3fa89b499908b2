package life.forecast;

import life.spec.Check;

/**
 * One inference request shape: {@code batch} sequences, each with {@code prompt} tokens prefilled and {@code output}
 * tokens generated (the first by the prefill, the other {@code output − 1} by decode steps).
 */
public record Request(long prompt, long output, int batch) {
  public Request {
    Check.positive("prompt length", prompt);
    Check.positive("output length", output);
    Check.positive("batch", batch);
  }
}
