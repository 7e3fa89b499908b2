package life.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import life.spec.InputException;
import life.catalog.HardwareCatalog;
import life.forecast.Forecast;
import life.forecast.Forecaster;
import life.scenario.Built;
import life.scenario.EfficiencyRule;
import life.scenario.Scenario;
import life.scenario.ScenarioText;
import life.scenario.Setup;

/**
 * Forecasts published measurements: maps each row (device, model, data types, batch, prompt, cached context,
 * output, metric) to the forecast of the same quantity, or says why it cannot.
 */
public final class Validator {
  /**
   * A forecast of one measurement, or the reason there is none.
   *
   * @param efficiencies where the forecast's efficiencies came from ({@link life.stack.Efficiencies#origin}), empty
   *     when there is no forecast
   */
  public record Outcome(Measurement m, double predicted, String unsupported, String efficiencies) {
    /** An outcome without a record of its efficiencies' origin. */
    public Outcome(Measurement m, double predicted, String unsupported) {
      this(m, predicted, unsupported, "");
    }

    public boolean supported() {
      return unsupported == null;
    }

    /** Signed error in percent of the measured value. */
    public double errorPct() {
      return 100 * (predicted - m.canonicalValue()) / m.canonicalValue();
    }
  }

  /** The efficiencies of the device's kind and its hardware file, no stack defaults. */
  public static final EfficiencyRule PLAIN = EfficiencyRule.KIND;

  private final HardwareCatalog catalog;
  private final EfficiencyRule eff;
  private final Map<String, Built> cache = new HashMap<>();

  /**
   * A row's scenario as parsed from its text (efficiencies not yet chosen), the text of its setup (the key of built
   * forecasters), or why it cannot be parsed. Parsing is the same for every validator of one catalog, so it is done
   * once per catalog and row (calibration builds thousands of validators over the same rows).
   */
  private record Parsed(Scenario scenario, String setupKey, String error) {}

  /**
   * A row's forecaster under the device kind's efficiencies, or why there is none, with what does not depend on the
   * efficiencies checked once: the weights fit, the measured time is not below the bandwidth bound. Other validators
   * of the same catalog derive their forecasters from it ({@link Forecaster#withEfficiencies}).
   */
  private record Base(Built built, String unsupported) {}

  /** Base forecasters per catalog, by setup text and by row. */
  private static final Map<HardwareCatalog, Map<String, Built>> BUILT = new java.util.WeakHashMap<>();
  private static final Map<HardwareCatalog, Map<Measurement, String>> CHECKED = new java.util.WeakHashMap<>();

  /** Rows parsed per catalog, by identity (a row's own hash would hash its every field on each lookup). */
  private static final Map<HardwareCatalog, Map<Measurement, Parsed>> PARSED = new java.util.WeakHashMap<>();

  private Parsed parsed(Measurement m) {
    return memo(PARSED, m, this::parse);
  }

  /** Row {@code m}'s value in the per-catalog memo {@code memo}, made once by {@code make}. */
  private <V> V memo(Map<HardwareCatalog, Map<Measurement, V>> memo, Measurement m,
      java.util.function.Function<Measurement, V> make) {
    Map<Measurement, V> mine;
    synchronized (memo) {
      mine = memo.computeIfAbsent(catalog, c -> new java.util.IdentityHashMap<>());
    }
    synchronized (mine) {
      V v = mine.get(m);
      if (v == null) {
        v = make.apply(m);
        mine.put(m, v);
      }
      return v;
    }
  }

  private Parsed parse(Measurement m) {
    Map<String, String> text = m.scenarioText();
    try {
      Setup setup = ScenarioText.setup(text, catalog, EfficiencyRule.KIND);
      Map<String, String> key = new java.util.TreeMap<>(text);
      key.keySet().removeAll(List.of("prompt", "output", "batch", "chunk", "context"));
      return new Parsed(new Scenario(setup, ScenarioText.request(setup, text)), key.toString().intern(), null);
    } catch (InputException | IllegalArgumentException e) {
      return new Parsed(null, null, e.getMessage());
    }
  }

