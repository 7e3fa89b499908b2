package life.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import life.spec.InputException;
import life.catalog.HardwareCatalog;
import life.catalog.ModelCatalog;
import life.forecast.Forecast;
import life.forecast.ForecastColumns;
import life.forecast.Forecaster;
import life.forecast.Overlap;
import life.forecast.Request;
import life.ops.ActQuant;
import life.ops.AttentionVariant;
import life.ops.Counting;
import life.ops.Fusion;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.spec.DType;
import life.spec.HardwareSpec;
import life.spec.ModelSpec;
import life.table.ColumnType;
import life.table.Digits;
import life.table.RowBatch;
import life.table.RowSchema;

/**
 * Evaluates ranges of a sweep's jobs into rows: decodes each job's coordinates, checks the {@code where}
 * constraints (those on the axes before forecasting, those on metrics after), forecasts and fills one row. Pure and
 * thread-safe: the same jobs always give the same rows, whatever thread runs them.
 */
public final class SweepEvaluator {
  /** Columns of every sweep result table: the job index, every axis, every forecast metric, device cost columns. */
  /** The forecast fields that get an interval, in {@link life.stack.Intervals#COLUMNS}' order. */
  private static final List<ForecastColumns.Column> INTERVAL_FIELDS = life.stack.Intervals.COLUMNS.keySet().stream()
      .map(n -> ForecastColumns.ALL.stream().filter(f -> f.name().equals(n)).findFirst().orElseThrow()).toList();

  /** Columns of a sweep's rows without intervals. */
  public static final RowSchema SCHEMA = schema(false);

  private static final int CACHE_LIMIT = 4096;
  /** Significant digits of the metric columns (see {@link Digits}). */
  public static final int DIGITS = 6;
  private static final int V_PROMPT = Vars.index("prompt");
  private static final int V_OUTPUT = Vars.index("output");
  private static final int V_BATCH = Vars.index("batch");
  private static final int V_CHUNK = Vars.index("chunk");
  private static final int V_CONTEXT = Vars.index("context");
  private static final int V_KV_KEEP = Vars.index("kv_keep");
  private static final int V_KV_BITS = Vars.index("kv_bits");
  private static final int V_MAX_CONTEXT = Vars.index("max_context");
  private static final int V_PARAMS_B = Vars.index("params_b");
  private static final int V_MEM_GIB = Vars.index("mem_gib");
  private static final int V_MEM_BW_GBPS = Vars.index("mem_bw_gbps");
  private static final int V_PRICE_USD = Vars.index("price_usd");
  private static final int V_TDP_W = Vars.index("tdp_w");
  private static final int V_QPS = Vars.index("qps");
  private static final int V_SLO_TTFT = Vars.index("slo_ttft_ms");
  private static final int V_SLO_TPOT = Vars.index("slo_tpot_ms");
  private static final int V_MAX_QPS = Vars.index("max_qps_at_slo");
  private static final int V_EXCEEDS_CONTEXT = Vars.index("exceeds_context");
  /** Serving columns: max_qps_at_slo, replicas, load_ttft_p90_ms, load_tpot_p90_ms, usd_per_mtok, j_per_token. */
  private static final int SERVING_COLUMNS = 6;
  private final SweepSpec spec;
  private final Plan plan;
  private final HardwareCatalog catalog;
  private final int[] axisIndex;
  private final String[][] values;
  private final ConcurrentHashMap<Long, Object> forecasters = new ConcurrentHashMap<>();
  /** Steady-state models of a forecaster and request shape (or why there is none), shared by every thread. */
  private final ConcurrentHashMap<ServingKey, Object> steady = new ConcurrentHashMap<>();
  /** Largest rates within objectives, by forecaster, shape and objectives. */
  private final ConcurrentHashMap<RateKey, Double> rates = new ConcurrentHashMap<>();
  private final int[] graphAxes;
  private final long[] prompts;
  private final long[] outputs;
  private final long[] batches;
  private final long[] chunks;
  private final double[] keeps;
  private final double[] qpsValues;
  private final double[] sloTtftValues;
  private final double[] sloTpotValues;
  private final RowSchema schema;

