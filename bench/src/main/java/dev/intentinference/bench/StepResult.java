package dev.intentinference.bench;

import java.util.Map;

/**
 * One measured step: the whole of a closed or open run, or one level of a sweep.
 *
 * @param load what was offered, e.g. {@code concurrency 8} or {@code rate 200/s}
 * @param concurrency requests kept in flight (closed loop), else {@code null}
 * @param rate requests per second asked for (open loop), else {@code null}
 * @param succeeded successful requests after warm-up (in-flight ones at the end included)
 * @param failed failed requests, warm-up included
 * @param throughput successful requests per second over the measured intervals
 * @param latency percentiles of the successful requests after warm-up, in seconds
 * @param errors failures by cause
 * @param firstRow index of the step's first CSV row
 * @param rows the step's CSV rows
 * @param warmupRows how many of them are warm-up
 * @param harness facts about the harness itself (open loop: how late sends were)
 * @param completedAfterLastRow successes that were in flight when the last row closed: in
 *     {@code succeeded} and {@code latency}, not in any row or in {@code throughput}
 */
public record StepResult(
    String load, Integer concurrency, Double rate, long succeeded, long failed, double throughput,
    LatencySummary latency, Map<String, Long> errors, int firstRow, int rows, int warmupRows,
    Map<String, Object> harness, long completedAfterLastRow) {}
