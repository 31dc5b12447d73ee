package dev.intentinference.server;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * One model's bounded queue of single-text requests and the rule that groups them into batches.
 *
 * <p>{@link #submit} never blocks and never throws: a full queue or a stopped queue gives a future
 * already failed with {@link QueueFullException} or {@link ShuttingDownException}, which is the
 * admission control. Workers call {@link #nextBatch()}: it blocks for the oldest request, adds
 * waiting requests of the same length bucket and model version up to {@link BatchPolicy#maxBatch},
 * and, only when the server is busy, waits out what is left of {@link
 * BatchPolicy#maxQueueDelayMicros} (counted from when the oldest request arrived) for more, as long
 * as no other request waits. A lone request on an idle server runs at once. Requests already past
 * their deadline are dropped with {@link DeadlineExceededException} instead of being run, and
 * {@link #watchDeadlines()} (one thread per queue) fails each request still queued at its deadline,
 * so its client hears at once even while every worker is busy with a long batch.
 *
 * <pre>{@code
 * BatchQueue<Job, Row> q = new BatchQueue<>("clinc150", policy, BatchClock.system(), () -> busy.get() > 0);
 * CompletableFuture<Row> f = q.submit(job, tokens, version, deadlineNanos);
 * BatchQueue.Batch<Job, Row> batch = q.nextBatch(); // in a worker thread
 * }</pre>
 *
 * @param <T> the request payload
 * @param <R> the result of one request
 */
public final class BatchQueue<T, R> {
  /**
   * One waiting request.
   *
   * @param item the payload
   * @param tokens its length in tokens (for length bucketing)
   * @param key only entries with equal keys share a batch (the model version they were tokenized for)
   * @param enqueuedNanos when it was submitted, {@link BatchClock#nanoTime()}
   * @param deadlineNanos when it stops being worth running
   * @param future completed by the worker
   */
  public record Entry<T, R>(T item, int tokens, Object key, long enqueuedNanos, long deadlineNanos, CompletableFuture<R> future) {}

  /**
   * A batch ready to run.
   *
   * @param entries oldest first, all with the same key and length bucket; empty once stopped and drained
   * @param formingStartedNanos when its first request was taken from the queue
   * @param readyNanos when it was handed out; {@code ready - formingStarted} is the batching delay
   */
  public record Batch<T, R>(List<Entry<T, R>> entries, long formingStartedNanos, long readyNanos) {
    public int size() {
      return entries.size();
    }
  }

  private final String model;
  private final BatchPolicy policy;
  private final BatchClock clock;
  private final BooleanSupplier busy;
  private final java.util.function.Predicate<T> abandoned;
  private final long maxDelayNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  // The deadline watcher's own condition: a signal on notEmpty could wake it instead of a worker.
  private final Condition deadlineMoved = lock.newCondition();
  // A linked list: batches are taken from the middle (same length bucket), not only the head.
  private final LinkedList<Entry<T, R>> waiting = new LinkedList<>();
  private boolean stopped;
  // The deadline the watcher sleeps until, or none while the queue was empty: a submit wakes it only
  // when its deadline comes earlier, that is about once per --timeout under steady load.
  private boolean watcherIdle = true;
  private long watcherWakesAt;

  /**
   * @param model the model name, for messages
   * @param busy whether another batch is running now: only then is it worth delaying a batch to fill it
   */
  public BatchQueue(String model, BatchPolicy policy, BatchClock clock, BooleanSupplier busy) {
    this(model, policy, clock, busy, item -> false);
  }

  /**
   * @param abandoned whether nobody waits for an item's answer any more (its client left, or another
   *     text of its request already failed): such items are dropped unrun when their turn comes
   */
  public BatchQueue(String model, BatchPolicy policy, BatchClock clock, BooleanSupplier busy,
      java.util.function.Predicate<T> abandoned) {
    this.model = model;
    this.policy = policy;
    this.clock = clock;
    this.busy = busy;
    this.abandoned = abandoned;
    this.maxDelayNanos = policy.maxQueueDelayMicros() * 1000;
  }

  public BatchClock clock() {
    return clock;
  }

  /** Queues one request; the future fails at once when the queue is full or stopped. */
  public CompletableFuture<R> submit(T item, int tokens, Object key, long deadlineNanos) {
    CompletableFuture<R> future = new CompletableFuture<>();
    lock.lock();
    try {
      if (stopped) {
        future.completeExceptionally(new ShuttingDownException());
      } else if (waiting.size() >= policy.queueCapacity()) {
        future.completeExceptionally(new QueueFullException(model, policy.queueCapacity()));
      } else {
        waiting.addLast(new Entry<>(item, tokens, key, clock.nanoTime(), deadlineNanos, future));
        notEmpty.signal();
        if (watcherIdle || deadlineNanos - watcherWakesAt < 0) {
          watcherIdle = false;
          watcherWakesAt = deadlineNanos;
          deadlineMoved.signal();
        }
      }
    } finally {
      lock.unlock();
    }
    return future;
  }

  /** Requests waiting now. */
  public int depth() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  /** Refuses new requests; those already queued are still handed out by {@link #nextBatch()}. */
  public void stop() {
    lock.lock();
    try {
      stopped = true;
      notEmpty.signalAll();
      deadlineMoved.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses new requests and fails those still queued with {@link ShuttingDownException}: what
   * shutdown does once its grace is over, so their clients get a clear answer. Batches already
   * handed out are not touched.
   *
   * @return how many queued requests were failed
   */
  public int abandon() {
    lock.lock();
    try {
      stopped = true;
      int n = waiting.size();
      for (Entry<T, R> e : waiting) {
        e.future().completeExceptionally(new ShuttingDownException());
      }
      waiting.clear();
      notEmpty.signalAll();
      deadlineMoved.signalAll();
      return n;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next batch, oldest request first; blocks while the queue is empty. Returns an empty list
   * once the queue is stopped and drained.
   */
  public Batch<T, R> nextBatch() throws InterruptedException {
    lock.lock();
    try {
      Entry<T, R> first = null;
      while (first == null) {
        while (waiting.isEmpty()) {
          if (stopped) {
            // Drained: the watcher, asleep until a deadline of texts since taken, ends now.
            deadlineMoved.signalAll();
            long now = clock.nanoTime();
            return new Batch<>(List.of(), now, now);
          }
          notEmpty.await();
        }
        Entry<T, R> head = waiting.removeFirst();
        if (!dropIfStale(head)) {
          first = head;
        }
      }
      long started = clock.nanoTime();
      List<Entry<T, R>> batch = new ArrayList<>(Math.min(policy.maxBatch(), 64));
      batch.add(first);
      int bucket = BatchPolicy.lengthBucket(first.tokens());
      takeCompatible(batch, first.key(), bucket);
      // A lone request on an idle server goes now; otherwise wait for company within the budget, but
      // only while nothing else is queued: waiting while texts of other buckets do would idle a core
      // that could run them.
      if (batch.size() < policy.maxBatch() && maxDelayNanos > 0 && (batch.size() > 1 || busy.getAsBoolean())) {
        long deadline = first.enqueuedNanos() + maxDelayNanos;
        long remaining;
        while (batch.size() < policy.maxBatch() && !stopped && waiting.isEmpty()
            && (remaining = deadline - clock.nanoTime()) > 0) {
          clock.await(notEmpty, remaining);
          takeCompatible(batch, first.key(), bucket);
        }
        if (!waiting.isEmpty()) {
          // Their signal may have woken this worker, which cannot take them: pass it on.
          notEmpty.signal();
        }
      }
      return new Batch<>(batch, started, clock.nanoTime());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Fails each queued request at its deadline (and drops those nobody waits for), until the queue
   * is stopped and drained; run by one thread per queue. Without it a request past its deadline
   * waited for a worker to reach it, which behind a long batch could be seconds.
   */
  public void watchDeadlines() throws InterruptedException {
    lock.lock();
    try {
      while (!(stopped && waiting.isEmpty())) {
        long now = clock.nanoTime();
        boolean any = false;
        long earliest = 0;
        Iterator<Entry<T, R>> it = waiting.iterator();
        while (it.hasNext()) {
          Entry<T, R> e = it.next();
          if (dropIfStale(e, now)) {
            it.remove();
          } else if (!any || e.deadlineNanos() - earliest < 0) {
            any = true;
            earliest = e.deadlineNanos();
          }
        }
        watcherIdle = !any;
        if (any) {
          watcherWakesAt = earliest;
          // One nanosecond past: dropIfStale counts a request as late only after its deadline.
          clock.await(deadlineMoved, earliest - now + 1);
        } else {
          deadlineMoved.await();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void takeCompatible(List<Entry<T, R>> batch, Object key, int bucket) {
    Iterator<Entry<T, R>> it = waiting.iterator();
    while (it.hasNext() && batch.size() < policy.maxBatch()) {
      Entry<T, R> e = it.next();
      if (e.key() == key && BatchPolicy.lengthBucket(e.tokens()) == bucket) {
        it.remove();
        if (!dropIfStale(e)) {
          batch.add(e);
        }
      }
    }
  }

  /** Fails and drops an entry nobody waits for any more, or past its deadline; true when dropped. */
  private boolean dropIfStale(Entry<T, R> e) {
    return dropIfStale(e, clock.nanoTime());
  }

  private boolean dropIfStale(Entry<T, R> e, long now) {
    if (abandoned.test(e.item())) {
      e.future().completeExceptionally(new AbandonedException());
      return true;
    }
    if (now - e.deadlineNanos() > 0) {
      e.future().completeExceptionally(new DeadlineExceededException((now - e.enqueuedNanos()) / 1000));
      return true;
    }
    return false;
  }
}
