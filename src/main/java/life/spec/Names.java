package life.spec;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Lower-case ids of enum constants, as written on the command line and in files. */
public final class Names {
  private Names() {}

  public static String id(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** The constant of {@code type} whose id is {@code s} (case-insensitive). */
  public static <E extends Enum<E>> E parse(Class<E> type, String s, String what) {
    for (E e : type.getEnumConstants()) {
      if (id(e).equalsIgnoreCase(s.trim())) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown " + what + " " + InputException.quote(s) + " (allowed: " + allowed(type) + ")");
  }

  public static <E extends Enum<E>> String allowed(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Names::id).collect(Collectors.joining(", "));
  }
}
