package dev.intentinference.bench;

import java.util.List;

/**
 * The knee of a throughput-latency curve: the last step worth its extra load.
 *
 * <ul>
 *   <li>Concurrency steps: the first step that reaches {@code 1 - MIN_GAIN} (90%) of the best
 *       throughput of the sweep; beyond it, more requests in flight mostly queue. Comparing with
 *       the best step rather than the next one keeps a noisy step from ending the curve early.
 *   <li>Rate steps: the last step whose achieved throughput is within {@link #RATE_SLACK} of the
 *       asked rate; beyond it the target cannot keep up.
 * </ul>
 *
 * <pre>{@code
 * int k = Knee.of(steps);   // index into steps
 * }</pre>
 */
public final class Knee {
  /** Steps within 10% of the best throughput count as saturated. */
  public static final double MIN_GAIN = 0.10;
  /** A rate is met when at least 95% of it is achieved. */
  public static final double RATE_SLACK = 0.05;

  private Knee() {}

  public static int of(List<StepResult> steps) {
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("no steps");
    }
    if (steps.get(0).rate() != null) {
      int knee = 0;
      for (int i = 0; i < steps.size(); i++) {
        if (steps.get(i).throughput() >= (1 - RATE_SLACK) * steps.get(i).rate()) {
          knee = i;
        }
      }
      return knee;
    }
    double best = steps.stream().mapToDouble(StepResult::throughput).max().orElse(0);
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).throughput() >= (1 - MIN_GAIN) * best) {
        return i;
      }
    }
    return steps.size() - 1;
  }
}
