package dev.intentinference.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * How steady a run was interval by interval after warm-up, as a soak test checks it: the share of
 * intervals whose throughput lies within {@link #TOLERANCE} (5%) of the mean interval throughput.
 * Poisson arrivals alone make that unreachable (at 70/s a second's count varies by
 * {@code sqrt(70)}, 12%); with {@link Arrivals#CONSTANT} any variation is the target's.
 *
 * <pre>{@code
 * Stability s = Stability.of(intervals, latency);   // null without measured intervals
 * s.within5pct();                                    // e.g. 0.97
 * }</pre>
 *
 * @param intervals measured (non-warm-up) intervals
 * @param meanThroughput their mean throughput, successful requests per second
 * @param within5pct share of them whose throughput is within 5% of {@code meanThroughput}, bounds
 *     included
 * @param cv coefficient of variation of their throughput: standard deviation (over all
 *     {@code intervals}, as numpy's {@code std}) divided by the mean
 * @param p99OverP50 latency p99 / p50 of the same requests (NaN when p50 is 0)
 */
public record Stability(
    int intervals, double meanThroughput, @JsonProperty("within_5pct") double within5pct, double cv, double p99OverP50) {
  /** An interval within 5% of the mean counts as steady. */
  public static final double TOLERANCE = 0.05;

  /**
   * @param intervals a step's intervals, in order; warm-up ones are skipped
   * @param latency the step's latency after warm-up
   * @return {@code null} when no interval was measured or nothing succeeded
   */
  public static Stability of(List<Interval> intervals, LatencySummary latency) {
    double[] throughputs = intervals.stream().filter(i -> !i.warmup()).mapToDouble(i -> i.row().throughput()).toArray();
    return of(throughputs, latency);
  }

  static Stability of(double[] throughputs, LatencySummary latency) {
    int n = throughputs.length;
    double sum = 0;
    for (double t : throughputs) {
      sum += t;
    }
    double mean = n == 0 ? 0 : sum / n;
    if (!(mean > 0)) {
      return null;
    }
    int within = 0;
    double squares = 0;
    for (double t : throughputs) {
      within += Math.abs(t - mean) <= TOLERANCE * mean ? 1 : 0;
      squares += (t - mean) * (t - mean);
    }
    double ratio = latency.p50() > 0 ? latency.p99() / latency.p50() : Double.NaN;
    return new Stability(n, mean, (double) within / n, Math.sqrt(squares / n) / mean, ratio);
  }
}
