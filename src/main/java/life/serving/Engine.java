package life.serving;

import com.univocity.parsers.common.record.Record;
import java.util.ArrayList;
import java.util.List;
import life.spec.HardwareSpec;
import life.stack.Stack;
import life.stack.Stacks;

/**
 * The scheduler settings of a serving engine: how many tokens one step may hold (prompt chunks and decodes together),
 * how many sequences may run at once, how many tokens a KV-cache block holds, and the share of device memory the
 * engine takes for weights, activations and cache. Defaults per engine and device come from
 * {@code catalog/serving-defaults.csv}, each row with its source.
 *
 * @param maxBatchedTokens token budget of one step (vLLM's {@code max_num_batched_tokens})
 * @param maxSeqs running sequences at most (vLLM's {@code max_num_seqs}, llama.cpp's slots)
 * @param blockTokens tokens per KV-cache block (vLLM's {@code block_size}; 1 where the cache holds tokens)
 * @param memoryFraction share of device memory for weights, activations and KV cache
 * @param chunkedPrefill prompts split into chunks that share steps with decodes; otherwise a prompt runs whole in one
 *     step, which it may not share with other prompts beyond the budget
 * @param source where the defaults come from ({@code user} where overridden)
 */
public record Engine(int maxBatchedTokens, int maxSeqs, int blockTokens, double memoryFraction, boolean chunkedPrefill,
    String source) {
  /** Largest token budget and sequence cap accepted: a step's arrays stay small. */
  public static final int MAX_BUDGET = 1 << 20;

  public Engine {
    if (maxBatchedTokens < 1 || maxBatchedTokens > MAX_BUDGET) {
      throw new IllegalArgumentException("--max-batched-tokens must be from 1 to " + MAX_BUDGET + ", got "
          + maxBatchedTokens);
    }
    if (maxSeqs < 1 || maxSeqs > MAX_BUDGET) {
      throw new IllegalArgumentException("--max-seqs must be from 1 to " + MAX_BUDGET + ", got " + maxSeqs);
    }
    if (blockTokens < 1 || blockTokens > 1 << 16) {
      throw new IllegalArgumentException("--block-tokens must be from 1 to 65536, got " + blockTokens);
    }
    if (!(memoryFraction > 0 && memoryFraction <= 1)) {
      throw new IllegalArgumentException("--memory-fraction must be above 0 and at most 1, got " + memoryFraction);
    }
  }

  private record Row(String engine, double minGib, String exceptIds, Engine engineDefaults) {}

  private static final List<Row> ROWS = load();

  private static List<Row> load() {
    List<Row> rows = new ArrayList<>();
    for (Record r : Stacks.read("/catalog/serving-defaults.csv")) {
      rows.add(new Row(r.getString("engine"), Double.parseDouble(r.getString("min_memory_gib")),
          r.getString("except_ids") == null ? "" : r.getString("except_ids"),
          new Engine(Integer.parseInt(r.getString("max_batched_tokens")), Integer.parseInt(r.getString("max_seqs")),
              Integer.parseInt(r.getString("block_tokens")), Double.parseDouble(r.getString("memory_fraction")), true,
              r.getString("source"))));
    }
    return List.copyOf(rows);
  }

  /** The defaults of {@code stack}'s engine on {@code device}: the first matching row of the catalog. */
  public static Engine defaults(Stack stack, HardwareSpec device) {
    double gib = device.memBytes() / HardwareSpec.GIB;
    for (String engine : List.of(stack.engine(), "*")) {
      for (Row r : ROWS) {
        if (r.engine().equals(engine) && gib >= r.minGib()
            && (r.exceptIds().isEmpty() || !device.id().startsWith(r.exceptIds()))) {
          return r.engineDefaults();
        }
      }
    }
    throw new IllegalStateException("catalog/serving-defaults.csv has no row for every engine ('*')");
  }

  /** These settings with the user's overrides (null: keep). */
  public Engine with(Integer tokens, Integer seqs, Integer block, Double fraction, Boolean chunked) {
    boolean changed = tokens != null || seqs != null || block != null || fraction != null || chunked != null;
    return new Engine(tokens != null ? tokens : maxBatchedTokens, seqs != null ? seqs : maxSeqs,
        block != null ? block : blockTokens, fraction != null ? fraction : memoryFraction,
        chunked != null ? chunked : chunkedPrefill, changed ? "user; otherwise " + source : source);
  }
}
