package life.ops;

/**
 * Work of one operator call: compute ops (1 multiply or 1 add = 1 op), bytes read and written, and kernel dispatches.
 * Hardware-free, as in the paper's statistics database (digest section 1, step 2).
 */
public record OpCost(double ops, double bytesRead, double bytesWritten, double dispatches) {
  public static final OpCost ZERO = new OpCost(0, 0, 0, 0);

  public double bytes() {
    return bytesRead + bytesWritten;
  }

  public OpCost plus(OpCost o) {
    return new OpCost(ops + o.ops, bytesRead + o.bytesRead, bytesWritten + o.bytesWritten, dispatches + o.dispatches);
  }

  public OpCost times(double k) {
    return new OpCost(ops * k, bytesRead * k, bytesWritten * k, dispatches * k);
  }
}
