package dev.intentinference.bench;

import java.util.Locale;

/**
 * One row of the reference harness's output, written every interval.
 *
 * @param pid process id of the harness
 * @param count successful inferences completed since the run started (warm-up included, as the
 *     reference counted)
 * @param throughput successful inferences per second over the last interval
 * @param p50 median of the sliding latency window, in seconds
 * @param p90 90th percentile of the sliding latency window, in seconds
 */
public record IntervalRow(long pid, long count, double throughput, double p50, double p90) {
  /** The reference's console line: {@code pid 20848: current inferences 1176 throughput 117.300, latency p50=0.234 p90=0.239}. */
  public String consoleLine() {
    return String.format(Locale.ROOT, "pid %d: current inferences %d throughput %.3f, latency p50=%.6f p90=%.6f",
        pid, count, throughput, p50, p90);
  }
}
