package life.sweep;

import java.util.Locale;
import life.ops.Lora;
import life.ops.WeightFormat;

/** Parsing of the text values of the optimization axes. */
final class Points {
  private Points() {}

  /**
   * {@code none} (weights in the activation type), {@code intN} (groups of 128), {@code intN-gG}, or a llama.cpp
   * format name.
   */
  static WeightFormat weightFormat(String s) {
    String k = s.trim().toLowerCase(Locale.ROOT);
    if (k.equals("none")) {
      return WeightFormat.UNQUANTIZED;
    }
    if (k.matches("int\\d+(-g\\d+)?")) {
      String[] p = k.substring(3).split("-g");
      return WeightFormat.bits(Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1]) : 128);
    }
    if (WeightFormat.isNamed(k)) {
      return WeightFormat.named(k);
    }
    throw new IllegalArgumentException("unknown weights '" + s + "' (allowed: none, intN, intN-gG with N in "
        + WeightFormat.BITS + ", or a llama.cpp format: " + String.join(", ", WeightFormat.names()) + ")");
  }

  /** {@code none}, or {@code mode:rank} with mode merged, inline or unmerged (every projection adapted). */
  static Lora lora(String s) {
    String k = s.trim().toLowerCase(Locale.ROOT);
    if (k.equals("none")) {
      return Lora.NONE;
    }
    String[] p = k.split(":");
    if (p.length != 2) {
      throw new IllegalArgumentException("lora must be none or mode:rank (e.g. unmerged:16), got '" + s + "'");
    }
    int rank;
    try {
      rank = Integer.parseInt(p[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("lora rank must be an integer, got '" + p[1] + "'");
    }
    return Lora.of(rank, Lora.Mode.parse(p[0]), "all");
  }
}
