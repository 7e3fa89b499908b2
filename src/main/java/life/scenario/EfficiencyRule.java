package life.scenario;

import life.spec.HardwareSpec;
import life.stack.Efficiencies;
import life.stack.Stack;
import life.stack.StackDefaults;

/** Which efficiencies a device gets under a stack, given what its hardware file says ({@code fit}). */
@FunctionalInterface
public interface EfficiencyRule {
  Efficiencies apply(HardwareSpec device, Efficiencies.Overrides fit, Stack stack);

  /**
   * The layers, lowest first: the device kind's defaults; the stack's fitted defaults on the device's kind and memory
   * class ({@code catalog/backends.csv}) where a used row exists; the values the device's hardware file gives. A
   * calibrated profile's values replace the stack's whole.
   */
  EfficiencyRule STACK = (h, fit, stack) -> {
    Efficiencies base = Efficiencies.of(h.kind());
    if (!fit.calibrated() && !stack.none()) {
      Efficiencies e = StackDefaults.forDevice(stack.name(), h);
      base = e == null ? base : e;
    }
    return fit.applyTo(base);
  };

  /** The device kind's defaults and the device file's values, no stack defaults (validation's spec-only reading). */
  EfficiencyRule KIND = (h, fit, stack) -> fit.applyTo(Efficiencies.of(h.kind()));

  /** {@link #STACK} or {@link #KIND} by name ({@code stack}, {@code kind}). */
  static EfficiencyRule parse(String s) {
    return switch (s) {
      case "stack" -> STACK;
      case "kind" -> KIND;
      default -> throw new IllegalArgumentException("efficiencies must be stack or kind; got '" + s + "'");
    };
  }
}
