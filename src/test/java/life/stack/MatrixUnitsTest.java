package life.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import life.catalog.HardwareCatalog;
import life.forecast.Device;
import life.ops.Operator.Linear;
import life.spec.DType;
import life.spec.HardwareSpec;
import org.junit.jupiter.api.Test;

/**
 * Whether a stack's matrix products use the device's matrix units: llama.cpp's Vulkan build had no cooperative-matrix
 * kernels before 2024-11-30, kept them off on Intel GPUs from then, and turned them on for Xe2 (the B-series) from
 * 2025-06-04 (stack-settings.csv, with the PRs).
 */
final class MatrixUnitsTest {
  @Test
  void llamaCppVulkan_matrixUnitsByDateAndVendor() {
    StackSettings early = Stacks.parse("llama.cpp/vulkan@2024-06").settings();
    assertFalse(early.matrixUnitsOn("nvidia-rtx-4090"));
    StackSettings dec = Stacks.parse("llama.cpp/vulkan@2024-12").settings();
    assertTrue(dec.matrixUnitsOn("nvidia-rtx-4090"));
    assertTrue(dec.matrixUnitsOn("amd-radeon-rx-7900-xtx"));
    assertFalse(dec.matrixUnitsOn("intel-arc-a770-16gb"));
    assertFalse(dec.matrixUnitsOn("intel-arc-b580"));
    StackSettings later = Stacks.parse("llama.cpp/vulkan@2025-07").settings();
    assertTrue(later.matrixUnitsOn("intel-arc-b580"));
    assertFalse(later.matrixUnitsOn("intel-arc-a770-16gb"));
    assertTrue(Stacks.parse("llama.cpp/cuda@2025-07").settings().matrixUnitsOn("nvidia-rtx-4090"));
    assertEquals("none", early.get("matrix_units"));
    assertThrows(IllegalArgumentException.class, () -> dec.with("matrix_units", "intel"));
  }

  /** Without matrix units a matrix product runs at compute_eff × the fp32 peak: 19.7 TFLOPS on the Arc A770. */
  @Test
  void withoutMatrixUnits_aMatrixProductRunsAtTheFp32Peak() {
    HardwareSpec a770 = HardwareCatalog.builtIn().resolve("intel-arc-a770-16gb");
    Efficiencies e = Efficiencies.of(0.5, 0.8, 0, "test");
    Linear gemm = Linear.of("q_proj", 4096, 4096, false, life.ops.GraphOptions.defaults(DType.FP16));
    assertEquals(0.5 * 137.6e12, new Device(a770, e, true).opsPerSecond(gemm), 1e6);
    assertEquals(0.5 * 19.7e12, new Device(a770, e, false).opsPerSecond(gemm), 1e6);
  }
}
