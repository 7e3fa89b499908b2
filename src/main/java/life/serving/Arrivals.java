package life.serving;

/**
 * How requests reach a service: open loop at a rate (Poisson: exponential gaps of mean 1 / rate), all at once
 * ("max load": every request waits at time 0, which measures the largest throughput), or closed loop (a fixed number
 * of clients, each sending its next request when its last one finishes; the simulator times those).
 */
public sealed interface Arrivals {
  /** Poisson arrivals at {@code perSecond} requests per second. */
  record Poisson(double perSecond) implements Arrivals {
    public Poisson {
      if (!(perSecond > 0 && perSecond <= 1e9)) {
        throw new IllegalArgumentException("--qps must be above 0 and at most 1e9 requests/s, got " + perSecond);
      }
    }
  }

  /** {@code clients} requests in flight at all times. */
  record Concurrency(int clients) implements Arrivals {
    public Concurrency {
      if (clients < 1 || clients > 1 << 20) {
        throw new IllegalArgumentException("--concurrency must be from 1 to " + (1 << 20) + ", got " + clients);
      }
    }
  }

  /** Every request at time 0. */
  record MaxLoad() implements Arrivals {}
}
