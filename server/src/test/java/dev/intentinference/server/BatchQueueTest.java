package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import org.junit.jupiter.api.Test;

/**
 * Batching decisions driven by a fake clock: no sleeps, no timing assertions. The deadline
 * watcher's two tests run a thread on the real clock; their waits only bound a hang.
 */
class BatchQueueTest {
  private static final Object V1 = "v1";
  private static final Object V2 = "v2";
  private static final long FAR = Long.MAX_VALUE / 2;

  /** A clock that jumps: a timed wait advances time to the next scripted arrival or to its end. */
  static final class FakeClock implements BatchClock {
    long now;
    final List<Long> waits = new ArrayList<>();
    final List<long[]> arrivalTimes = new ArrayList<>();
    final List<Runnable> arrivals = new ArrayList<>();

    void at(long nanos, Runnable arrival) {
      arrivalTimes.add(new long[] {nanos});
      arrivals.add(arrival);
    }

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void await(Condition condition, long nanos) {
      waits.add(nanos);
      long target = now + nanos;
      if (!arrivals.isEmpty() && arrivalTimes.get(0)[0] <= target) {
        now = Math.max(now, arrivalTimes.remove(0)[0]);
        arrivals.remove(0).run(); // like a signal from a submitting thread
      } else {
        now = target;
      }
    }
  }

  private final FakeClock clock = new FakeClock();
  private final AtomicBoolean busy = new AtomicBoolean();

  private BatchQueue<String, String> queue(int maxBatch, long delayMicros, int capacity) {
    return new BatchQueue<>("m", new BatchPolicy(maxBatch, delayMicros, capacity), clock, busy::get);
  }

  private static List<String> items(BatchQueue.Batch<String, String> b) {
    return b.entries().stream().map(BatchQueue.Entry::item).toList();
  }

  @Test
  void loneRequestOnIdleServerRunsAtOnce() throws Exception {
    BatchQueue<String, String> q = queue(16, 5_000, 8);
    q.submit("a", 5, V1, FAR);
    BatchQueue.Batch<String, String> b = q.nextBatch();
    assertThat(items(b)).containsExactly("a");
    assertThat(clock.waits).as("no batching delay when idle").isEmpty();
    assertThat(b.readyNanos() - b.formingStartedNanos()).isZero();
  }

  @Test
  void busyServerWaitsOnlyTheRemainingBudgetSinceTheFirstRequest() throws Exception {
    BatchQueue<String, String> q = queue(16, 1_000, 8);
    busy.set(true);
    q.submit("a", 5, V1, FAR); // at t = 0
    clock.now = TimeUnit.MICROSECONDS.toNanos(300);
    clock.at(TimeUnit.MICROSECONDS.toNanos(500), () -> q.submit("b", 6, V1, FAR));
    BatchQueue.Batch<String, String> b = q.nextBatch();
    assertThat(items(b)).containsExactly("a", "b");
    // 1000 us budget - 300 us already waited = 700 us; after "b" at 500 us, 500 us remain.
    assertThat(clock.waits).containsExactly(700_000L, 500_000L);
    assertThat(clock.now).isEqualTo(1_000_000L);
  }

  @Test
  void aBusyServerDoesNotHoldABatchForCompanyWhileOtherTextsWait() throws Exception {
    BatchQueue<String, String> q = queue(16, 1_000, 8);
    busy.set(true);
    q.submit("a", 5, V1, FAR);
    q.submit("long", 100, V1, FAR);
    assertThat(items(q.nextBatch())).containsExactly("a");
    assertThat(clock.waits).as("no wait while another bucket's text is queued").isEmpty();
    assertThat(q.depth()).isEqualTo(1);
  }

  @Test
  void waitingForCompanyEndsWhenATextOfAnotherBucketArrives() throws Exception {
    BatchQueue<String, String> q = queue(16, 1_000, 8);
    busy.set(true);
    q.submit("a", 5, V1, FAR); // at t = 0
    clock.at(TimeUnit.MICROSECONDS.toNanos(300), () -> q.submit("long", 100, V1, FAR));
    clock.at(TimeUnit.MICROSECONDS.toNanos(500), () -> q.submit("b", 6, V1, FAR));
    BatchQueue.Batch<String, String> b = q.nextBatch();
    assertThat(items(b)).as("runs at 300 us, without b").containsExactly("a");
    assertThat(b.readyNanos()).isEqualTo(TimeUnit.MICROSECONDS.toNanos(300));
    assertThat(items(q.nextBatch())).containsExactly("long");
  }

  @Test
  void aFullBatchGoesWithoutWaiting() throws Exception {
    BatchQueue<String, String> q = queue(4, 1_000, 16);
    busy.set(true);
    for (String s : List.of("a", "b", "c", "d", "e", "f")) {
      q.submit(s, 5, V1, FAR);
    }
    assertThat(items(q.nextBatch())).containsExactly("a", "b", "c", "d");
    assertThat(clock.waits).isEmpty();
    assertThat(q.depth()).isEqualTo(2);
  }

