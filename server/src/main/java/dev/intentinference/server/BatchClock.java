package dev.intentinference.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * Time as the batching queue sees it: a monotonic clock and a timed wait on a condition. Injected
 * so that tests drive batching decisions with a fake clock instead of sleeping.
 *
 * <pre>{@code
 * BatchClock clock = BatchClock.system(); // System.nanoTime and Condition.awaitNanos
 * }</pre>
 */
public interface BatchClock {
  /** Monotonic time in nanoseconds (any origin). */
  long nanoTime();

  /**
   * Waits on {@code condition} (its lock held) for at most {@code nanos} nanoseconds, or until
   * signalled.
   */
  void await(Condition condition, long nanos) throws InterruptedException;

  static BatchClock system() {
    return new BatchClock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void await(Condition condition, long nanos) throws InterruptedException {
        condition.await(nanos, TimeUnit.NANOSECONDS);
      }
    };
  }
}