  public Validator(HardwareCatalog catalog, EfficiencyRule eff) {
    this.catalog = catalog;
    this.eff = eff;
  }

  public List<Outcome> run(List<Measurement> ms) {
    List<Outcome> out = new ArrayList<>(ms.size());
    for (Measurement m : ms) {
      out.add(outcome(m));
    }
    return out;
  }

  public Outcome outcome(Measurement m) {
    if (m.devices() > 1 && m.parallelism().equals("other")) {
      return new Outcome(m, Double.NaN, "parallelism 'other' over " + m.devices() + " devices is not modelled (only "
          + "tp and layer-split)");
    }
    if (m.promptLen() == 0 && !m.metric().equals("decode_tps") && !m.metric().equals("tpot")) {
      return new Outcome(m, Double.NaN, "metric " + m.metric() + " needs a prompt length");
    }
    Parsed p = parsed(m);
    if (p.error() != null) {
      return new Outcome(m, Double.NaN, p.error());
    }
    Scenario sc = p.scenario();
    Built base = base(p);
    if (base instanceof Built.Unsupported u) {
      return new Outcome(m, Double.NaN, u.reason());
    }
    String why = checked(m, ((Built.Ready) base).forecaster());
    if (!why.isEmpty()) {
      return new Outcome(m, Double.NaN, why);
    }
    Built b = cache.computeIfAbsent(p.setupKey(), k -> {
      Setup s = sc.setup().withRule(eff);
      return new Built.Ready(s, ((Built.Ready) base).forecaster().withEfficiencies(s.efficiencies()));
    });
    Forecaster fr = ((Built.Ready) b).forecaster();
    try {
      Forecast f = fr.forecast(sc.request());
      return new Outcome(m, m.predicted(f), null, f.efficiencies());
    } catch (IllegalArgumentException e) {
      return new Outcome(m, Double.NaN, e.getMessage());
    }
  }

  private Built base(Parsed p) {
    Map<String, Built> mine;
    synchronized (BUILT) {
      mine = BUILT.computeIfAbsent(catalog, c -> new java.util.concurrent.ConcurrentHashMap<>());
    }
    return mine.computeIfAbsent(p.setupKey(), k -> p.scenario().setup().withRule(EfficiencyRule.KIND).build());
  }

  /** Why a row cannot be forecast whatever the efficiencies, or empty. */
  private String checked(Measurement m, Forecaster fr) {
    return memo(CHECKED, m, x -> {
      if (fr.hardware().memBytes() > 0 && fr.weightBytesPerDevice() > fr.hardware().memBytes()) {
        return "the weights do not fit in " + (x.devices() > 1 ? "the devices'" : "one device's")
            + " memory: the measurement must have used more devices or offloading";
      }
      String implausible = implausible(x, fr, Math.max(x.outputLen(), 1));
      return implausible == null ? "" : implausible;
    });
  }

  /**
   * A measured time below what the device's peak bandwidth allows cannot be the stated generation: every decode step
   * reads the weights it uses at least once (all of a dense model's; a mixture of experts' shared weights and the
   * experts its batch is expected to touch), so {@code n − 1} steps take at least {@code (n − 1) · those bytes / peak
   * bandwidth} (e.g. a run that stopped early at an end-of-sequence token). Such rows are listed as unsupported, not
   * forecast.
   */
  private static String implausible(Measurement m, Forecaster fr, long n) {
    double bw = fr.hardware().memBytesPerSecond();
    if (bw <= 0 || n <= 1) {
      return null;
    }
    double stepBytes = Math.min(fr.graphWeightBytes(), fr.stepCost(1, 1, Math.max(1, m.batch())).bytesRead());
    double minDecode = (n - 1) * stepBytes / bw;
    double measured = switch (m.metric()) {
      case "e2e" -> m.canonicalValue();
      case "throughput_tps" -> m.batch() * n / m.canonicalValue();
      default -> Double.POSITIVE_INFINITY;
    };
    if (measured < minDecode) {
      return "implausible measurement: below the bandwidth bound of " + (n - 1)
          + " decode steps (weights read at peak bandwidth each step); likely stopped early";
    }
    return null;
  }

}
