package life.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The exact set of non-dominated items among those offered, kept incrementally so a stream of any length needs only
 * memory for the front. Items are compared by cost vectors (every component minimized); a dominates b when it is no
 * worse in every component and better in at least one. Equal vectors do not dominate each other, so ties and
 * duplicates all stay.
 */
public final class ParetoFront<T> {
  /** A kept item and its cost vector. */
  public record Entry<T>(double[] cost, T item) {}

  private List<Entry<T>> front = new ArrayList<>();

  /** Offers an item; returns true if it is on the front now. */
  public boolean offer(double[] cost, T item) {
    for (Entry<T> e : front) {
      if (dominates(e.cost(), cost)) {
        return false;
      }
    }
    List<Entry<T>> next = new ArrayList<>(front.size() + 1);
    for (Entry<T> e : front) {
      if (!dominates(cost, e.cost())) {
        next.add(e);
      }
    }
    next.add(new Entry<>(cost.clone(), item));
    front = next;
    return true;
  }

  public List<Entry<T>> entries() {
    return List.copyOf(front);
  }

  public int size() {
    return front.size();
  }

  /** Merges another front into this one (the union's front: the merge is associative and order-free). */
  public void addAll(ParetoFront<T> other) {
    for (Entry<T> e : other.front) {
      offer(e.cost(), e.item());
    }
  }

  public static boolean dominates(double[] a, double[] b) {
    boolean better = false;
    for (int i = 0; i < a.length; i++) {
      if (a[i] > b[i]) {
        return false;
      }
      if (a[i] < b[i]) {
        better = true;
      }
    }
    return better;
  }
}
