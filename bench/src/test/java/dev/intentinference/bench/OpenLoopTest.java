package dev.intentinference.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * The open loop keeps sending while the target stalls, and charges each request its wait from
 * the scheduled send time. The assertions are logical bounds, not timings: whatever the machine's
 * speed, the first request cannot have waited less than from its scheduled time to the release.
 */
class OpenLoopTest {
  /** Holds every request until released, then answers at once. */
  static final class StallingTarget implements Target {
    final Queue<CompletableFuture<Reply>> held = new ConcurrentLinkedQueue<>();
    volatile boolean released;

    @Override
    public TargetInfo probe() {
      return new TargetInfo("stall", null, null, null, null);
    }

    @Override
    public CompletableFuture<Reply> send(int message, boolean decode) {
      if (released) {
        return CompletableFuture.completedFuture(Reply.OK);
      }
      CompletableFuture<Reply> f = new CompletableFuture<>();
      held.add(f);
      return f;
    }

    void release() {
      released = true;
      CompletableFuture<Reply> f;
      while ((f = held.poll()) != null) {
        f.complete(Reply.OK);
      }
    }

    @Override
    public void close() {}
  }

  @Test
  void latencyCountsFromTheScheduledTimeThroughAStall() throws Exception {
    double rate = 2000;
    long seed = 11;
    long firstGap = new PoissonSchedule(rate, seed).nextGapNanos();
    StallingTarget target = new StallingTarget();
    RunRecorder rec = new RunRecorder(1, 1000, System.nanoTime());
    OpenLoop loop = new OpenLoop(target, rate, seed, 5, rec);
    loop.start();
    long afterStart = System.nanoTime();
    // Let requests pile up behind the stall: the loop must keep sending meanwhile.
    while (target.held.size() < 50) {
      Thread.sleep(5);
    }
    long release = System.nanoTime();
    target.release();
    loop.stop();
    assertThat(loop.awaitDrained(Duration.ofSeconds(10))).isZero();
    rec.drain();
    var total = rec.total();
    assertThat(total.getTotalCount()).as("every request sent is measured").isGreaterThanOrEqualTo(50);
    // The first request was scheduled at start + firstGap <= afterStart + firstGap.
    long lowerBound = release - afterStart - firstGap;
    assertThat(total.getMaxValue()).as("the first request's wait covers the stall").isGreaterThanOrEqualTo((long) (lowerBound * 0.999));
    assertThat(loop.harnessStats()).containsEntry("asked_rate_per_s", rate).containsKey("kept_up");
  }

  /** Answers at once, but its first {@code send} blocks the caller (the scheduler) for a while. */
  static final class SlowFirstSendTarget implements Target {
    final long blockMillis;
    volatile boolean blocked;

    SlowFirstSendTarget(long blockMillis) {
      this.blockMillis = blockMillis;
    }

    @Override
    public TargetInfo probe() {
      return new TargetInfo("slow-first", null, null, null, null);
    }

    @Override
    public CompletableFuture<Reply> send(int message, boolean decode) {
      if (!blocked) {
        blocked = true;
        try {
          Thread.sleep(blockMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return CompletableFuture.completedFuture(Reply.OK);
    }

    @Override
    public void close() {}
  }

  @Test
  void aBlockedSchedulerShowsAsSendLag() throws Exception {
    long block = 300;
    OpenLoop loop = new OpenLoop(new SlowFirstSendTarget(block), new ConstantSchedule(1000), 5,
        new RunRecorder(1, 1000, System.nanoTime()));
    loop.start();
    Thread.sleep(block + 100);
    loop.stop();
    assertThat(loop.awaitDrained(Duration.ofSeconds(10))).isZero();
    var stats = loop.harnessStats();
    // Send 1 was due 1 ms after the start and could not go before send 0 returned, >= 300 ms later.
    double max = (Double) stats.get("send_lag_max_ms");
    assertThat(max).isGreaterThanOrEqualTo((block - 1) * 0.99);
    assertThat((Double) stats.get("send_lag_p50_ms")).isLessThanOrEqualTo((Double) stats.get("send_lag_p99_ms"));
    assertThat((Double) stats.get("send_lag_p99_ms")).isLessThanOrEqualTo(max);
    assertThat(loop.keptUp()).as("hundreds of the sends were late").isFalse();
    assertThat(loop.harnessWarning()).contains("p99").contains("after the warm-up");
  }

  @Test
  void lagsOfTheWarmupAreLeftOutOfTheMeasuredLag() throws Exception {
    long block = 1000;
    SlowFirstSendTarget target = new SlowFirstSendTarget(block);
    OpenLoop loop = new OpenLoop(target, new ConstantSchedule(1000), 5, new RunRecorder(1, 1000, System.nanoTime()));
    loop.start();
    Thread.sleep(block + 200);
    loop.warmupEnded();
    Thread.sleep(100);
    loop.stop();
    assertThat(loop.awaitDrained(Duration.ofSeconds(10))).isZero();
    var stats = loop.harnessStats();
    assertThat((Double) stats.get("max_send_lag_ms")).as("the whole run's maximum keeps the stall").isGreaterThanOrEqualTo(block * 0.99 - 1);
    assertThat((Double) stats.get("send_lag_max_ms")).as("the measured part's does not").isLessThan(block * 0.99 - 1);
    // The ~1,000 sends due during the stall were late, all in the warm-up; about 100 followed it.
    assertThat((Long) stats.get("late_warmup_sends")).isGreaterThanOrEqualTo(900);
    assertThat((Long) stats.get("late_sends")).as("late sends after the warm-up only").isLessThan(300);
  }
}
