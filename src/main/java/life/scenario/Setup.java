package life.scenario;

import life.forecast.Forecaster;
import life.forecast.Overlap;
import life.forecast.Request;
import life.forecast.Disaggregation;
import life.forecast.Speculation;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.spec.DType;
import life.spec.HardwareSpec;
import life.spec.ModelSpec;
import life.stack.Conventions;
import life.stack.Efficiencies;
import life.stack.Stack;

/**
 * Everything of a scenario but the request: model, device (and its hardware file's efficiencies), parallelism and
 * optimizations ({@code options}, before the stack's conventions), the stack, how compute and memory overlap, and how
 * efficiencies are chosen. Built only by {@link ScenarioText}; {@link #build} is the one place a {@link Forecaster} is
 * made outside tests.
 *
 * @param efficiencyOverrides values given on the command line, each null where not given
 * @param kvFp8 the KV cache is stored as fp8 (8 bits, floating point)
 * @param speculation speculative decoding, {@link Speculation#NONE} for none
 * @param draftModel the draft model of {@code draft} speculation (same devices, stack and options), else null
 * @param disaggregation prefill and decode on separate instances, {@link Disaggregation#NONE} for one pool
 */
public record Setup(ModelSpec model, HardwareSpec device, Efficiencies.Overrides deviceFit, Stack stack,
    GraphOptions options, Overlap overlap, EfficiencyRule rule, Efficiencies.Overrides efficiencyOverrides,
    boolean kvFp8, Speculation speculation, ModelSpec draftModel, Disaggregation disaggregation) {

  /** This setup with efficiencies chosen by {@code r}. */
  public Setup withRule(EfficiencyRule r) {
    return new Setup(model, device, deviceFit, stack, options, overlap, r, efficiencyOverrides, kvFp8, speculation,
        draftModel, disaggregation);
  }

  /** The efficiencies this setup forecasts with. */
  public Efficiencies efficiencies() {
    Efficiencies e = rule.apply(device, deviceFit, stack);
    return efficiencyOverrides.empty() ? e : efficiencyOverrides.applyTo(e);
  }

  /** The graph options after the stack's conventions. */
  public GraphOptions graphOptions() {
    return Conventions.apply(stack, options);
  }

  /** The forecaster of this setup, or why there is none. */
  public Built build() {
    if (kvFp8 && device.peak(DType.FP8).isEmpty()) {
      return new Built.Unsupported("fp8 KV cache on a device without fp8 units (no fp8_tflops): its software E4M3 "
          + "conversion in the attention kernel is not modelled");
    }
    try {
      Forecaster f = new Forecaster(GraphBuilder.build(model, graphOptions()), device, efficiencies(), stack, overlap);
      if (speculation.active()) {
        Forecaster d = draftModel == null ? null : new Forecaster(GraphBuilder.build(draftModel, graphOptions()),
            device, efficiencies(), stack, overlap);
        f = f.withSpeculation(speculation, d);
      }
      if (disaggregation.active()) {
        f = f.withDisaggregation(disaggregation);
      }
      return new Built.Ready(this, f);
    } catch (IllegalArgumentException e) {
      return new Built.Unsupported(e.getMessage());
    }
  }

  /**
   * The request of {@code batch} sequences of {@code prompt} tokens after {@code context} cached ones, generating
   * {@code output}; {@code chunk} tokens per prefill call, or the stack's micro-batch when negative; a layer split
   * pipelines the micro-batches of the stack's prompt batch.
   */
  public Request request(long prompt, long output, int batch, long chunk, long context) {
    long k = chunk >= 0 ? chunk : stack.settings().microBatch();
    long promptBatch = stack.settings().promptBatch();
    long pipe = k > 0 && promptBatch > 0 ? Math.max(1, promptBatch / k) : 0;
    return new Request(prompt, output, batch, k, context, pipe);
  }
}
