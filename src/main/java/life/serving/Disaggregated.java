package life.serving;

import java.util.ArrayList;
import java.util.List;
import life.forecast.Disaggregation;
import life.forecast.Forecaster;

/**
 * A disaggregated service simulated in two stages ({@link Disaggregation}): requests go round-robin, in arrival order,
 * to the prefill instances, each a replica that finishes a request at its first token; each request then goes, once
 * its KV cache has crossed the link, round-robin in that order to the decode instances, which receive it with its
 * prompt cached and decode the rest. Per request, TTFT is the first stage's, E2E ends at the second's last token.
 */
final class Disaggregated {
  private Disaggregated() {}

  static Simulator.Result run(Forecaster f, Engine e, Workload w, Simulator.Slo slo) {
    if (w.arrivals() instanceof Arrivals.Concurrency) {
      throw new IllegalArgumentException("--concurrency is not simulated with --disaggregate: give --qps, --max-load "
          + "or --trace");
    }
    Disaggregation d = f.disaggregation();
    boolean atRate = w.arrivals() instanceof Arrivals.Poisson;
    List<Workload.Item> items = w.items();
    int n = items.size();
    double[] arrival = new double[n];
    double[] first = new double[n];
    double[] finish = new double[n];
    boolean[] rejected = new boolean[n];
    long steps = 0;
    long preemptions = 0;
    double busy = 0;
    // Prefill stage.
    for (int p = 0; p < d.prefill(); p++) {
      List<Workload.Item> mine = new ArrayList<>();
      List<Integer> ids = new ArrayList<>();
      for (int i = p; i < n; i += d.prefill()) {
        Workload.Item it = items.get(i);
        arrival[i] = it.arrivalS();
        mine.add(new Workload.Item(mine.size(), it.arrivalS(), it.promptTokens(), 1));
        ids.add(i);
      }
      if (mine.isEmpty()) {
        continue;
      }
      Simulator.Run run = new Simulator.Run(f, e, mine, 0, w.seed() + p, atRate, slo, false);
      Simulator.Result r = run.simulate();
      steps += r.steps();
      preemptions += r.preemptions();
      busy += r.busyShare() * r.durationS();
      for (int j = 0; j < mine.size(); j++) {
        int i = ids.get(j);
        rejected[i] = run.rejected[j];
        first[i] = run.finish[j];
        finish[i] = run.finish[j];
      }
    }
    // Decode stage, in the order the caches arrive.
    List<Integer> order = new ArrayList<>();
    double[] handed = new double[n];
    for (int i = 0; i < n; i++) {
      if (!rejected[i] && items.get(i).outputTokens() > 1) {
        handed[i] = first[i] + f.kvTransferSeconds(items.get(i).promptTokens());
        order.add(i);
      }
    }
    order.sort((a, b) -> Double.compare(handed[a], handed[b]));
    double batchTime = 0;
    double kvTime = 0;
    double decodeBusy = 0;
    double peakKv = 0;
    long kvBlocks = Simulator.kvBlocks(f, e);
    for (int q = 0; q < d.decode(); q++) {
      List<Workload.Item> mine = new ArrayList<>();
      List<Integer> ids = new ArrayList<>();
      for (int k = q; k < order.size(); k += d.decode()) {
        int i = order.get(k);
        Workload.Item it = items.get(i);
        mine.add(new Workload.Item(mine.size(), handed[i], it.promptTokens(), it.outputTokens()));
        ids.add(i);
      }
      if (mine.isEmpty()) {
        continue;
      }
      Simulator.Run run = new Simulator.Run(f, e, mine, 0, w.seed() + 7919L * (q + 1), atRate, slo, true);
      Simulator.Result r = run.simulate();
      steps += r.steps();
      preemptions += r.preemptions();
      double b = r.busyShare() * r.durationS();
      busy += b;
      decodeBusy += b;
      batchTime += r.meanBatch() * b;
      kvTime += r.meanKvUsage() * b;
      peakKv = Math.max(peakKv, r.peakKvUsage());
      for (int j = 0; j < mine.size(); j++) {
        int i = ids.get(j);
        rejected[i] |= run.rejected[j];
        finish[i] = run.finish[j];
      }
    }
    int[] output = new int[n];
    double end = 0;
    for (int i = 0; i < n; i++) {
      output[i] = (int) items.get(i).outputTokens();
      end = Math.max(end, finish[i]);
    }
    return Simulator.summarize(arrival, first, finish, output, rejected, slo, atRate, end, Double.NaN, steps,
        preemptions, decodeBusy > 0 ? batchTime / decodeBusy : 0, decodeBusy > 0 ? kvTime / decodeBusy : 0, peakKv,
        busy / (d.prefill() + d.decode()), kvBlocks, e.blockTokens());
  }
}
