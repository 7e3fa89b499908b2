package life.serving;

/**
 * How requests reach a service: open loop at a rate (Poisson: exponential gaps of mean 1 / rate), all at once
 * ("max load": every request waits at time 0, which measures the largest throughput), or closed loop (a fixed number
 * of clients, each sending its next request when its last one finishes; the simulator times those).
 */
public sealed interface Arrivals {
  /** How the arrivals are written in outputs: {@code poisson:2.5/s}, {@code concurrency:8}, {@code max-load}, … */
  String id();

  /**
   * Requests as recorded: each with its arrival time and lengths, in arrival order (a trace file, or a test's hand-made
   * schedule). The workload's length distributions are not drawn.
   */
  record Trace(java.util.List<Workload.Item> items) implements Arrivals {
    @Override
    public String id() {
      return "trace:" + items.size();
    }

    public Trace {
      items = java.util.List.copyOf(items);
      double last = 0;
      for (Workload.Item it : items) {
        if (!(it.arrivalS() >= last) || Double.isInfinite(it.arrivalS())) {
          throw new IllegalArgumentException("trace arrival times must be finite, at least 0 and in order; request "
              + it.id() + " arrives at " + it.arrivalS() + " s after one at " + last + " s");
        }
        if (it.promptTokens() < 1 || it.outputTokens() < 1 || it.promptTokens() > life.spec.Limits.MAX_TOKENS
            || it.outputTokens() > life.spec.Limits.MAX_TOKENS) {
          throw new IllegalArgumentException("trace request " + it.id() + ": prompt and output tokens must be from 1 "
              + "to " + life.spec.Limits.MAX_TOKENS);
        }
        last = it.arrivalS();
      }
    }
  }

  /** Poisson arrivals at {@code perSecond} requests per second. */
  record Poisson(double perSecond) implements Arrivals {
    @Override
    public String id() {
      return "poisson:" + perSecond + "/s";
    }

    public Poisson {
      if (!(perSecond > 0 && perSecond <= 1e9)) {
        throw new IllegalArgumentException("--qps must be above 0 and at most 1e9 requests/s, got " + perSecond);
      }
    }
  }

  /** {@code clients} requests in flight at all times. */
  record Concurrency(int clients) implements Arrivals {
    @Override
    public String id() {
      return "concurrency:" + clients;
    }

    public Concurrency {
      if (clients < 1 || clients > 1 << 20) {
        throw new IllegalArgumentException("--concurrency must be from 1 to " + (1 << 20) + ", got " + clients);
      }
    }
  }

  /** Every request at time 0. */
  record MaxLoad() implements Arrivals {
    @Override
    public String id() {
      return "max-load";
    }
  }
}
