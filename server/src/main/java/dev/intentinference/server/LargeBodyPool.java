package dev.intentinference.server;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Where large request bodies are parsed and tokenized: off the event loop, on as many threads as
 * cores, with a short queue. Armeria's blocking-task executor, used before, grows without bound:
 * twenty clients each sending 1 MB bodies ran a hundred tokenizations at once, each with its own
 * native memory arena, and the process grew by gigabytes that it never returned. When the queue is
 * full the request gets 503 with {@code Retry-After}, like a full batch queue.
 *
 * <pre>{@code
 * try (LargeBodyPool pool = new LargeBodyPool(2, 8)) {
 *   CompletableFuture<byte[]> answer = pool.run(() -> work.apply(body));
 * }
 * }</pre>
 */
final class LargeBodyPool implements AutoCloseable {
  private final ThreadPoolExecutor pool;
  private final int threads;
  private final int queue;

  LargeBodyPool(int threads, int queue) {
    this.threads = threads;
    this.queue = queue;
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
      Thread t = new Thread(r, "intent-large-body-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    pool.allowCoreThreadTimeOut(true);
  }

  /** One per core, and four bodies per thread waiting. */
  static LargeBodyPool forCores() {
    int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    return new LargeBodyPool(cores, 4 * cores);
  }

  <T> CompletableFuture<T> run(Supplier<CompletableFuture<T>> work) {
    try {
      return CompletableFuture.supplyAsync(work, pool).thenCompose(f -> f);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new ApiException(ErrorCause.QUEUE_FULL, "too many large requests at once ("
          + threads + " being read, " + queue + " waiting); retry later, or send fewer or shorter texts per request"));
    }
  }

  @Override
  public void close() {
    pool.shutdown();
  }
}
