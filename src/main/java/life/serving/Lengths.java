package life.serving;

import java.util.Locale;
import life.spec.Limits;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * How many tokens a request's prompt or output has: fixed, or drawn from a distribution given by its mean and
 * standard deviation, rounded to whole tokens within 1 … {@link Limits#MAX_TOKENS}. One way in from text
 * ({@link #parse}): {@code 512}, {@code uniform:128-1024}, {@code normal:512/64}, {@code lognormal:512/256}.
 */
public sealed interface Lengths {
  /** One draw; {@code rng} is the caller's seeded generator, so a seed fixes every draw. */
  long draw(RandomGenerator rng);

  /** The mean of the draws before rounding and clamping. */
  double mean();

  /** The text {@link #parse} reads back to this value. */
  String text();

  /** Every request has {@code tokens}. */
  record Fixed(long tokens) implements Lengths {
    public Fixed {
      check(tokens, "length");
    }

    @Override
    public long draw(RandomGenerator rng) {
      return tokens;
    }

    @Override
    public double mean() {
      return tokens;
    }

    @Override
    public String text() {
      return Long.toString(tokens);
    }
  }

  /** Uniform over the whole numbers {@code lo … hi}. */
  record Uniform(long lo, long hi) implements Lengths {
    public Uniform {
      check(lo, "lower bound");
      check(hi, "upper bound");
      if (hi < lo) {
        throw new IllegalArgumentException("uniform lengths need lo <= hi, got " + lo + "-" + hi);
      }
    }

    @Override
    public long draw(RandomGenerator rng) {
      return lo + (long) Math.floor(rng.nextDouble() * (hi - lo + 1));
    }

    @Override
    public double mean() {
      return (lo + hi) / 2.0;
    }

    @Override
    public String text() {
      return "uniform:" + lo + "-" + hi;
    }
  }

  /** Normal with this mean and standard deviation, rounded, clamped to 1 … {@link Limits#MAX_TOKENS}. */
  record Normal(double mean, double sd) implements Lengths {
    public Normal {
      checkMoments(mean, sd, "normal");
    }

    @Override
    public long draw(RandomGenerator rng) {
      return clamp(mean + sd * rng.nextGaussian());
    }

    @Override
    public String text() {
      return "normal:" + num(mean) + "/" + num(sd);
    }
  }

  /**
   * Log-normal with this mean and standard deviation of the length itself (not of its logarithm): σ² = ln(1 + sd² /
   * mean²), μ = ln(mean) − σ² / 2, the usual long-tailed shape of prompt and output lengths in serving traces.
   */
  record LogNormal(double mean, double sd) implements Lengths {
    public LogNormal {
      checkMoments(mean, sd, "lognormal");
    }

    @Override
    public long draw(RandomGenerator rng) {
      double s2 = Math.log1p(sd * sd / (mean * mean));
      return clamp(Math.exp(Math.log(mean) - s2 / 2 + Math.sqrt(s2) * rng.nextGaussian()));
    }

    @Override
    public String text() {
      return "lognormal:" + num(mean) + "/" + num(sd);
    }
  }

  /** Reads {@code text} (see the type's description); a bad value names {@code what} and the allowed forms. */
  static Lengths parse(String what, String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    try {
      int colon = t.indexOf(':');
      if (colon < 0) {
        return new Fixed(Long.parseLong(t));
      }
      String kind = t.substring(0, colon);
      String[] p = t.substring(colon + 1).split(kind.equals("uniform") ? "-" : "/", -1);
      if (p.length == 2) {
        switch (kind) {
          case "uniform" -> {
            return new Uniform(Long.parseLong(p[0].strip()), Long.parseLong(p[1].strip()));
          }
          case "normal" -> {
            return new Normal(Double.parseDouble(p[0].strip()), Double.parseDouble(p[1].strip()));
          }
          case "lognormal" -> {
            return new LogNormal(Double.parseDouble(p[0].strip()), Double.parseDouble(p[1].strip()));
          }
          default -> { }
        }
      }
    } catch (NumberFormatException e) {
      // Reported below with the allowed forms.
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage());
    }
    throw new IllegalArgumentException(what + ": expected TOKENS, uniform:LO-HI, normal:MEAN/SD or lognormal:MEAN/SD, "
        + "got '" + life.spec.InputException.escape(text) + "'");
  }

  private static void check(long tokens, String what) {
    if (tokens < 1 || tokens > Limits.MAX_TOKENS) {
      throw new IllegalArgumentException(what + " must be from 1 to " + Limits.MAX_TOKENS + " tokens, got " + tokens);
    }
  }

  private static void checkMoments(double mean, double sd, String kind) {
    if (!(mean >= 1 && mean <= Limits.MAX_TOKENS) || !(sd >= 0 && sd <= Limits.MAX_TOKENS)) {
      throw new IllegalArgumentException(kind + " lengths need a mean from 1 to " + Limits.MAX_TOKENS
          + " tokens and a standard deviation from 0 to " + Limits.MAX_TOKENS + ", got " + mean + "/" + sd);
    }
  }

  private static long clamp(double x) {
    return Math.max(1, Math.min(Limits.MAX_TOKENS, Math.round(x)));
  }

  private static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
