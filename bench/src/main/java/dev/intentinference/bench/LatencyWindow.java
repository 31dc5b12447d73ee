package dev.intentinference.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The most recent {@code size} latencies, as the reference harness kept them for its per-row
 * p50/p90. Writers never block; a reader copies the window and sorts the copy.
 *
 * <p>Percentiles interpolate linearly between the two nearest ranks, as numpy's default
 * {@code percentile} does, so rows are comparable with the reference team's.
 *
 * <pre>{@code
 * LatencyWindow w = new LatencyWindow(1000);
 * w.record(1_200_000);                 // 1.2 ms, in nanoseconds
 * double p90 = w.snapshot().percentile(90);
 * }</pre>
 */
public final class LatencyWindow {
  private final AtomicLongArray values;
  private final AtomicLong written = new AtomicLong();

  /** @param size latencies kept, 1..10,000,000 */
  public LatencyWindow(int size) {
    if (size < 1 || size > 10_000_000) {
      throw new IllegalArgumentException("window size must be in 1..10000000, was " + size);
    }
    this.values = new AtomicLongArray(size);
  }

  /** @param nanos one successful request's latency in nanoseconds */
  public void record(long nanos) {
    long i = written.getAndIncrement();
    values.set((int) (i % values.length()), nanos);
  }

  /** A sorted copy of the window's current contents. */
  public Sorted snapshot() {
    int n = (int) Math.min(written.get(), values.length());
    long[] copy = new long[n];
    for (int i = 0; i < n; i++) {
      copy[i] = values.get(i);
    }
    Arrays.sort(copy);
    return new Sorted(copy);
  }

  /** Sorted latencies in nanoseconds. */
  public record Sorted(long[] nanos) {
    /**
     * @param p percentile in [0, 100]
     * @return the latency in nanoseconds at {@code p}, linearly interpolated; 0 when empty
     */
    public double percentile(double p) {
      if (nanos.length == 0) {
        return 0;
      }
      double rank = p / 100.0 * (nanos.length - 1);
      int lo = (int) Math.floor(rank);
      int hi = Math.min(lo + 1, nanos.length - 1);
      return nanos[lo] + (rank - lo) * (nanos[hi] - nanos[lo]);
    }
  }
}