  @Test
  void spentBudgetMeansNoWait() throws Exception {
    BatchQueue<String, String> q = queue(8, 1_000, 16);
    busy.set(true);
    q.submit("a", 5, V1, FAR);
    clock.now = TimeUnit.MICROSECONDS.toNanos(2_000);
    assertThat(items(q.nextBatch())).containsExactly("a");
    assertThat(clock.waits).isEmpty();
  }

  @Test
  void zeroDelayNeverWaits() throws Exception {
    BatchQueue<String, String> q = queue(8, 0, 16);
    busy.set(true);
    q.submit("a", 5, V1, FAR);
    assertThat(items(q.nextBatch())).containsExactly("a");
    assertThat(clock.waits).isEmpty();
  }

  @Test
  void batchesGroupTextsOfSimilarLengthInArrivalOrder() throws Exception {
    BatchQueue<String, String> q = queue(8, 0, 16);
    q.submit("short1", 10, V1, FAR);
    q.submit("long1", 100, V1, FAR);
    q.submit("short2", 12, V1, FAR);
    q.submit("longer", 200, V1, FAR);
    q.submit("short3", 11, V1, FAR);
    q.submit("long2", 120, V1, FAR);
    q.submit("medium", 16, V1, FAR);
    assertThat(items(q.nextBatch())).containsExactly("short1", "short2", "short3");
    assertThat(items(q.nextBatch())).containsExactly("long1", "long2");
    assertThat(items(q.nextBatch())).containsExactly("longer");
    assertThat(items(q.nextBatch())).containsExactly("medium");
  }

  @Test
  void versionsNeverShareABatch() throws Exception {
    BatchQueue<String, String> q = queue(8, 0, 16);
    q.submit("old", 5, V1, FAR);
    q.submit("new", 5, V2, FAR);
    q.submit("old2", 5, V1, FAR);
    assertThat(items(q.nextBatch())).containsExactly("old", "old2");
    assertThat(items(q.nextBatch())).containsExactly("new");
  }

  @Test
  void aFullQueueRefusesAtOnceWithATypedFailure() {
    BatchQueue<String, String> q = queue(8, 0, 2);
    assertThat(q.submit("a", 5, V1, FAR)).isNotDone();
    assertThat(q.submit("b", 5, V1, FAR)).isNotDone();
    CompletableFuture<String> third = q.submit("c", 5, V1, FAR);
    assertThat(third).isCompletedExceptionally();
    assertThat(third.handle((r, t) -> t).join()).isInstanceOf(QueueFullException.class)
        .hasMessageContaining("queue holds 2");
    assertThat(q.depth()).isEqualTo(2);
  }

  @Test
  void requestsPastTheirDeadlineAreDroppedNotRun() throws Exception {
    BatchQueue<String, String> q = queue(8, 0, 16);
    CompletableFuture<String> stale = q.submit("stale", 5, V1, 100);
    CompletableFuture<String> staleLong = q.submit("stale-long", 300, V1, 100);
    q.submit("fresh", 5, V1, FAR);
    clock.now = 200;
    assertThat(items(q.nextBatch())).containsExactly("fresh");
    assertThat(stale.handle((r, t) -> t).join()).isInstanceOf(DeadlineExceededException.class);
    q.submit("after", 300, V1, FAR);
    assertThat(items(q.nextBatch())).containsExactly("after");
    assertThat(staleLong.handle((r, t) -> t).join()).isInstanceOf(DeadlineExceededException.class);
  }

  @Test
  void textsNobodyWaitsForAreDroppedNotRun() throws Exception {
    java.util.Set<String> gone = java.util.concurrent.ConcurrentHashMap.newKeySet();
    BatchQueue<String, String> q = new BatchQueue<>("m", new BatchPolicy(8, 0, 16), clock, busy::get, gone::contains);
    CompletableFuture<String> left = q.submit("left", 5, V1, FAR);
    q.submit("kept", 5, V1, FAR);
    gone.add("left"); // its client hung up, or another text of its request failed
    assertThat(items(q.nextBatch())).containsExactly("kept");
    assertThat(left.handle((r, t) -> t).join()).isInstanceOf(AbandonedException.class);
  }

  @Test
  void stoppingRefusesNewRequestsButHandsOutQueuedOnes() throws Exception {
    BatchQueue<String, String> q = queue(1, 0, 16);
    q.submit("a", 5, V1, FAR);
    q.submit("b", 5, V1, FAR);
    q.stop();
    assertThat(q.submit("c", 5, V1, FAR).handle((r, t) -> t).join()).isInstanceOf(ShuttingDownException.class);
    assertThat(items(q.nextBatch())).containsExactly("a");
    assertThat(items(q.nextBatch())).containsExactly("b");
    assertThat(q.nextBatch().size()).isZero();
  }