  public SweepEvaluator(SweepSpec spec) {
    this.spec = spec;
    this.schema = schema(spec.intervals());
    this.plan = new Plan(spec);
    HardwareCatalog c = HardwareCatalog.builtIn();
    for (var f : spec.hardwareFiles()) {
      c = c.with(f);
    }
    this.catalog = c;
    this.axisIndex = new int[AxisName.values().length];
    spec.axisIndex().forEach((a, i) -> axisIndex[a.ordinal()] = i);
    this.values = new String[spec.axes().size()][];
    List<Integer> g = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      values[i] = spec.axes().get(i).values().toArray(new String[0]).clone();
      for (int k = 0; k < values[i].length; k++) {
        values[i][k] = values[i][k].intern();
      }
      if (!spec.axes().get(i).name().request()) {
        g.add(i);
      }
    }
    graphAxes = g.stream().mapToInt(Integer::intValue).toArray();
    prompts = longs(AxisName.PROMPT);
    outputs = longs(AxisName.OUTPUT);
    batches = longs(AxisName.BATCH);
    chunks = java.util.Arrays.stream(values[axisIndex[AxisName.CHUNK.ordinal()]])
        .mapToLong(x -> x.equals("auto") ? -1 : Long.parseLong(x)).toArray();
    keeps = java.util.Arrays.stream(values[axisIndex[AxisName.KV_KEEP.ordinal()]]).mapToDouble(Double::parseDouble).toArray();
    qpsValues = doubles(AxisName.QPS);
    sloTtftValues = doubles(AxisName.SLO_TTFT_MS);
    sloTpotValues = doubles(AxisName.SLO_TPOT_MS);
  }

  private double[] doubles(AxisName a) {
    return java.util.Arrays.stream(values[axisIndex[a.ordinal()]]).mapToDouble(Double::parseDouble).toArray();
  }

  private long[] longs(AxisName a) {
    return java.util.Arrays.stream(values[axisIndex[a.ordinal()]]).mapToLong(Long::parseLong).toArray();
  }

  private int at(int[] coords, AxisName a) {
    return coords[axisIndex[a.ordinal()]];
  }

  public Plan plan() {
    return plan;
  }

  public SweepSpec spec() {
    return spec;
  }

  /** Columns of this sweep's rows: {@link #SCHEMA}, then the intervals' where the sweep asks for them. */
  public RowSchema schema() {
    return schema;
  }

  /** Columns of rows without or with each time and rate's 80 % interval ({@code NAME_lo}, {@code NAME_hi}, last). */
  public static RowSchema schema(boolean intervals) {
    List<RowSchema.Column> c = new ArrayList<>();
    c.add(new RowSchema.Column("point", ColumnType.LONG));
    c.add(new RowSchema.Column("model", ColumnType.STRING));
    c.add(new RowSchema.Column("hardware", ColumnType.STRING));
    c.add(new RowSchema.Column("dtype", ColumnType.STRING));
    c.add(new RowSchema.Column("weights", ColumnType.STRING));
    c.add(new RowSchema.Column("weight_bits", ColumnType.DOUBLE));
    c.add(new RowSchema.Column("act_bits", ColumnType.STRING));
    c.add(new RowSchema.Column("kv_bits", ColumnType.LONG));
    c.add(new RowSchema.Column("kv_keep", ColumnType.DOUBLE));
    c.add(new RowSchema.Column("lora", ColumnType.STRING));
    c.add(new RowSchema.Column("attention", ColumnType.STRING));
    c.add(new RowSchema.Column("window", ColumnType.STRING));
    c.add(new RowSchema.Column("fusion", ColumnType.STRING));
    c.add(new RowSchema.Column("overlap", ColumnType.STRING));
    c.add(new RowSchema.Column("counting", ColumnType.STRING));
    c.add(new RowSchema.Column("stack_requested", ColumnType.STRING));
    c.add(new RowSchema.Column("parallel", ColumnType.STRING));
    c.add(new RowSchema.Column("spec", ColumnType.STRING));
    c.add(new RowSchema.Column("prompt_len", ColumnType.LONG));
    c.add(new RowSchema.Column("output_len", ColumnType.LONG));
    c.add(new RowSchema.Column("batch", ColumnType.LONG));
    c.add(new RowSchema.Column("chunk", ColumnType.LONG));
    for (ForecastColumns.Column f : ForecastColumns.ALL) {
      if (!List.of("model", "hardware", "prompt_len", "output_len", "batch", "context_len").contains(f.name())) {
        c.add(new RowSchema.Column(f.name(), f.type()));
      }
    }
    c.add(new RowSchema.Column("mem_gib", ColumnType.DOUBLE));
    c.add(new RowSchema.Column("price_usd", ColumnType.DOUBLE));
    c.add(new RowSchema.Column("tdp_w", ColumnType.DOUBLE));
    for (String n : List.of("qps", "slo_ttft_ms", "slo_tpot_ms", "max_qps_at_slo", "replicas", "load_ttft_p90_ms",
        "load_tpot_p90_ms", "usd_per_mtok", "j_per_token")) {
      c.add(new RowSchema.Column(n, ColumnType.DOUBLE));
    }
    c.add(new RowSchema.Column("status", ColumnType.STRING));
    if (intervals) {
      for (String n : life.stack.Intervals.COLUMNS.keySet()) {
        c.add(new RowSchema.Column(n + "_lo", ColumnType.DOUBLE));
        c.add(new RowSchema.Column(n + "_hi", ColumnType.DOUBLE));
      }
    }
    return new RowSchema(c);
  }

  /** Counts of one range of jobs: evaluated, written, and removed by each constraint. */
  public static final class Counts {
    public long jobs;
    public long rows;
    public long failed;
    public final long[] removed;

    public Counts(int constraints) {
      removed = new long[constraints];
    }

    public void add(Counts o) {
      jobs += o.jobs;
      rows += o.rows;
      failed += o.failed;
      for (int i = 0; i < removed.length; i++) {
        removed[i] += o.removed[i];
      }
    }
  }

  /** Evaluates jobs [from, to) into {@code out} (cleared first). */
  public Counts evaluate(long from, long to, RowBatch out) {
    out.clear();
    Counts counts = new Counts(spec.where().size());
    int[] coords = new int[plan.axes()];
    double[] vars = new double[Vars.COUNT];
    long lastKey = -1;
    Object f = null;
    double[] serving = new double[SERVING_COLUMNS];
    for (long i = from; i < to; i++) {
      counts.jobs++;
      if (i == from) {
        plan.decode(i, coords);
      } else {
        plan.next(coords);
      }
      long key = graphKey(coords);
      if (key != lastKey) {
        f = forecaster(key, coords);
        lastKey = key;
      }
      long prompt = prompts[at(coords, AxisName.PROMPT)];
      long output = outputs[at(coords, AxisName.OUTPUT)];
      int batch = (int) batches[at(coords, AxisName.BATCH)];
      long chunk = chunks[at(coords, AxisName.CHUNK)];
      java.util.Arrays.fill(vars, Double.NaN);
      fillBefore(vars, coords, f, prompt, output, batch, chunk);
      if (!passes(vars, false, counts)) {
        continue;
      }
      Forecast fc = null;
      String status = "ok";
      if (f instanceof Target tg) {
        try {
          Request rq = tg.setup.request(prompt, output, batch, chunk, 0);
          chunk = rq.chunk();
          fc = tg.forecaster.forecast(rq);
        } catch (IllegalArgumentException e) {
          status = e.getMessage();
        }
      } else {
        status = (String) f;
      }
      java.util.Arrays.fill(serving, Double.NaN);
      if (fc != null) {
        serve(serving, key, (Target) f, prompt, output, vars);
        fillAfter(vars, fc, serving);
      }
      if (!passes(vars, true, counts)) {
        continue;
      }
      if (fc == null) {
        counts.failed++;
      }
      row(out, i, coords, f, fc, prompt, output, batch, chunk, status, serving);
      counts.rows++;
    }
    return counts;
  }

  private boolean passes(double[] vars, boolean after, Counts counts) {
    List<Constraint> w = spec.where();
    for (int k = 0; k < w.size(); k++) {
      Constraint c = w.get(k);
      if (c.afterForecast() == after && !c.test(vars)) {
        counts.removed[k]++;
        return false;
      }
    }
    return true;
  }

  private String value(int[] coords, AxisName a) {
    int ax = axisIndex[a.ordinal()];
    return values[ax][coords[ax]];
  }

  /** A forecaster with the point variables and row values that depend only on it, computed once. */
  static final class Target {
    final Forecaster forecaster;
    final life.scenario.Setup setup;
    /** kv_bits, max_context, params_b, mem_gib, mem_bw_gbps, price_usd, tdp_w (consecutive in {@link Vars}). */
    final double[] before;
    final double weightBits;
    final long kvBits;
    /** The interval bands of {@link life.stack.Intervals#COLUMNS}, in order (null where none applies). */
    final life.stack.Intervals.Band[] bands;

    Target(life.scenario.Setup s, Forecaster f) {
      setup = s;
      forecaster = f;
      life.stack.Intervals.Basis basis = life.stack.Intervals.Basis.of(f.efficiencies().origin());
      bands = life.stack.Intervals.COLUMNS.values().stream()
          .map(p -> life.stack.Intervals.of(basis, f.stack().name(), p)).toArray(life.stack.Intervals.Band[]::new);
      ModelSpec m = f.graph().spec();
      HardwareSpec h = f.hardware();
      // params_b is the model's, not one tensor-parallel device's share; price and power are all the devices'.
      int devices = f.graph().options().parallel().devices();
      double params = f.graph().options().parallel().tensor()
          ? GraphBuilder.build(m, f.graph().options().withParallel(life.ops.Parallelism.NONE)).parameters()
          : f.graph().parameters();
      before = new double[] {f.graph().options().kvBits(), m.maxPosition() > 0 ? m.maxPosition()
          : Double.POSITIVE_INFINITY, params / 1e9, h.memBytes() / HardwareSpec.GIB,
          h.memBytesPerSecond() / 1e9, devices * h.priceUsd().orElse(Double.NaN),
          devices * h.tdpW().orElse(Double.NaN)};
      weightBits = f.graph().options().weightBytes() * 8;
      kvBits = f.graph().options().kvBits();
    }
  }

  /** Index of the point's graph and device coordinates (mixed radix over the non-request axes). */
  private long graphKey(int[] coords) {
    long key = 0;
    for (int ax : graphAxes) {
      key = key * values[ax].length + coords[ax];
    }
    return key;
  }

  /** The forecaster of the point's graph and device axes, or the reason there is none. */
  private Object forecaster(long key, int[] coords) {
    Object f = forecasters.get(key);
    if (f == null) {
      f = build(coords);
      if (forecasters.size() >= CACHE_LIMIT) {
        forecasters.clear();
      }
      forecasters.put(key, f);
    }
    return f;
  }

  /** The point's setup through {@link life.scenario.ScenarioText}, the same way in as the command line's. */
  private Object build(int[] coords) {
    try {
      java.util.Map<String, String> text = new java.util.LinkedHashMap<>();
      for (int ax : graphAxes) {
        text.put(spec.axes().get(ax).name().key(), values[ax][coords[ax]]);
      }
      life.scenario.Setup s = life.scenario.ScenarioText.setup(text, catalog, null);
      life.scenario.Built b = s.build();
      if (b instanceof life.scenario.Built.Ready r) {
        return new Target(s, r.forecaster());
      }
      return ((life.scenario.Built.Unsupported) b).reason();
    } catch (IllegalArgumentException | InputException e) {
      return e.getMessage();
    }
  }

  private void fillBefore(double[] v, int[] coords, Object f, long prompt, long output, int batch, long chunk) {
    v[V_PROMPT] = prompt;
    v[V_OUTPUT] = output;
    v[V_BATCH] = batch;
    v[V_CHUNK] = chunk;
    v[V_CONTEXT] = prompt + output;
    v[V_KV_KEEP] = keeps[at(coords, AxisName.KV_KEEP)];
    v[V_QPS] = qpsValues[at(coords, AxisName.QPS)];
    v[V_SLO_TTFT] = sloTtftValues[at(coords, AxisName.SLO_TTFT_MS)];
    v[V_SLO_TPOT] = sloTpotValues[at(coords, AxisName.SLO_TPOT_MS)];
    if (f instanceof Target t) {
      System.arraycopy(t.before, 0, v, V_KV_BITS, t.before.length);
      assert V_TDP_W == V_KV_BITS + t.before.length - 1;
    }
  }

  private static void fillAfter(double[] v, Forecast f, double[] serving) {
    int b = Vars.BEFORE.size();
    double[] m = {f.ttftMs(), f.tpotMs(), f.tps(), f.throughputTps(), f.e2eMs(), f.memoryGib(), f.weightsGib(),
        f.kvCacheGib(), f.activationGib(), f.fits() ? 1 : 0, f.prefillGops(), f.prefillGb(), f.decodeGopsPerStep(),
        f.decodeGbPerStep(), f.dispatchesPerStep()};
    System.arraycopy(m, 0, v, b, m.length);
    System.arraycopy(serving, 0, v, V_MAX_QPS, serving.length);
    v[V_EXCEEDS_CONTEXT] = f.exceedsContext() ? 1 : 0;
  }

  /** One replica's steady state for a request shape, shared by the points of a range that differ in rate or SLO. */
  private record ServingKey(long graph, long prompt, long output) {}

  private record RateKey(long graph, long prompt, long output, double ttftMs, double tpotMs) {}

  /**
   * The serving columns of a point ({@link life.serving.SteadyState}, the stack's engine defaults, the default costs
   * of {@link life.serving.Capacity.Costs}): with a rate or an objective, the largest rate per replica within the
   * objectives (p90; the saturation rate without objectives); with a rate, the replicas it needs and their p90
   * latencies at their share of it; the cost and energy per output token at the rate (or, without one, of a replica
   * at its largest rate). NaN where there is no rate and no objective, or the replica cannot serve at all.
   */
  private void serve(double[] out, long graph, Target t, long prompt, long output, double[] v) {
    double qps = v[V_QPS];
    double sloTtft = v[V_SLO_TTFT];
    double sloTpot = v[V_SLO_TPOT];
    if (qps == 0 && sloTtft == 0 && sloTpot == 0) {
      return;
    }
    if (steady.size() >= CACHE_LIMIT) {
      steady.clear();
    }
    if (rates.size() >= 16 * CACHE_LIMIT) {
      rates.clear();
    }
    Object model = steady.computeIfAbsent(new ServingKey(graph, prompt, output), k -> {
      try {
        return new life.serving.SteadyState(t.forecaster, life.serving.Engine.defaults(t.setup.stack(),
            t.setup.device()), prompt, output);
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
    });
    if (!(model instanceof life.serving.SteadyState ss)) {
      return;
    }
    double max = rates.computeIfAbsent(new RateKey(graph, prompt, output, sloTtft, sloTpot),
        k -> ss.maxRate(new life.serving.Simulator.Slo(sloTtft, sloTpot)));
    out[0] = Digits.round(max, DIGITS);
    if (!(max > 0)) {
      return;
    }
    double replicas = qps > 0 ? Math.max(1, Math.ceil(qps / max - 1e-9)) : 1;
    double rate = qps > 0 ? qps / replicas : max;
    life.serving.SteadyState.Estimate x = ss.at(rate);
    int devices = t.forecaster.graph().options().parallel().devices();
    double price = t.before[5];
    double tdp = t.before[6];
    life.serving.Capacity.Costs costs = life.serving.Capacity.Costs.DEFAULT;
    double watts = replicas * costs.watts(tdp / devices, x.busy()) * devices;
    double outputTps = replicas * rate * output;
    out[1] = qps > 0 ? replicas : Double.NaN;
    out[2] = Digits.round(x.ttftP90Ms(), DIGITS);
    out[3] = Digits.round(x.tpotP90Ms(), DIGITS);
    out[4] = Digits.round((replicas * price / (costs.amortizeYears() * 8760) + watts / 1000 * costs.usdPerKwh())
        / (outputTps * 3600) * 1e6, DIGITS);
    out[5] = Digits.round(watts / outputTps, DIGITS);
  }

  private void row(RowBatch out, long index, int[] coords, Object f, Forecast fc, long prompt, long output, int batch,
      long chunk, String status, double[] serving) {
    int r = out.addRow();
    int c = 0;
    out.longs(c++)[r] = index;
    out.strings(c++)[r] = value(coords, AxisName.MODEL);
    out.strings(c++)[r] = value(coords, AxisName.HARDWARE);
    out.strings(c++)[r] = value(coords, AxisName.DTYPE);
    out.strings(c++)[r] = value(coords, AxisName.WEIGHTS);
    Target t = f instanceof Target x ? x : null;
    out.doubles(c++)[r] = t == null ? Double.NaN : t.weightBits;
    out.strings(c++)[r] = value(coords, AxisName.ACT_BITS);
    out.longs(c++)[r] = t == null ? 0 : t.kvBits;
    out.doubles(c++)[r] = keeps[at(coords, AxisName.KV_KEEP)];
    out.strings(c++)[r] = value(coords, AxisName.LORA);
    out.strings(c++)[r] = value(coords, AxisName.ATTENTION);
    out.strings(c++)[r] = value(coords, AxisName.WINDOW);
    out.strings(c++)[r] = value(coords, AxisName.FUSION);
    out.strings(c++)[r] = value(coords, AxisName.OVERLAP);
    out.strings(c++)[r] = value(coords, AxisName.COUNTING);
    out.strings(c++)[r] = value(coords, AxisName.STACK);
    out.strings(c++)[r] = value(coords, AxisName.PARALLEL);
    out.strings(c++)[r] = value(coords, AxisName.SPEC);
    out.longs(c++)[r] = prompt;
    out.longs(c++)[r] = output;
    out.longs(c++)[r] = batch;
    out.longs(c++)[r] = chunk;
    if (fc != null) {
      out.doubles(c++)[r] = Digits.round(fc.ttftMs(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.tpotMs(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.tps(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.throughputTps(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.e2eMs(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.prefillTps(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.memoryGib(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.weightsGib(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.kvCacheGib(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.activationGib(), DIGITS);
      out.booleans(c++)[r] = fc.fits();
      out.booleans(c++)[r] = fc.exceedsContext();
      out.strings(c++)[r] = fc.prefillBound().id();
      out.strings(c++)[r] = fc.decodeBound().id();
      out.doubles(c++)[r] = Digits.round(fc.prefillGops(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.prefillGb(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.decodeGopsPerStep(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.decodeGbPerStep(), DIGITS);
      out.doubles(c++)[r] = Digits.round(fc.dispatchesPerStep(), DIGITS);
      out.strings(c++)[r] = fc.stack();
      out.doubles(c++)[r] = fc.computeEff();
      out.doubles(c++)[r] = fc.memEff();
      out.doubles(c++)[r] = Digits.round(fc.dispatchUs(), DIGITS);
      out.strings(c++)[r] = fc.efficiencies();
    } else {
      for (int k = 0; k < 24; k++, c++) {
        switch (SCHEMA.column(c).type()) {
          case DOUBLE -> out.doubles(c)[r] = Double.NaN;
          case BOOLEAN -> out.booleans(c)[r] = false;
          case STRING -> out.strings(c)[r] = "";
          case LONG -> out.longs(c)[r] = 0;
        }
      }
    }
    out.doubles(c++)[r] = t == null ? Double.NaN : t.before[3];
    out.doubles(c++)[r] = t == null ? Double.NaN : t.before[5];
    out.doubles(c++)[r] = t == null ? Double.NaN : t.before[6];
    out.doubles(c++)[r] = qpsValues[at(coords, AxisName.QPS)];
    out.doubles(c++)[r] = sloTtftValues[at(coords, AxisName.SLO_TTFT_MS)];
    out.doubles(c++)[r] = sloTpotValues[at(coords, AxisName.SLO_TPOT_MS)];
    for (double x : serving) {
      out.doubles(c++)[r] = x;
    }
    out.strings(c++)[r] = status;
    if (spec.intervals()) {
      for (int k = 0; k < INTERVAL_FIELDS.size(); k++) {
        ForecastColumns.Column field = INTERVAL_FIELDS.get(k);
        double[] lohi = fc == null ? new double[] {Double.NaN, Double.NaN}
            : life.stack.Intervals.interval(field.name(), (Double) field.get().apply(fc), t.bands[k]);
        out.doubles(c++)[r] = Digits.round(lohi[0], DIGITS);
        out.doubles(c++)[r] = Digits.round(lohi[1], DIGITS);
      }
    }
  }
}
