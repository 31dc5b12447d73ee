package dev.intentinference.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Coalesces concurrent in-process requests into batches, as a server's dynamic batching does:
 * each of {@code workers} threads takes the oldest waiting request and up to its share of the
 * others ({@code ceil(waiting / idle workers)}, at most {@code maxBatch}), so two idle workers
 * facing 16 waiting requests take 8 each instead of one taking all and the other idling, while a
 * worker whose peers are all busy takes everything it may (leaving requests behind would make them
 * wait out a whole batch). No length buckets: batches mix lengths, which a graph compiled with
 * {@code --remove-padding} does not pay for.
 *
 * <p>Like the server, a batch that starts while another worker is busy waits up to {@link
 * #MAX_DELAY_NANOS} for company, so a worker does not settle into answering one client at a time
 * while the other carries the rest; here it waits only until it holds its part of a full round
 * ({@code maxBatch / workers}), so no worker idles out the whole delay on every batch. A lone
 * request on an idle machine goes at once.
 *
 * <pre>{@code
 * try (InprocBatcher<Job> b = new InprocBatcher<>(16, 2, "bench-batch", batch -> score(batch))) { b.submit(job); }
 * }</pre>
 *
 * @param <T> a waiting request; the consumer completes it
 */
final class InprocBatcher<T> implements AutoCloseable {
  /** The server's default {@code --max-queue-delay}. */
  static final long MAX_DELAY_NANOS = 1_000_000;

  private final LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
  private final int maxBatch;
  private final int workers;
  private final Consumer<List<T>> scoreBatch;
  private final List<Thread> threads = new ArrayList<>();
  private final java.util.concurrent.atomic.AtomicInteger busy = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean closed;

  /**
   * @param scoreBatch runs one batch (oldest first) and completes every request in it; must not throw
   */
  InprocBatcher(int maxBatch, int workers, String threadName, Consumer<List<T>> scoreBatch) {
    if (maxBatch < 1 || workers < 1) {
      throw new IllegalArgumentException("maxBatch and workers must be positive, were " + maxBatch + ", " + workers);
    }
    this.maxBatch = maxBatch;
    this.workers = workers;
    this.scoreBatch = scoreBatch;
    for (int i = 0; i < workers; i++) {
      Thread t = new Thread(this::loop, threadName + "-" + (i + 1));
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  void submit(T request) {
    if (closed) {
      throw new IllegalStateException("batcher is closed");
    }
    queue.add(request);
  }

  /**
   * How many requests a worker that just took one may add: its share of what is waiting among the
   * workers that are idle, itself included.
   */
  static int share(int waitingAfterFirst, int idleWorkers, int maxBatch) {
    int waiting = waitingAfterFirst + 1;
    int idle = Math.max(1, idleWorkers);
    return Math.min(maxBatch, (waiting + idle - 1) / idle) - 1;
  }

  private void loop() {
    List<T> batch = new ArrayList<>(maxBatch);
    try {
      while (!closed) {
        T first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        int others = busy.getAndIncrement();
        try {
          batch.add(first);
          queue.drainTo(batch, share(queue.size(), workers - others, maxBatch));
          if (others > 0) {
            long deadline = System.nanoTime() + MAX_DELAY_NANOS;
            int enough = Math.max(1, maxBatch / workers);
            for (long left = MAX_DELAY_NANOS; batch.size() < enough && left > 0; left = deadline - System.nanoTime()) {
              T next = queue.poll(left, TimeUnit.NANOSECONDS);
              if (next == null) {
                break;
              }
              batch.add(next);
              queue.drainTo(batch, maxBatch - batch.size());
            }
          }
          scoreBatch.accept(batch);
        } finally {
          busy.decrementAndGet();
          batch.clear();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the workers; requests still waiting are handed back for the caller to fail. */
  List<T> drainOnClose() {
    close();
    List<T> left = new ArrayList<>();
    queue.drainTo(left);
    return left;
  }

  @Override
  public void close() {
    closed = true;
    threads.forEach(Thread::interrupt);
  }

  /** A request that completes a future: the usual payload. */
  record Request<R>(int message, boolean decode, CompletableFuture<R> future) {}
}
