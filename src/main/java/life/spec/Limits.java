package life.spec;

/**
 * The largest counts a user can give (command-line options, sweep axes, scenario text, measurement rows), chosen so
 * that the forecast's arithmetic stays exact where it counts and finite everywhere. Checked where text becomes a
 * scenario ({@code life.scenario.ScenarioText}) and where a sweep file lists axis values ({@code life.sweep.SweepFile}).
 *
 * <p>Counts are {@code long} and {@code int}; the operators turn them into {@code double} ops and bytes
 * ({@code life.ops.Operator}), and the forecaster sums calls in closed form ({@code life.forecast.Forecaster}). With
 * lengths of at most 2<sup>24</sup> tokens and a batch of at most 2<sup>16</sup> sequences:
 *
 * <ul>
 *   <li>a position, {@code context + prompt + output}, is below 2<sup>26</sup> and the product of two positions below
 *       2<sup>52</sup>: no {@code long} overflows;
 *   <li>the tokens of one call, {@code batch · present} ≤ 2<sup>40</sup>, the host's cached tokens of a call,
 *       {@code batch · (past + present)} &lt; 2<sup>42</sup>, a call's scores per head and sequence,
 *       {@code present · past + present · (present + 1) / 2} &lt; 2<sup>51</sup> ({@code life.ops.Span#scores}), and
 *       the sum over n ≤ 2<sup>24</sup> calls, {@code n · (n − 1) / 2} &lt; 2<sup>47</sup>, are integers below
 *       2<sup>53</sup>, which a {@code double} holds exactly;
 *   <li>the closed form takes an operator's growth per call as the difference of two neighbouring calls; summed over
 *       at most 2<sup>24</sup> calls its rounding stays near 2<sup>24</sup> · 2<sup>−53</sup> = 2<sup>−29</sup> of the
 *       sum;
 *   <li>the forecaster keys its cost tables by {@code present << 21 | batch << 1}, which needs present &lt;
 *       2<sup>42</sup> and batch &lt; 2<sup>20</sup>;
 *   <li>ops and bytes, these counts times the model's widths and layers, stay hundreds of binary orders of magnitude
 *       below the largest {@code double} (about 2<sup>1024</sup>): every figure is finite.
 * </ul>
 *
 * <p>A LoRA rank of at most 2<sup>16</sup> keeps an adapter's {@code groups · rank · (in + out)} parameters exact.
 * At most 2<sup>10</sup> devices is beyond any model-parallel group (a tensor-parallel degree must also divide the
 * model's heads) and keeps {@code devices · price} and a ring all-reduce's 2(N − 1) steps small. Every limit is far
 * beyond what is run: the longest context of a shipped model is 163,840 tokens, the largest measured batch 4,000.
 * Counts with no limit of their own: a weight group size (it enters as {@code 32 / G}) and {@code gqa:N} (N divides
 * the model's heads).
 */
public final class Limits {
  private Limits() {}

  /**
   * Most tokens of a prompt, an output, a cached context, a prefill chunk, a sliding window or a stack's token setting
   * ({@code micro_batch}, {@code prompt_batch}, {@code dequant_above}).
   */
  public static final long MAX_TOKENS = 1L << 24;

  /** Most sequences of a batch. */
  public static final int MAX_BATCH = 1 << 16;

  /** Most devices a model is spread over ({@code tp:N}, {@code layer:N}). */
  public static final int MAX_DEVICES = 1 << 10;

  /** Largest LoRA adapter rank. */
  public static final int MAX_LORA_RANK = 1 << 16;
}
