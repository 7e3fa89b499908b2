package life.forecast;

/**
 * The forecast of one request on one device. Times in milliseconds, rates in tokens per second, memory in GiB,
 * work in 10⁹ ops and 10⁹ bytes. Every figure is finite and non-negative: a forecast with another (inputs beyond
 * what the arithmetic represents, such as a device file with a vanishing bandwidth) is refused with an
 * {@link IllegalArgumentException} naming the figure by its output column, and nothing of it is printed or written.
 *
 * @param contextLen tokens cached before the prompt
 * @param ttftMs time to first token: the prefill of the whole batch, including the first token's LM head
 * @param tpotMs mean time per output token over the {@code output − 1} decode steps as the KV cache grows (for a
 *     single output token, the cost of the next step)
 * @param tps output tokens per second of one sequence, {@code 1000 / tpot_ms}
 * @param throughputTps output tokens per second of the whole batch, {@code batch · output / e2e}
 * @param e2eMs end-to-end latency, TTFT plus every decode step; a batch whose KV cache does not fit runs in waves
 *     where the stack admits sequences as memory allows ({@code life.stack.StackSettings#waves})
 * @param prefillTps prompt tokens per second of the prefill, summed over the batch: {@code batch · prompt / ttft}
 * @param memoryGib peak memory: weights + KV cache at the final context for the whole batch + transient activations
 * @param fits {@code memory_gib} is within the device's capacity
 * @param exceedsContext the context, prompt and output together exceed the model's {@code max_position_embeddings}
 *     (the forecast still computes them, as an engine that allowed it would)
 * @param prefillBound the larger of the prefill's summed compute and memory times
 * @param decodeBound the same over all decode steps
 * @param prefillGops ops of the prefill in 10⁹
 * @param prefillGb bytes read and written by the prefill in 10⁹
 * @param decodeGopsPerStep mean ops of one decode step (whole batch) in 10⁹
 * @param decodeGbPerStep mean bytes of one decode step in 10⁹
 * @param dispatchesPerStep kernel dispatches of one decode step
 * @param stack the serving stack, {@code engine/api@version} or {@code none}
 * @param computeEff fraction of peak compute used
 * @param memEff fraction of peak bandwidth used
 * @param dispatchUs cost per kernel dispatch in microseconds
 * @param efficiencies where the efficiencies come from ({@code life.stack.Efficiencies#origin})
 */
public record Forecast(
    String model,
    String hardware,
    long promptLen,
    long outputLen,
    int batch,
    long contextLen,
    double ttftMs,
    double tpotMs,
    double tps,
    double throughputTps,
    double e2eMs,
    double prefillTps,
    double memoryGib,
    double weightsGib,
    double kvCacheGib,
    double activationGib,
    boolean fits,
    boolean exceedsContext,
    Bound prefillBound,
    Bound decodeBound,
    double prefillGops,
    double prefillGb,
    double decodeGopsPerStep,
    double decodeGbPerStep,
    double dispatchesPerStep,
    String stack,
    double computeEff,
    double memEff,
    double dispatchUs,
    String efficiencies) {

  public Forecast {
    figure("ttft_ms", ttftMs);
    figure("tpot_ms", tpotMs);
    figure("tps", tps);
    figure("throughput_tps", throughputTps);
    figure("e2e_ms", e2eMs);
    figure("prefill_tps", prefillTps);
    figure("memory_gib", memoryGib);
    figure("weights_gib", weightsGib);
    figure("kv_cache_gib", kvCacheGib);
    figure("activation_gib", activationGib);
    figure("prefill_gops", prefillGops);
    figure("prefill_gb", prefillGb);
    figure("decode_gops_per_step", decodeGopsPerStep);
    figure("decode_gb_per_step", decodeGbPerStep);
    figure("dispatches_per_step", dispatchesPerStep);
    figure("compute_eff", computeEff);
    figure("mem_eff", memEff);
    figure("dispatch_us", dispatchUs);
  }

  /** Refuses a figure that is NaN, infinite or negative (written in the positive form, so NaN fails). */
  private static void figure(String column, double v) {
    if (v >= 0 && v < Double.POSITIVE_INFINITY) {
      return;
    }
    throw new IllegalArgumentException("the forecast's " + column + " is " + v + ", not a finite non-negative number: "
        + "the inputs are beyond what the forecast can represent");
  }
}
