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
}
