package life.validate;

import life.scenario.EfficiencyRule;

/**
 * Efficiencies a forecast of a measurement uses: the fitted defaults of the row's stack on the device's kind where
 * there are some, else the device kind's, with what the device's hardware file gives on top (a calibrated profile's
 * values whole); with {@code specOnly}, the kind's and the file's only.
 */
public final class Efficiency {
  private Efficiency() {}

  public static EfficiencyRule defaults(boolean specOnly) {
    return specOnly ? EfficiencyRule.KIND : EfficiencyRule.STACK;
  }
}
