package life.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import life.catalog.ModelCatalog;
import life.ops.GraphBuilder;
import life.ops.GraphOptions;
import life.spec.DType;
import life.spec.HardwareSpec;
import life.spec.ModelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code life catalog models|hardware}: lists the built-in (and user-added) models and devices. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
    description = "List built-in models or hardware (with user devices from --hardware-file).")
final class CatalogCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "models|hardware", description = "What to list: models or hardware.")
  String what;

  @Mixin HardwareOptions hw = new HardwareOptions();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    switch (what) {
      case "models" -> models(out);
      case "hardware" -> hardware(out);
      default -> throw new IllegalArgumentException("catalog lists 'models' or 'hardware', not '" + what + "'");
    }
    out.flush();
    return 0;
  }

  private static void models(PrintWriter out) {
    out.printf("%-18s %-14s %6s %7s %6s %4s %7s %8s %10s  %s%n", "id", "type", "layers", "hidden", "heads", "kv",
        "inter", "vocab", "params_b", "source");
    ModelCatalog c = ModelCatalog.builtIn();
    for (ModelCatalog.Entry e : c.entries().values()) {
      ModelSpec m = c.resolve(e.id());
      double params = GraphBuilder.build(m, GraphOptions.defaults(DType.FP16)).parameters();
      out.printf(Locale.ROOT, "%-18s %-14s %6d %7d %6d %4d %7d %8d %10.3f  %s%n", e.id(), m.modelType(),
          m.layerCount(), m.hidden(), m.heads(), m.layers().get(0).kvHeads(), m.intermediate(), m.vocab(),
          params / 1e9, e.configSource());
    }
  }

  private void hardware(PrintWriter out) {
    out.printf("%-32s %-5s %9s %9s %9s %9s %9s %8s %5s %5s %5s  %s%n", "id", "kind", "fp32_tf", "fp16_tf", "bf16_tf",
        "fp8_tf", "int8_to", "bw_gbps", "gib", "ceff", "meff", "name");
    for (HardwareSpec h : hw.catalog().devices().values()) {
      out.printf(Locale.ROOT, "%-32s %-5s %9s %9s %9s %9s %9s %8s %5s %5.2f %5.2f  %s%n", h.id(), h.kind().id(),
          tf(h, DType.FP32), tf(h, DType.FP16), tf(h, DType.BF16), tf(h, DType.FP8), tf(h, DType.INT8),
          Fmt.num(h.memBytesPerSecond() / 1e9), Fmt.num(h.memBytes() / HardwareSpec.GIB), h.computeEff(), h.memEff(),
          h.name());
    }
  }

  private static String tf(HardwareSpec h, DType d) {
    return h.peak(d).isPresent() ? Fmt.num(h.peak(d).getAsDouble() / 1e12) : "-";
  }
}
