package life.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ParetoFrontTest {
  /** Random points on a small integer grid, so ties and exact duplicates are frequent. */
  private static List<double[]> points(long seed, int n, int dims, int levels) {
    Random r = new Random(seed);
    List<double[]> p = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] v = new double[dims];
      for (int d = 0; d < dims; d++) {
        v[d] = r.nextInt(levels);
      }
      p.add(v);
    }
    return p;
  }

  private static Set<Integer> bruteForce(List<double[]> p) {
    Set<Integer> out = new TreeSet<>();
    for (int i = 0; i < p.size(); i++) {
      boolean dominated = false;
      for (int j = 0; j < p.size() && !dominated; j++) {
        dominated = j != i && ParetoFront.dominates(p.get(j), p.get(i));
      }
      if (!dominated) {
        out.add(i);
      }
    }
    return out;
  }

  private static Set<Integer> front(List<double[]> p, List<Integer> order) {
    ParetoFront<Integer> f = new ParetoFront<>();
    for (int i : order) {
      f.offer(p.get(i), i);
    }
    return f.entries().stream().map(ParetoFront.Entry::item).collect(Collectors.toCollection(TreeSet::new));
  }

  @ParameterizedTest(name = "seed {0}, {1} points, {2} objectives, {3} levels")
  @CsvSource({"1, 200, 2, 5", "2, 500, 3, 4", "3, 300, 2, 1000", "4, 1000, 4, 6", "5, 50, 1, 3", "6, 400, 3, 2"})
  void front_equalsBruteForce_inAnyOrder(long seed, int n, int dims, int levels) {
    List<double[]> p = points(seed, n, dims, levels);
    Set<Integer> expected = bruteForce(p);
    List<Integer> order = IntStream.range(0, n).boxed().collect(Collectors.toList());
    assertEquals(expected, front(p, order));
    Collections.shuffle(order, new Random(seed));
    assertEquals(expected, front(p, order), "input order changes the front");
    // Split into parts, build fronts, merge: the same front (what per-chunk fronts will rely on).
    ParetoFront<Integer> a = new ParetoFront<>();
    ParetoFront<Integer> b = new ParetoFront<>();
    for (int i = 0; i < n; i++) {
      (i % 3 == 0 ? a : b).offer(p.get(i), i);
    }
    b.addAll(a);
    assertEquals(expected, b.entries().stream().map(ParetoFront.Entry::item).collect(Collectors.toSet()));
  }

  @ParameterizedTest(name = "{0} duplicates")
  @CsvSource({"2", "5"})
  void duplicates_allStayOnTheFront(int copies) {
    ParetoFront<Integer> f = new ParetoFront<>();
    for (int i = 0; i < copies; i++) {
      f.offer(new double[] {1, 2}, i);
    }
    f.offer(new double[] {2, 1}, 99);
    f.offer(new double[] {2, 2}, 100);
    assertEquals(copies + 1, f.size());
    assertFalse(f.entries().stream().anyMatch(e -> e.item() == 100));
  }
}
