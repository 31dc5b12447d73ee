package dev.intentinference.server;

import dev.intentinference.core.text.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One served model: its current version, its batching queue and one worker thread per instance.
 * Swapping the version is one atomic reference write; requests already tokenized for the old
 * version finish on it (batches never mix versions), so a hot reload fails no request.
 *
 * <pre>{@code
 * ModelSlot slot = new ModelSlot("clinc150", firstVersion, config, metrics, BatchClock.system());
 * CompletableFuture<Inference> f = slot.infer(List.of("change my address"), null);
 * }</pre>
 */
final class ModelSlot implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelSlot.class.getName());

  /** One text waiting to run. */
  record Job(String text, TokenizedText tokens, LoadedVersion version) {}

  /**
   * One text's answer.
   *
   * @param headLogits the head's logits, or null when the engine gave probabilities only
   */
  record Row(float[] probabilities, float[] headLogits, boolean truncated) {
    /**
     * The head's logits, or else log-probabilities: the logits of the same softmax up to a
     * per-row constant. Computed on request, since most replies never ask for logits.
     */
    float[] logits() {
      if (headLogits != null) {
        return headLogits;
      }
      float[] log = new float[probabilities.length];
      for (int j = 0; j < log.length; j++) {
        log[j] = (float) Math.log(Math.max(probabilities[j], Float.MIN_NORMAL));
      }
      return log;
    }
  }

  /** A request's answers, in request order, and the version that gave them. */
  record Inference(LoadedVersion version, List<Row> rows) {}

  private final String name;
  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final AtomicReference<LoadedVersion> current;
  private final AtomicInteger busy = new AtomicInteger();
  private final BatchQueue<Job, Row> queue;
  private final List<Thread> workers = new ArrayList<>();

  ModelSlot(String name, LoadedVersion first, ServerConfig config, ServerMetrics metrics, BatchClock clock) {
    this.name = name;
    this.config = config;
    this.metrics = metrics;
    this.current = new AtomicReference<>(first);
    this.queue = new BatchQueue<>(name, config.batch(), clock, () -> busy.get() > 0);
    metrics.queueDepth(name, queue::depth);
    metrics.modelLoaded(name, first.version());
    for (int i = 0; i < config.instances(); i++) {
      int instance = i;
      Thread t = new Thread(() -> work(instance), "intent-" + name + "-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  String name() {
    return name;
  }

  LoadedVersion current() {
    return current.get();
  }

  /** Makes {@code next} the served version; the old one closes after its last request. */
  void swap(LoadedVersion next) {
    LoadedVersion old = current.getAndSet(next);
    metrics.modelLoaded(name, next.version());
    if (old != null) {
      metrics.modelUnloaded(name, old.version());
      old.release();
    }
  }

  /** The current version with a reference taken (retries across a concurrent swap). */
  LoadedVersion acquireCurrent() {
    while (true) {
      LoadedVersion v = current.get();
      if (v.acquire()) {
        return v;
      }
    }
  }

  /**
   * Validates, tokenizes and queues each text; completes when all are answered, or fails with
   * the first {@link ApiException}.
   *
   * @param version the version asked for, or null for the current one
   */
  CompletableFuture<Inference> infer(List<String> texts, String version) {
    if (texts.isEmpty()) {
      throw new ApiException(ErrorCause.BAD_REQUEST, "no texts given");
    }
    if (texts.size() > config.maxBatchRequest()) {
      throw new ApiException(ErrorCause.BATCH_TOO_LARGE, texts.size() + " texts in one request; at most "
          + config.maxBatchRequest() + " allowed (--max-batch-request)");
    }
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i).isBlank()) {
        throw new ApiException(ErrorCause.EMPTY_TEXT, texts.size() == 1 ? "text is empty" : "text " + i + " is empty");
      }
    }
    LoadedVersion v = acquireCurrent();
    try {
      if (version != null && !version.isEmpty() && !version.equals(v.version())) {
        throw new ApiException(ErrorCause.NOT_FOUND, "model '" + name + "' has no version '" + version
            + "' loaded (serving version " + v.version() + ")");
      }
      List<TokenizedText> tokens = new ArrayList<>(texts.size());
      for (int i = 0; i < texts.size(); i++) {
        TokenizedText t = v.tokenizer().encode(texts.get(i));
        if (t.truncated() && !config.truncate()) {
          throw new ApiException(ErrorCause.TEXT_TOO_LONG, (texts.size() == 1 ? "text" : "text " + i)
              + " is longer than the model's maximum of " + v.tokenizer().maxLength() + " tokens (truncation is off)");
        }
        tokens.add(t);
      }
      long deadline = queue.clock().nanoTime() + config.timeout().toNanos();
      List<CompletableFuture<Row>> futures = new ArrayList<>(texts.size());
      for (int i = 0; i < texts.size(); i++) {
        futures.add(queue.submit(new Job(texts.get(i), tokens.get(i), v), tokens.get(i).length(), v, deadline));
      }
      LoadedVersion held = v;
      v = null; // released when the answers are in
      // Completes when every text is answered (or refused), so the version stays open until then.
      return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).handle((ok, failure) -> {
        held.release();
        if (failure != null) {
          throw failure instanceof java.util.concurrent.CompletionException ce ? ce : new java.util.concurrent.CompletionException(failure);
        }
        List<Row> rows = new ArrayList<>(futures.size());
        for (CompletableFuture<Row> f : futures) {
          rows.add(f.join());
        }
        return new Inference(held, rows);
      });
    } finally {
      if (v != null) {
        v.release();
      }
    }
  }

  private void work(int instance) {
    try {
      while (true) {
        BatchQueue.Batch<Job, Row> batch = queue.nextBatch();
        if (batch.size() == 0) {
          return;
        }
        busy.incrementAndGet();
        try {
          run(instance, batch);
        } finally {
          busy.decrementAndGet();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run(int instance, BatchQueue.Batch<Job, Row> batch) {
    List<BatchQueue.Entry<Job, Row>> entries = batch.entries();
    LoadedVersion version = entries.get(0).item().version();
    List<String> texts = new ArrayList<>(entries.size());
    List<TokenizedText> tokens = new ArrayList<>(entries.size());
    for (BatchQueue.Entry<Job, Row> e : entries) {
      texts.add(e.item().text());
      tokens.add(e.item().tokens());
      metrics.queueWait(batch.readyNanos() - e.enqueuedNanos());
    }
    long start = System.nanoTime();
    InferenceEngine.Output out;
    try {
      out = version.engine(instance).run(texts, tokens);
    } catch (RuntimeException ex) {
      LOG.log(Level.WARNING, "inference failed on " + version, ex);
      ApiException failure = new ApiException(ErrorCause.INTERNAL, "inference failed: " + ex.getMessage());
      entries.forEach(e -> e.future().completeExceptionally(failure));
      return;
    }
    metrics.batchRun(entries.size(), batch.readyNanos() - batch.formingStartedNanos(), System.nanoTime() - start);
    for (int i = 0; i < entries.size(); i++) {
      BatchQueue.Entry<Job, Row> e = entries.get(i);
      float[] logits = out.logits() == null ? null : out.logits()[i];
      e.future().complete(new Row(out.probabilities()[i], logits, e.item().tokens().truncated()));
    }
  }

  /** Refuses new requests, answers those queued, then closes the current version. */
  @Override
  public void close() {
    queue.stop();
    for (Thread t : workers) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    LoadedVersion v = current.get();
    metrics.modelUnloaded(name, v.version());
    v.release();
  }
}
