package life.serving;

import java.util.Locale;
import life.forecast.Forecaster;
import life.spec.HardwareSpec;

/**
 * Capacity planning for one configuration (a device, a parallelism, the engine): the largest request rate one replica
 * serves within the latency objectives, the replicas and devices a target rate needs, and what that costs in money
 * and energy per output token.
 *
 * <p>The rate comes from the steady state ({@link SteadyState#maxRate}) and is then settled by simulation: a
 * bisection of the simulator's p90 TTFT and TPOT, starting between half and one and a half times the steady estimate
 * (widened while the objectives hold above it, or fail below it). The
 * replicas then share the target rate evenly and one more simulation at that load gives the latencies reported.
 *
 * <p>Power of a device (our model): {@code P = idle·TDP + (1 − idle)·TDP·busy}, busy being the share of time the
 * replica runs steps; the idle share is the median of published idle-to-maximum ratios (docs/power-sources.md).
 * Cost per million output tokens: each device's list price spread over its service life plus its energy at a price
 * per kWh, over the output tokens the target rate brings.
 */
public final class Capacity {
  private Capacity() {}

  /**
   * What money and power cost.
   *
   * @param amortizeYears service life a device's price is spread over
   * @param usdPerKwh price of energy
   * @param idleShare power of an idle device as a share of its TDP
   */
  public record Costs(double amortizeYears, double usdPerKwh, double idleShare) {
    /**
     * Three years, 0.12 USD/kWh, and an idle share of 0.09: the median of seven published idle-to-maximum power ratios
     * (Mac Studio M2 Ultra and M1 Max, Mac mini M4 and M1, V100, RTX 4090, DGX Spark; docs/power-sources.md).
     */
    public static final Costs DEFAULT = new Costs(3, 0.12, 0.09);

    public Costs {
      if (!(amortizeYears > 0 && amortizeYears <= 100)) {
        throw new IllegalArgumentException("--amortize-years must be above 0 and at most 100, got " + amortizeYears);
      }
      if (!(usdPerKwh >= 0 && usdPerKwh <= 100)) {
        throw new IllegalArgumentException("--usd-per-kwh must be from 0 to 100, got " + usdPerKwh);
      }
      if (!(idleShare >= 0 && idleShare <= 1)) {
        throw new IllegalArgumentException("--idle-share must be from 0 to 1, got " + idleShare);
      }
    }

    /** Average watts of a device of {@code tdpW} busy for {@code busy} of the time. */
    public double watts(double tdpW, double busy) {
      return tdpW * (idleShare + (1 - idleShare) * Math.min(1, Math.max(0, busy)));
    }
  }

  /**
   * One configuration's plan; {@code why} is empty when it can meet the objectives, else it says why not (and the
   * figures are NaN).
   *
   * @param maxQpsPerReplica largest request rate one replica serves within the objectives
   * @param usdPerMtok dollars per million output tokens at the target rate (NaN without a price or TDP)
   * @param jPerToken joules per output token at the target rate (NaN without a TDP)
   * @param busy share of time each replica runs steps at its share of the target rate
   */
  public record Plan(String hardware, String parallel, int replicas, int devices, double maxQpsPerReplica,
      double usdPerMtok, double jPerToken, double ttftP90Ms, double tpotP90Ms, double busy, String why) {
    /** A configuration that cannot meet the objectives, and why. */
    public static Plan cannot(String hardware, String parallel, String why) {
      return new Plan(hardware, parallel, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
          Double.NaN, why);
    }

    public boolean feasible() {
      return why.isEmpty();
    }
  }

  /** Most replicas a plan may need: beyond this the configuration is reported as too small. */
  public static final int MAX_REPLICAS = 100_000;

