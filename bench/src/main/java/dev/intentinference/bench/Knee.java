package dev.intentinference.bench;

import java.util.List;

/**
 * The knee of a throughput-latency curve: the last step worth its extra load.
 *
 * <ul>
 *   <li>Concurrency steps: the first step after which the next one adds less than
 *       {@link #MIN_GAIN} throughput; beyond it, more requests in flight only queue.
 *   <li>Rate steps: the last step whose achieved throughput is within {@link #RATE_SLACK} of the
 *       asked rate; beyond it the target cannot keep up.
 * </ul>
 *
 * <pre>{@code
 * int k = Knee.of(steps);   // index into steps
 * }</pre>
 */
public final class Knee {
  /** A step must add at least 10% throughput to be worth it. */
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
    for (int i = 0; i + 1 < steps.size(); i++) {
      if (steps.get(i + 1).throughput() < (1 + MIN_GAIN) * steps.get(i).throughput()) {
        return i;
      }
    }
    return steps.size() - 1;
  }
}
