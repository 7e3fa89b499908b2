package life.forecast;

import life.ops.OpClass;

/**
 * One row of a breakdown: an operator in a phase, summed over the layers that run it. For decode, values are means
 * per step over the request's decode steps.
 */
public record OpTiming(String phase, String layers, String op, OpClass opClass, int count, double gops, double gb,
    double timeMs, Bound bound) {}
