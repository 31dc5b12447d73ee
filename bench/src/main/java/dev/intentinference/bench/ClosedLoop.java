package dev.intentinference.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reference's load: {@code concurrency} workers, each sending its next request as soon as
 * the previous one returns (batch size 1). Workers are chains of callbacks, not threads, so 32
 * workers against an HTTP server cost no threads of their own.
 *
 * <pre>{@code
 * LoadDriver d = new ClosedLoop(target, 4, messageCount, recorder);
 * d.start(); ...; d.stop(); d.awaitDrained(Duration.ofSeconds(30));
 * }</pre>
 */
public final class ClosedLoop implements LoadDriver {
  private final Target target;
  private final int concurrency;
  private final int messages;
  private final RunRecorder recorder;
  private final AtomicLong next = new AtomicLong();
  private final AtomicInteger active = new AtomicInteger();
  private volatile boolean stopped;

  /**
   * @param concurrency requests in flight, 1..100,000
   * @param messages how many prepared messages the target has; sent round robin
   */
  public ClosedLoop(Target target, int concurrency, int messages, RunRecorder recorder) {
    if (concurrency < 1 || concurrency > 100_000) {
      throw new IllegalArgumentException("concurrency must be in 1..100000, was " + concurrency);
    }
    this.target = target;
    this.concurrency = concurrency;
    this.messages = messages;
    this.recorder = recorder;
  }

  @Override
  public void start() {
    active.set(concurrency);
    for (int i = 0; i < concurrency; i++) {
      work();
    }
  }

  /**
   * Sends until stopped. A reply that is already complete is handled in this loop rather than in
   * a callback, so a target answering synchronously (or failing fast) cannot grow the stack.
   */
  private void work() {
    while (!stopped) {
      int m = (int) (next.getAndIncrement() % messages);
      long t0 = System.nanoTime();
      CompletableFuture<Reply> f = target.send(m, false);
      if (f.isDone()) {
        record(f.join(), t0);
        continue;
      }
      f.thenAccept(r -> {
        record(r, t0);
        work();
      });
      return;
    }
    active.decrementAndGet();
  }

  private void record(Reply r, long t0) {
    long latency = System.nanoTime() - t0;
    if (r.ok()) {
      recorder.recordSuccess(latency, t0);
    } else {
      recorder.recordFailure(r.failure(), t0);
    }
  }

  @Override
  public void stop() {
    stopped = true;
  }

  @Override
  public long awaitDrained(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (active.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    return active.get();
  }
}
