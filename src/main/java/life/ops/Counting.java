package life.ops;

import life.spec.Names;

/**
 * Counting conventions.
 *
 * <ul>
 *   <li>{@link #CAUSAL} (default): attention scores only for the keys a query may see (n·p + n(n+1)/2 per head for a
 *       call with past p and present n); the LM head runs on the last prompt token only; the embedding reads the rows
 *       of the tokens it looks up; the KV cache is appended, not rewritten.
 *   <li>{@link #PAPER}: the LIFE paper's conventions as reconstructed in docs/method.md (counting conventions):
 *       full non-causal n×(p+n) scores, the LM head over every prompt token, the whole embedding table read per
 *       call (Table 1), and the KV cache rewritten in full each call (Table 9's growth of 2× KV bytes per generated
 *       token).
 * </ul>
 */
public enum Counting {
  CAUSAL,
  PAPER;

  public String id() {
    return Names.id(this);
  }

  public static Counting parse(String s) {
    return Names.parse(Counting.class, s, "counting");
  }
}
