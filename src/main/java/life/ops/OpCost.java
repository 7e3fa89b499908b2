package life.ops;

/**
 * Work of one operator call: compute ops (1 multiply or 1 add = 1 op), bytes read and written, and kernel dispatches.
 * Hardware-free, as in the paper's statistics database (docs/method.md, step 2).
 */
public record OpCost(double ops, double bytesRead, double bytesWritten, double dispatches) {
  public double bytes() {
    return bytesRead + bytesWritten;
  }
}
