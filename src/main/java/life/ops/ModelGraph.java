package life.ops;

import java.util.List;
import life.spec.ModelSpec;

/**
 * A model as operator lists: the operators run once per call before the decoder layers ({@code head}), the distinct
 * decoder-layer kinds with how many layers share each ({@code groups}), and those after ({@code tail}).
 */
public record ModelGraph(ModelSpec spec, GraphOptions options, List<Operator> head, List<LayerGroup> groups,
    List<Operator> tail) {

  public ModelGraph {
    head = List.copyOf(head);
    groups = List.copyOf(groups);
    tail = List.copyOf(tail);
  }

  /**
   * {@code count} identical decoder layers.
   *
   * @param span keys their attention sees (window and KV keep ratio: the breakpoints of their cost in the context)
   * @param kvBytesPerToken KV-cache bytes one layer stores per kept token of one sequence
   */
  public record LayerGroup(int count, Span span, double kvBytesPerToken, List<Operator> ops) {
    public LayerGroup {
      ops = List.copyOf(ops);
    }

    public int window() {
      return span.window();
    }
  }

  /** Parameters held in memory. */
  public double parameters() {
    return sum(Operator::residentParams);
  }

  /** Bytes of the parameters held in memory. */
  public double weightBytes() {
    return sum(Operator::residentBytes);
  }

  private double sum(java.util.function.ToDoubleFunction<Operator> f) {
    double s = 0;
    for (Operator o : head) {
      s += f.applyAsDouble(o);
    }
    for (LayerGroup g : groups) {
      for (Operator o : g.ops()) {
        s += g.count() * f.applyAsDouble(o);
      }
    }
    for (Operator o : tail) {
      s += f.applyAsDouble(o);
    }
    return s;
  }

  /**
   * KV-cache bytes of one sequence that has seen {@code tokens} tokens: the kept fraction of them, at most the window
   * for sliding-window layers.
   */
  public double kvCacheBytes(long tokens) {
    double b = 0;
    for (LayerGroup g : groups) {
      double kept = g.span().keep() * tokens;
      if (g.window() > 0) {
        kept = Math.min(kept, g.window());
      }
      b += g.count() * g.kvBytesPerToken() * kept;
    }
    return b;
  }

  /**
   * Query heads of the layers whose attention shares a cached KV head among several query heads (grouped-query,
   * multi-query and absorbed MLA layers), summed over layers: what a cost per query head, layer and cached token of a
   * decode step ({@link life.spec.HardwareSpec#gqaSeconds()}) multiplies. 0 for multi-head attention.
   */
  public double groupedQueryHeads() {
    double h = 0;
    for (LayerGroup g : groups) {
      for (Operator o : g.ops()) {
        if (o instanceof Operator.AttentionBmm a && a.kind() == Operator.BmmKind.QK && a.heads() != a.kvHeads()) {
          h += g.count() * a.heads();
        }
        if (o instanceof Operator.FlashAttention f && f.heads() != f.kvHeads()) {
          h += g.count() * f.heads();
        }
      }
    }
    return h;
  }
}
