package life.ops;

import java.util.Objects;

/** Everything besides the architecture that changes the operator counts. */
public record GraphOptions(Precision precision, Counting counting) {
  public GraphOptions {
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(counting, "counting");
  }

  public static GraphOptions defaults(life.spec.DType d) {
    return new GraphOptions(Precision.uniform(d), Counting.CAUSAL);
  }
}
