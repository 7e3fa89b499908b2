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

/** {@code life catalog models|hardware|stacks}: lists the built-in (and user-added) models, devices and stacks. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
    description = "List built-in models, hardware (with user devices from --hardware-file) or serving stacks (with "
        + "their current settings and the dated changes behind them).")
final class CatalogCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "models|hardware|stacks",
      description = "What to list: models, hardware or stacks.")
  String what;

  @Mixin HardwareOptions hw = new HardwareOptions();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    switch (what) {
      case "models" -> models(out);
      case "hardware" -> hardware(out);
      case "stacks" -> stacks(out);
      default -> throw new UsageError("catalog lists 'models', 'hardware' or 'stacks', not '" + what + "'");
    }
    out.flush();
    return 0;
  }

  /**
   * Each stack with its settings as of today ({@code @current}), then every dated change of a setting with its
   * source, so a user can see what {@code engine/api@date} means.
   */
  private static void stacks(PrintWriter out) {
    java.util.List<String> names = life.stack.StackSettings.NAMES;
    out.printf("%-20s", "stack");
    names.forEach(n -> out.printf(" %-14s", n));
    out.printf("  %s%n", "what");
    for (life.stack.Stacks.Known k : life.stack.Stacks.known()) {
      life.stack.Stack s = life.stack.Stacks.parse(k.name());
      out.printf("%-20s", k.name());
      names.forEach(n -> out.printf(" %-14s", s.settings().get(n)));
      out.printf("  %s%n", k.what());
    }
    out.printf("%n'current' is %s. Settings by date (engine/api@YYYY-MM takes the latest change on or before it):%n",
        life.stack.Stacks.CURRENT);
    for (life.stack.Stacks.Change c : life.stack.Stacks.changes()) {
      out.printf("  %-18s %-13s %-15s from %s  %s%n", c.engine() + "/" + c.api(), c.setting(), c.value(), c.from(),
          c.source());
    }
    out.printf("%nReleases:%n");
    for (life.stack.Stacks.Release r : life.stack.Stacks.releases()) {
      out.printf("  %-14s %-8s %s  %s%n", r.engine(), r.version(), r.date(), r.source());
    }
    out.printf("%nDefault stack per device: `life catalog hardware` (column default_stack).%n");
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
    out.printf("%-32s %-5s %9s %9s %9s %9s %9s %8s %5s %-18s  %s%n", "id", "kind", "fp32_tf", "fp16_tf", "bf16_tf",
        "fp8_tf", "int8_to", "bw_gbps", "gib", "default_stack", "name");
    for (HardwareSpec h : hw.catalog().devices().values()) {
      out.printf(Locale.ROOT, "%-32s %-5s %9s %9s %9s %9s %9s %8s %5s %-18s  %s%n", h.id(), h.kind().id(),
          tf(h, DType.FP32), tf(h, DType.FP16), tf(h, DType.BF16), tf(h, DType.FP8), tf(h, DType.INT8),
          Fmt.num(h.memBytesPerSecond() / 1e9), Fmt.num(h.memBytes() / HardwareSpec.GIB),
          life.stack.Stacks.defaultName(h), h.name());
    }
  }

  private static String tf(HardwareSpec h, DType d) {
    return h.peak(d).isPresent() ? Fmt.num(h.peak(d).getAsDouble() / 1e12) : "-";
  }
}
