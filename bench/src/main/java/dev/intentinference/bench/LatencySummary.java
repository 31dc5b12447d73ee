package dev.intentinference.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.HdrHistogram.Histogram;

/**
 * Latency percentiles of successful requests, in seconds, from an HdrHistogram (3 significant
 * digits, so each value is within 0.1%).
 *
 * @param count successful requests measured
 * @param mean mean latency
 * @param p50 median
 * @param p90 90th percentile
 * @param p95 95th percentile
 * @param p99 99th percentile
 * @param p999 99.9th percentile
 * @param max the slowest request
 */
public record LatencySummary(
    long count, double mean, double p50, double p90, double p95, double p99,
    @JsonProperty("p99_9") double p999, double max) {
  /** @param h latencies recorded in nanoseconds */
  public static LatencySummary of(Histogram h) {
    if (h.getTotalCount() == 0) {
      return new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0);
    }
    return new LatencySummary(h.getTotalCount(), h.getMean() / 1e9,
        s(h, 50), s(h, 90), s(h, 95), s(h, 99), s(h, 99.9), h.getMaxValue() / 1e9);
  }

  private static double s(Histogram h, double p) {
    return h.getValueAtPercentile(p) / 1e9;
  }
}
