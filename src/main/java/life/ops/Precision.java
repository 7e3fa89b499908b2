package life.ops;

import life.spec.Check;
import life.spec.DType;

/**
 * Storage and compute precision of a model graph.
 *
 * @param weightBytes bytes per weight parameter (2 for fp16/bf16; fractional for packed formats)
 * @param act data type of activations and of the arithmetic
 * @param kvBytes bytes per cached key/value element
 */
public record Precision(double weightBytes, DType act, double kvBytes) {
  public Precision {
    Check.positive("weight bytes", weightBytes);
    Check.positive("kv bytes", kvBytes);
  }

  /** Weights, activations and KV cache all in {@code d}. */
  public static Precision uniform(DType d) {
    return new Precision(d.bytes(), d, d.bytes());
  }
}
