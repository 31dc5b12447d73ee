package dev.intentinference.bench;

import java.util.List;

/**
 * Decides when a closed-loop warm-up has done its job: the harness's own JIT and connections,
 * and the target, have settled when the last {@value #WINDOW} warm-up intervals' throughputs lie
 * within ±{@value #TOLERANCE_PCT}% of their mean, their second half is no more than 3% above their
 * first (a climb, not noise: on a shared machine single intervals swing by 10-20%), and their mean is
 * no more than 3% above the mean of the {@value #WINDOW} intervals before them. The last test catches
 * the slow climb of a harness whose JIT is still compiling (measured against a warm server: 4-s
 * windows each a few percent above the last, from 600 to 1,300 inf/s over 20 s, while every
 * window on its own looked flat). A fresh harness JVM
 * on a busy 2-core machine can take far longer than a fixed few seconds to compile its hot paths
 * (a 16-client run once climbed from 410 to 2,500 inf/s over 15 s after a 5-s warm-up), and
 * measuring during that climb reports a throughput the target never had.
 *
 * <pre>{@code
 * boolean done = SteadyWarmup.isSteady(List.of(410.0, 1900.0, 2450.0, 2500.0, 2480.0, 2510.0, 2490.0, 2500.0));   // true
 * }</pre>
 */
public final class SteadyWarmup {
  /** Intervals that must agree. */
  public static final int WINDOW = 4;
  static final int TOLERANCE_PCT = 10;
  private static final double TOLERANCE = TOLERANCE_PCT / 100.0;
  /** Largest rise from the window's first half to its second half that still counts as flat. */
  private static final double MAX_RISE = 0.03;

  private SteadyWarmup() {}

  /** @param throughputs the warm-up intervals' throughputs so far, oldest first */
  public static boolean isSteady(List<Double> throughputs) {
    int n = throughputs.size();
    if (n < 2 * WINDOW) {
      return false;
    }
    List<Double> w = throughputs.subList(n - WINDOW, n);
    double mean = w.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    if (!(mean > 0)) {
      return false;
    }
    double before = throughputs.subList(n - 2 * WINDOW, n - WINDOW).stream().mapToDouble(Double::doubleValue).average().orElse(0);
    if ((mean - before) / mean > MAX_RISE) {
      return false;
    }
    for (double t : w) {
      if (Math.abs(t - mean) > TOLERANCE * mean) {
        return false;
      }
    }
    int half = WINDOW / 2;
    double first = w.subList(0, half).stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double second = w.subList(half, WINDOW).stream().mapToDouble(Double::doubleValue).average().orElse(0);
    return (second - first) / mean <= MAX_RISE;
  }
}
