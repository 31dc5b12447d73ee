package dev.intentinference.core.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The guard's promises, on a guard of the test's own (threads it stops stay parked: daemons): the
 * stop waits for a call under way, and after it no call starts and none under way returns.
 */
class ExitGuardTest {
  @Test
  void callsPassThroughWhileNotStopped() throws Exception {
    ExitGuard calls = new ExitGuard();
    assertThat(calls.call(() -> 42)).isEqualTo(42);
    AtomicBoolean ran = new AtomicBoolean();
    calls.run(() -> ran.set(true));
    assertThat(ran).isTrue();
    assertThat(calls.inside()).isZero();
  }

  @Test
  void aFailingCallIsNoLongerCounted() {
    ExitGuard calls = new ExitGuard();
    try {
      calls.call(() -> {
        throw new IllegalStateException("native failure");
      });
    } catch (IllegalStateException expected) {
      // counted out in the finally
    }
    assertThat(calls.inside()).isZero();
    assertThat(calls.stopAndAwait(Duration.ZERO)).isTrue();
  }

  @Test
  void theStopWaitsForACallUnderWayWhichThenNeverReturns() throws Exception {
    ExitGuard calls = new ExitGuard();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean returned = new AtomicBoolean();
    Thread caller = daemon(() -> {
      calls.run(() -> {
        inside.countDown();
        release.await(); // stands for a session being created
      });
      returned.set(true);
    });
    assertThat(inside.await(1, TimeUnit.MINUTES)).isTrue();

    // Still inside: a stop with a short limit says the exit would race it.
    assertThat(calls.stopAndAwait(Duration.ofMillis(20))).isFalse();
    assertThat(calls.inside()).isEqualTo(1);

    release.countDown();
    assertThat(calls.stopAndAwait(Duration.ofMinutes(1))).as("the call returned within the limit").isTrue();
    assertThat(calls.inside()).isZero();
    awaitWaiting(caller);
    assertThat(returned).as("stopped on its way out of the call: it does not go on with its work").isFalse();
  }

  @Test
  void afterTheStopNoCallStarts() throws Exception {
    ExitGuard calls = new ExitGuard();
    assertThat(calls.stopAndAwait(Duration.ofSeconds(1))).isTrue();
    AtomicBoolean ran = new AtomicBoolean();
    Thread caller = daemon(() -> calls.run(() -> ran.set(true)));
    awaitWaiting(caller);
    caller.interrupt(); // an interrupt does not let it in either
    awaitWaiting(caller);
    assertThat(ran).isFalse();
    assertThat(calls.inside()).isZero();
  }

  private interface Body {
    void run() throws Exception;
  }

  private static Thread daemon(Body body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "ort-calls-test");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Until {@code t} waits without a time limit: parked by the guard (or failing the test if it ends). */
  private static void awaitWaiting(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (t.getState() != Thread.State.WAITING) {
      assertThat(t.isAlive()).as("the thread ended instead of waiting").isTrue();
      assertThat(System.nanoTime()).as("the thread waits within a minute").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
