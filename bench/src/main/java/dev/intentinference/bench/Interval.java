package dev.intentinference.bench;

/**
 * What happened during one interval of a run.
 *
 * @param row the reference-style row (cumulative count, throughput, sliding-window p50/p90)
 * @param seconds the interval's measured length in seconds (the reference assumed its nominal
 *     length; a late tick would inflate throughput)
 * @param warmup whether the interval belongs to the warm-up, excluded from the run's totals
 * @param latency percentiles of exactly this interval's requests (HdrHistogram), unlike the
 *     row's sliding window, which still shows old latencies during a stall
 * @param failed requests that failed during the interval
 */
public record Interval(IntervalRow row, double seconds, boolean warmup, LatencySummary latency, long failed) {}
