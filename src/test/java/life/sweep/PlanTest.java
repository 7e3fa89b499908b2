package life.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class PlanTest {
  /** Every job maps to a distinct point of the grid, every point is reached, and encode inverts decode. */
  @ParameterizedTest(name = "grid {0}")
  @ValueSource(strings = {"1,1,1", "2,3,5", "7,1,4,2", "3,3,3,3,3"})
  void mixedRadixPlan_coversEveryPointExactlyOnce(String sizes, @TempDir Path dir) throws IOException {
    int[] n = Arrays.stream(sizes.split(",")).mapToInt(Integer::parseInt).toArray();
    String[] axes = {"prompt", "output", "batch", "chunk", "model"};
    StringBuilder y = new StringBuilder("axes:\n");
    for (int a = 0; a < n.length; a++) {
      y.append("  ").append(axes[a]).append(": [");
      for (int v = 0; v < n[a]; v++) {
        y.append(v > 0 ? ", " : "").append(axes[a].equals("model") ? new String[] {"llama-2-7b", "mistral-7b",
            "qwen2.5-7b"}[v] : String.valueOf(axes[a].equals("chunk") ? v * 64 : v + 1));
      }
      y.append("]\n");
    }
    Path f = dir.resolve("grid.yaml");
    Files.writeString(f, y.toString());
    SweepSpec s = SweepFile.read(f);
    Plan p = new Plan(s);
    long expected = Arrays.stream(n).asLongStream().reduce(1, (x, z) -> x * z);
    assertEquals(expected, p.points());
    Set<String> seen = new HashSet<>();
    int[] c = new int[p.axes()];
    for (long i = 0; i < p.points(); i++) {
      p.decode(i, c);
      assertTrue(seen.add(Arrays.toString(c)), "point reached twice: " + Arrays.toString(c));
      assertEquals(i, p.encode(c));
    }
    assertEquals(expected, seen.size());
    // The first declared axis varies slowest: the last job has every axis at its last value.
    p.decode(p.points() - 1, c);
    for (int a = 0; a < n.length; a++) {
      assertEquals(n[a] - 1, c[a]);
    }
  }
}
