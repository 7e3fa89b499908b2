package life.cli;

/** A bad option value: reported in one line, exit code 2 like picocli's own usage errors. */
final class UsageError extends IllegalArgumentException {
  UsageError(String message) {
    super(message);
  }
}