  /**
   * The plan of {@code f} (one replica's model, devices and stack) under {@code e} for {@code targetQps} requests per
   * second shaped like {@code shape} (its arrivals are replaced by Poisson ones at each rate tried).
   */
  public static Plan plan(Forecaster f, Engine e, Workload shape, double targetQps, Simulator.Slo slo, Costs costs) {
    HardwareSpec hw = f.hardware();
    String parallel = f.graph().options().parallel().id();
    // A disaggregated replica is its prefill and decode instances, each of the parallelism's devices.
    life.forecast.Disaggregation dis = f.disaggregation();
    int perReplica = f.graph().options().parallel().devices() * (dis.active() ? dis.prefill() + dis.decode() : 1);
    if (dis.active()) {
      parallel = parallel + " " + dis.id();
    }
    SteadyState ss;
    try {
      ss = new SteadyState(f, e, shape.prompt().mean(), shape.output().mean());
    } catch (IllegalArgumentException ex) {
      return Plan.cannot(hw.id(), parallel, ex.getMessage());
    }
    double steady = ss.maxRate(slo);
    if (steady <= 0) {
      return Plan.cannot(hw.id(), parallel, "misses the objectives even with one request at a time ("
          + lone(ss) + ")");
    }
    // Settle the rate by simulation between half and one and a half times the steady estimate.
    double lo = 0.5 * steady;
    double hi = 1.5 * steady;
    if (!meets(f, e, shape, lo, slo)) {
      hi = lo;
      lo = 0;
      for (int i = 0; i < 8 && !meets(f, e, shape, hi, slo); i++) {
        hi /= 2;
      }
      if (!meets(f, e, shape, hi, slo)) {
        return Plan.cannot(hw.id(), parallel, "misses the objectives in simulation even at "
            + String.format(Locale.ROOT, "%.3g", hi) + " requests/s");
      }
      lo = hi;
      hi = 2 * hi;
    } else {
      // The steady state is a starting point (it does not model disaggregation): go up while the objectives hold.
      for (int i = 0; i < 20 && meets(f, e, shape, hi, slo); i++) {
        lo = hi;
        hi *= 2;
      }
    }
    for (int i = 0; i < 7; i++) {
      double mid = (lo + hi) / 2;
      if (meets(f, e, shape, mid, slo)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double maxQps = lo;
    double need = Math.ceil(targetQps / maxQps - 1e-9);
    if (need > MAX_REPLICAS) {
      return Plan.cannot(hw.id(), parallel, "needs more than " + MAX_REPLICAS + " replicas");
    }
    int replicas = (int) Math.max(1, need);
    Simulator.Result at = Simulator.run(f, e, poisson(shape, targetQps / replicas), slo);
    int devices = replicas * perReplica;
    double busy = at.busyShare();
    double outputTps = targetQps * shape.output().mean();
    double jPerToken = Double.NaN;
    double usd = Double.NaN;
    if (hw.tdpW().isPresent()) {
      double watts = devices * costs.watts(hw.tdpW().getAsDouble(), busy);
      jPerToken = watts / outputTps;
      if (hw.priceUsd().isPresent()) {
        double usdPerHour = devices * hw.priceUsd().getAsDouble() / (costs.amortizeYears() * 8760)
            + watts / 1000 * costs.usdPerKwh();
        usd = usdPerHour / (outputTps * 3600) * 1e6;
      }
    }
    return new Plan(hw.id(), parallel, replicas, devices, maxQps, usd, jPerToken, at.ttft().p90Ms(),
        at.tpot().p90Ms(), busy, "");
  }

  private static String lone(SteadyState ss) {
    SteadyState.Estimate x = ss.at(1e-6);
    return String.format(Locale.ROOT, "TTFT p90 %.0f ms, TPOT p90 %.1f ms", x.ttftP90Ms(), x.tpotP90Ms());
  }

  private static Workload poisson(Workload shape, double rate) {
    return new Workload(new Arrivals.Poisson(rate), shape.prompt(), shape.output(), shape.requests(), shape.seed());
  }

  private static boolean meets(Forecaster f, Engine e, Workload shape, double rate, Simulator.Slo slo) {
    if (rate <= 0) {
      return true;
    }
    Simulator.Result r = Simulator.run(f, e, poisson(shape, rate), slo);
    return !r.saturated() && (slo.ttftMs() == 0 || r.ttft().p90Ms() <= slo.ttftMs())
        && (slo.tpotMs() == 0 || !(r.tpot().p90Ms() > slo.tpotMs()));
  }
}
