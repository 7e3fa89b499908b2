package life.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code where} constraint: an arithmetic and boolean expression over {@link Vars}, such as {@code fits},
 * {@code prompt + output <= max_context} or {@code batch * (prompt + output) <= 1_000_000}. A point is kept when the
 * expression is true (non-zero; NaN, from an unknown price say, is false). Operators: {@code + - * /}, comparisons
 * {@code < <= > >= == !=}, {@code and or not}, parentheses; numbers may use {@code _} separators.
 *
 * @param text the expression as written
 * @param line the line of the sweep file it was read from
 * @param afterForecast it uses a forecast metric, so it is checked after forecasting
 */
public record Constraint(String text, int line, Node root, boolean afterForecast) {

  /** A node of the parsed expression. */
  public interface Node {
    double eval(double[] vars);
  }

  /** Whether the point with these variables satisfies the constraint. */
  public boolean test(double[] vars) {
    double v = root.eval(vars);
    return v != 0 && !Double.isNaN(v);
  }

  /** Parses {@code text} over the sweep variables ({@link Vars}); errors name the token and the allowed names. */
  public static Constraint parse(String text, int line) {
    return parse(text, line, Vars::index, Vars::after, Vars.allowed());
  }

  /**
   * Parses {@code text} over {@code names} (a variables array holds their values in this order), e.g. the numeric
   * columns of a result table.
   */
  public static Constraint parse(String text, int line, java.util.List<String> names) {
    return parse(text, line, names::indexOf, i -> false, String.join(", ", names));
  }

  private static Constraint parse(String text, int line, java.util.function.ToIntFunction<String> index,
      java.util.function.IntPredicate after, String allowed) {
    Parser p = new Parser(text, index, after, allowed);
    Node n = p.or();
    if (p.pos < p.tokens.size()) {
      throw new IllegalArgumentException("unexpected '" + p.tokens.get(p.pos) + "' in '" + text + "'");
    }
    return new Constraint(text, line, n, p.after);
  }

  private static final class Parser {
    final List<String> tokens;
    final java.util.function.ToIntFunction<String> index;
    final java.util.function.IntPredicate isAfter;
    final String allowed;
    int pos;
    boolean after;

    Parser(String text, java.util.function.ToIntFunction<String> index, java.util.function.IntPredicate isAfter,
        String allowed) {
      tokens = tokenize(text);
      this.index = index;
      this.isAfter = isAfter;
      this.allowed = allowed;
    }

    static List<String> tokenize(String s) {
      List<String> out = new ArrayList<>();
      int i = 0;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (Character.isDigit(c) || c == '.') {
          int j = i;
          while (j < s.length() && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '.' || s.charAt(j) == '_'
              || s.charAt(j) == 'e' || s.charAt(j) == 'E'
              || ((s.charAt(j) == '-' || s.charAt(j) == '+') && (s.charAt(j - 1) == 'e' || s.charAt(j - 1) == 'E')))) {
            j++;
          }
          out.add(s.substring(i, j));
          i = j;
        } else if (Character.isLetter(c) || c == '_') {
          int j = i;
          while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
            j++;
          }
          out.add(s.substring(i, j));
          i = j;
        } else if (i + 1 < s.length() && "<=>=!===".contains(s.substring(i, i + 2))
            && List.of("<=", ">=", "==", "!=").contains(s.substring(i, i + 2))) {
          out.add(s.substring(i, i + 2));
          i += 2;
        } else if ("+-*/()<>".indexOf(c) >= 0) {
          out.add(String.valueOf(c));
          i++;
        } else {
          throw new IllegalArgumentException("unexpected character '" + c + "' in '" + s + "'");
        }
      }
      return out;
    }

    String peek() {
      return pos < tokens.size() ? tokens.get(pos) : "";
    }

    String next() {
      if (pos >= tokens.size()) {
        throw new IllegalArgumentException("expression ends too early");
      }
      return tokens.get(pos++);
    }

    Node or() {
      Node l = and();
      while (peek().equals("or")) {
        next();
        Node a = l;
        Node b = and();
        l = v -> truth(a.eval(v)) || truth(b.eval(v)) ? 1 : 0;
      }
      return l;
    }

    Node and() {
      Node l = not();
      while (peek().equals("and")) {
        next();
        Node a = l;
        Node b = not();
        l = v -> truth(a.eval(v)) && truth(b.eval(v)) ? 1 : 0;
      }
      return l;
    }

    Node not() {
      if (peek().equals("not")) {
        next();
        Node a = not();
        return v -> truth(a.eval(v)) ? 0 : 1;
      }
      return comparison();
    }

    Node comparison() {
      Node l = sum();
      String op = peek();
      if (List.of("<", "<=", ">", ">=", "==", "!=").contains(op)) {
        next();
        Node a = l;
        Node b = sum();
        return switch (op) {
          case "<" -> v -> a.eval(v) < b.eval(v) ? 1 : 0;
          case "<=" -> v -> a.eval(v) <= b.eval(v) ? 1 : 0;
          case ">" -> v -> a.eval(v) > b.eval(v) ? 1 : 0;
          case ">=" -> v -> a.eval(v) >= b.eval(v) ? 1 : 0;
          case "==" -> v -> a.eval(v) == b.eval(v) ? 1 : 0;
          default -> v -> a.eval(v) != b.eval(v) ? 1 : 0;
        };
      }
      return l;
    }

    Node sum() {
      Node l = product();
      while (peek().equals("+") || peek().equals("-")) {
        String op = next();
        Node a = l;
        Node b = product();
        l = op.equals("+") ? v -> a.eval(v) + b.eval(v) : v -> a.eval(v) - b.eval(v);
      }
      return l;
    }

    Node product() {
      Node l = unary();
      while (peek().equals("*") || peek().equals("/")) {
        String op = next();
        Node a = l;
        Node b = unary();
        l = op.equals("*") ? v -> a.eval(v) * b.eval(v) : v -> a.eval(v) / b.eval(v);
      }
      return l;
    }

    Node unary() {
      if (peek().equals("-")) {
        next();
        Node a = unary();
        return v -> -a.eval(v);
      }
      return atom();
    }

    Node atom() {
      String t = next();
      if (t.equals("(")) {
        Node n = or();
        if (pos >= tokens.size() || !next().equals(")")) {
          throw new IllegalArgumentException("missing ')'");
        }
        return n;
      }
      if (Character.isDigit(t.charAt(0)) || t.charAt(0) == '.') {
        double d;
        try {
          d = Double.parseDouble(t.replace("_", ""));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad number '" + t + "'");
        }
        return v -> d;
      }
      String k = t.toLowerCase(Locale.ROOT);
      if (k.equals("true")) {
        return v -> 1;
      }
      if (k.equals("false")) {
        return v -> 0;
      }
      int i = index.applyAsInt(k);
      if (i < 0) {
        throw new IllegalArgumentException("unknown name '" + t + "' (allowed: " + allowed + ")");
      }
      after |= isAfter.test(i);
      return v -> v[i];
    }

    static boolean truth(double d) {
      return d != 0 && !Double.isNaN(d);
    }
  }
}
