package life.spec;

/**
 * Bad input from a file or a request (a catalog row, a sweep file, a measurement file, a result folder), its message
 * naming the file, row or line and field and the allowed values; shown to the user as one line.
 */
public final class InputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
