package life.serving;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * The requests a serving run sees: how they arrive, how long their prompts and outputs are, how many, and the seed
 * that fixes every draw (the same workload always gives the same requests, whatever reads it).
 */
public record Workload(Arrivals arrivals, Lengths prompt, Lengths output, int requests, long seed) {
  /** Most requests of one run: a run's events stay within memory and a second or so of simulation. */
  public static final int MAX_REQUESTS = 10_000_000;

  public Workload {
    if (requests < 1 || requests > MAX_REQUESTS) {
      throw new IllegalArgumentException("--requests must be from 1 to " + MAX_REQUESTS + ", got " + requests);
    }
  }

  /** Reads the length texts ({@link Lengths}): {@code 512}, {@code uniform:128-1024}, {@code lognormal:512/256}, … */
  public static Workload of(Arrivals arrivals, String prompt, String output, int requests, long seed) {
    return new Workload(arrivals, Lengths.parse("--prompt", prompt), Lengths.parse("--output", output), requests,
        seed);
  }

  /** The requests of a trace, as recorded. */
  public static Workload of(Arrivals.Trace trace) {
    return new Workload(trace, new Lengths.Fixed(1), new Lengths.Fixed(1), trace.items().size(), 0);
  }

  /** One request: its index, when it arrives (0 for max load and closed loops) and its token counts. */
  public record Item(int id, double arrivalS, long promptTokens, long outputTokens) {}

  /**
   * The requests in arrival order. Arrival gaps, prompts and outputs draw from three generators seeded apart, so
   * changing the length distribution leaves the arrival times as they were (and the other way round).
   */
  public List<Item> items() {
    if (arrivals instanceof Arrivals.Trace t) {
      return t.items();
    }
    RandomGenerator gaps = new Well19937c(seed);
    RandomGenerator prompts = new Well19937c(seed ^ 0x9E3779B97F4A7C15L);
    RandomGenerator outputs = new Well19937c(seed ^ 0xC2B2AE3D27D4EB4FL);
    List<Item> out = new ArrayList<>(requests);
    double t = 0;
    for (int i = 0; i < requests; i++) {
      if (arrivals instanceof Arrivals.Poisson p) {
        t += -Math.log1p(-gaps.nextDouble()) / p.perSecond();
      }
      out.add(new Item(i, t, prompt.draw(prompts), output.draw(outputs)));
    }
    return out;
  }
}
