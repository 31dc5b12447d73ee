package dev.intentinference.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Collects one run's outcomes from any number of threads and cuts them into intervals.
 * Successful latencies go to an HdrHistogram {@link Recorder} (one histogram per interval,
 * swapped without stopping writers) and to the reference's sliding {@link LatencyWindow};
 * failures are counted by cause and never enter a percentile.
 *
 * <p>The clock is the caller's: {@link #tick} takes the time, so tests drive it with synthetic
 * latencies and no sleeping.
 *
 * <pre>{@code
 * RunRecorder r = new RunRecorder(pid, 1000, start);
 * r.recordSuccess(1_000_000);             // 1 ms
 * Interval i = r.tick(start + 1_000_000_000L, false);
 * }</pre>
 */
public final class RunRecorder {
  /** Latencies above one hour are recorded as one hour (HdrHistogram needs a bound). */
  public static final long HIGHEST_NANOS = 3_600_000_000_000L;

  private final long pid;
  private final LatencyWindow window;
  private final Recorder recorder = new Recorder(HIGHEST_NANOS, 3);
  private final Histogram total = new Histogram(HIGHEST_NANOS, 3);
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final LongAdder failures = new LongAdder();
  private Histogram recycled;
  private long lastTickNanos;
  private long count;
  private long lastFailures;
  private long measuredCount;
  private long measuredNanos;
  /** Failures by cause up to the end of the last warm-up interval: kept out of the measured totals. */
  private Map<String, Long> warmupErrors = Map.of();
  /** The end of the last warm-up interval: a request sent before it belongs to the warm-up, whenever it completes. */
  private volatile long warmupEndNanos = Long.MIN_VALUE;
  /** Warm-up requests that failed after the warm-up ended (an open loop under overload drains them late). */
  private final Map<String, LongAdder> lateWarmupErrors = new ConcurrentHashMap<>();

  /**
   * @param pid the process id written in every row
   * @param windowSize latencies kept for the rows' sliding p50/p90, 1..10,000,000
   * @param startNanos the run's start on the {@link System#nanoTime()} clock
   */
  public RunRecorder(long pid, int windowSize, long startNanos) {
    this.pid = pid;
    this.window = new LatencyWindow(windowSize);
    this.lastTickNanos = startNanos;
  }

  /** @param latencyNanos a successful request's latency in nanoseconds, at least 0 */
  public void recordSuccess(long latencyNanos) {
    long v = Math.min(Math.max(latencyNanos, 0), HIGHEST_NANOS);
    recorder.recordValue(v);
    window.record(v);
  }

  /**
   * A success of a request sent at {@code sentNanos}: one sent during the warm-up stays out of the
   * rows and the totals even when it completes after it.
   */
  public void recordSuccess(long latencyNanos, long sentNanos) {
    if (sentNanos < warmupEndNanos) {
      return;
    }
    recordSuccess(latencyNanos);
  }

  /** A failure of a request sent at {@code sentNanos}: one sent during the warm-up counts as a warm-up failure. */
  public void recordFailure(String cause, long sentNanos) {
    if (sentNanos < warmupEndNanos) {
      lateWarmupErrors.computeIfAbsent(cause, c -> new LongAdder()).increment();
      return;
    }
    recordFailure(cause);
  }

  /** @param cause a short cause such as {@code http 503}; grouped verbatim in the summary */
  public void recordFailure(String cause) {
    errors.computeIfAbsent(cause, c -> new LongAdder()).increment();
    failures.increment();
  }

  /**
   * Ends the current interval at {@code nowNanos}.
   *
   * @param warmup whether the interval was warm-up (kept out of {@link #total()})
   */
  public synchronized Interval tick(long nowNanos, boolean warmup) {
    Histogram h = recorder.getIntervalHistogram(recycled);
    long n = h.getTotalCount();
    long nanos = Math.max(1, nowNanos - lastTickNanos);
    double seconds = nanos / 1e9;
    count += n;
    if (!warmup) {
      total.add(h);
      measuredCount += n;
      measuredNanos += nanos;
    }
    LatencyWindow.Sorted w = window.snapshot();
    if (warmup) {
      warmupErrors = causes();
      warmupEndNanos = nowNanos;
    }
    long failedNow = failures.sum();
    Interval interval = new Interval(
        new IntervalRow(pid, count, n / seconds, w.percentile(50) / 1e9, w.percentile(90) / 1e9),
        seconds, warmup, LatencySummary.of(h), failedNow - lastFailures);
    lastFailures = failedNow;
    lastTickNanos = nowNanos;
    recycled = h;
    return interval;
  }

  /**
   * Takes in what completed after the last tick (requests in flight when the run ended) so
   * their latencies count, without making a row or adding to the measured time.
   *
   * @return how many successes that took in
   */
  public synchronized long drain() {
    Histogram h = recorder.getIntervalHistogram(recycled);
    total.add(h);
    recycled = h;
    return h.getTotalCount();
  }

  /** Latencies of every non-warm-up request, in nanoseconds. */
  public synchronized Histogram total() {
    return total.copy();
  }

  /** Successful requests per second over the non-warm-up intervals. */
  public synchronized double measuredThroughput() {
    return measuredNanos == 0 ? 0 : measuredCount / (measuredNanos / 1e9);
  }

  public synchronized long measuredCount() {
    return measuredCount;
  }

  public synchronized double measuredSeconds() {
    return measuredNanos / 1e9;
  }

  /** Failures after the warm-up by cause, sorted by cause. */
  public synchronized Map<String, Long> errors() {
    Map<String, Long> out = causes();
    warmupErrors.forEach((k, v) -> out.computeIfPresent(k, (c, n) -> n - v == 0 ? null : n - v));
    return out;
  }

  /** Failures after the warm-up. */
  public synchronized long failed() {
    return failures.sum() - warmupErrors.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Failures of requests sent during the warm-up: a target still warming up (or the harness's own
   * JIT) can refuse requests then, and those say nothing about the measured load.
   */
  public synchronized long warmupFailed() {
    return warmupErrors().values().stream().mapToLong(Long::longValue).sum();
  }

  /** Warm-up failures by cause, sorted by cause, those completed after the warm-up included. */
  public synchronized Map<String, Long> warmupErrors() {
    Map<String, Long> out = new TreeMap<>(warmupErrors);
    lateWarmupErrors.forEach((k, v) -> out.merge(k, v.sum(), Long::sum));
    return out;
  }

  private Map<String, Long> causes() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
