package life.spec;

import java.util.Locale;

/**
 * Bad input from a file or a request (a catalog row, a sweep file, a measurement file, a result folder), its message
 * naming the file, row or line and field and the allowed values; shown to the user as one line.
 */
public final class InputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The most characters of an input value a message quotes. */
  public static final int QUOTE_LIMIT = 100;

  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * An input value as a message quotes it: in single quotes, {@link #clip clipped}, followed by its length when it is
   * longer than {@value #QUOTE_LIMIT} characters.
   */
  public static String quote(String value) {
    String v = value == null ? "" : value;
    return "'" + clip(v) + "'" + (v.length() > QUOTE_LIMIT ? " (" + v.length() + " characters)" : "");
  }

  /** An input value as a message shows it: {@link #escape escaped}, and only its first {@value #QUOTE_LIMIT} characters. */
  public static String clip(String value) {
    if (value == null || value.length() <= QUOTE_LIMIT) {
      return escape(value);
    }
    int end = Character.isHighSurrogate(value.charAt(QUOTE_LIMIT - 1)) ? QUOTE_LIMIT - 1 : QUOTE_LIMIT;
    return escape(value.substring(0, end)) + "...";
  }

  /**
   * {@code text} on one line: newline, carriage return and tab as {@code \n}, {@code \r}, {@code \t}, and every other
   * control character and line or paragraph separator as {@code \}{@code uXXXX}.
   */
  public static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder b = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String e = switch (c) {
        case '\n' -> "\\n";
        case '\r' -> "\\r";
        case '\t' -> "\\t";
        default -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
            ? String.format(Locale.ROOT, "\\u%04x", (int) c)
            : null;
      };
      if (e != null && b == null) {
        b = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (b != null) {
        if (e != null) {
          b.append(e);
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? text : b.toString();
  }
}
