package life.sweep;

/** A bad sweep file or sweep request, shown to the user as one line naming the file, line and key. */
public final class SweepException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SweepException(String message) {
    super(message);
  }

  public SweepException(String message, Throwable cause) {
    super(message, cause);
  }
}