  @Test
  void abandoningFailsWhatIsQueuedButNotWhatWasHandedOut() throws Exception {
    BatchQueue<String, String> q = queue(1, 0, 16);
    CompletableFuture<String> a = q.submit("a", 5, V1, FAR);
    CompletableFuture<String> b = q.submit("b", 5, V1, FAR);
    CompletableFuture<String> c = q.submit("c", 5, V1, FAR);
    assertThat(items(q.nextBatch())).containsExactly("a");
    assertThat(q.abandon()).isEqualTo(2);
    assertThat(a).isNotDone();
    for (CompletableFuture<String> f : List.of(b, c)) {
      assertThat(f.handle((r, t) -> t).join()).isInstanceOf(ShuttingDownException.class);
    }
    assertThat(q.submit("d", 5, V1, FAR).handle((r, t) -> t).join()).isInstanceOf(ShuttingDownException.class);
    assertThat(q.nextBatch().size()).isZero();
    assertThat(q.depth()).isZero();
  }

  @Test
  void theWatcherFailsARequestAtItsDeadlineWhileNoWorkerReachesIt() throws Exception {
    // No worker takes anything, as when every worker is busy with a long batch: only the watcher
    // can answer, and it must wake for a deadline earlier than the one it sleeps until.
    BatchQueue<String, String> q = new BatchQueue<>("m", new BatchPolicy(8, 0, 16), BatchClock.system(), busy::get);
    long now = System.nanoTime();
    CompletableFuture<String> later = q.submit("later", 5, V1, now + TimeUnit.HOURS.toNanos(1));
    Thread watcher = startWatcher(q);
    while (watcher.getState() != Thread.State.TIMED_WAITING) {
      Thread.onSpinWait();
    }
    CompletableFuture<String> soon = q.submit("soon", 5, V1, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
    assertThat(soon).failsWithin(java.time.Duration.ofSeconds(30))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(DeadlineExceededException.class);
    assertThat(later).isNotDone();
    assertThat(q.depth()).isEqualTo(1);
    q.abandon();
    watcher.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(watcher.isAlive()).as("the watcher ends once the queue is stopped and empty").isFalse();
  }

  @Test
  void theWatcherEndsOnceAStoppedQueueIsDrained() throws Exception {
    // Stopped with a text queued, the watcher goes back to sleep towards that text's deadline; the
    // workers then take it, and the watcher must end with the queue drained, not an hour later.
    java.util.concurrent.atomic.AtomicInteger sleeps = new java.util.concurrent.atomic.AtomicInteger();
    BatchClock counting = new BatchClock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void await(Condition condition, long nanos) throws InterruptedException {
        sleeps.incrementAndGet();
        condition.await(nanos, TimeUnit.NANOSECONDS);
      }
    };
    BatchQueue<String, String> q = new BatchQueue<>("m", new BatchPolicy(8, 0, 16), counting, busy::get);
    q.submit("last", 5, V1, System.nanoTime() + TimeUnit.HOURS.toNanos(1));
    Thread watcher = startWatcher(q);
    while (sleeps.get() < 1) {
      Thread.onSpinWait();
    }
    q.stop();
    while (sleeps.get() < 2) { // asleep again, the text still queued
      Thread.onSpinWait();
    }
    assertThat(items(q.nextBatch())).containsExactly("last");
    assertThat(q.nextBatch().size()).isZero();
    watcher.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(watcher.isAlive()).isFalse();
  }

  /** The deadline watcher of {@code q} on a daemon thread of its own, as ModelSlot runs it. */
  private static Thread startWatcher(BatchQueue<String, String> q) {
    Thread watcher = new Thread(() -> {
      try {
        q.watchDeadlines();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    watcher.setDaemon(true);
    watcher.start();
    return watcher;
  }

  @Test
  void lengthBucketsAreFourTokensWideUpTo32ThenDouble() {
    assertThat(BatchPolicy.lengthBucket(1)).isZero();
    assertThat(BatchPolicy.lengthBucket(4)).isZero();
    assertThat(BatchPolicy.lengthBucket(5)).isEqualTo(1);
    assertThat(BatchPolicy.lengthBucket(12)).isEqualTo(2);
    assertThat(BatchPolicy.lengthBucket(13)).isEqualTo(3);
    assertThat(BatchPolicy.lengthBucket(32)).isEqualTo(7);
    assertThat(BatchPolicy.lengthBucket(33)).isEqualTo(8);
    assertThat(BatchPolicy.lengthBucket(64)).isEqualTo(8);
    assertThat(BatchPolicy.lengthBucket(65)).isEqualTo(9);
    assertThat(BatchPolicy.lengthBucket(512)).isEqualTo(11);
  }

  @Test
  void policyNamesTheBadOption() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BatchPolicy(0, 0, 1))
        .hasMessage("--max-batch must be in 1..1024, was 0");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BatchPolicy(1, -1, 1))
        .hasMessage("--max-queue-delay must be in 0..1000000, was -1");
  }
}
