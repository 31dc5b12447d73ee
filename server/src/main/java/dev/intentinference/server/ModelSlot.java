package dev.intentinference.server;

import dev.intentinference.core.model.ModelNames;
import dev.intentinference.core.text.TextContent;
import dev.intentinference.core.text.TokenizedText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One served model: its serving version, any other versions still loaded (the one a pin replaced,
 * so {@code /versions/{v}} keeps answering and going back is instant), its batching queue and one
 * worker thread per instance, and a thread that answers 503 to each request still queued at its
 * deadline. Changing the serving version is one atomic reference write; requests
 * already tokenized for the old version finish on it (batches never mix versions), so a hot reload
 * fails no request.
 *
 * <pre>{@code
 * ModelSlot slot = new ModelSlot("clinc150", firstVersion, config, metrics, BatchClock.system());
 * CompletableFuture<Inference> f = slot.infer(List.of("change my address"), null);   // the serving version
 * CompletableFuture<Inference> g = slot.infer(List.of("change my address"), "1");    // version 1, if loaded
 * }</pre>
 */
final class ModelSlot implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelSlot.class.getName());

  /** One text to run; {@code abandoned} is its request's: set, the queue drops the text unrun. */
  record Job(String text, TokenizedText tokens, LoadedVersion version, AtomicBoolean abandoned) {}

  /**
   * One text's answer.
   *
   * @param headLogits the head's logits, or null when the engine gave probabilities only
   * @param escalated whether a cascade's fallback model gave this row
   */
  record Row(float[] probabilities, float[] headLogits, boolean truncated, boolean escalated) {
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
  record Inference(LoadedVersion version, List<Row> rows) {
    /** Indices of the texts cut to the model's maximum length, as "0,3"; null when none was. */
    String truncatedIndices() {
      return indices(false);
    }

    /** Indices of the texts a cascade's fallback model answered, as "0,3"; null when none was. */
    String escalatedIndices() {
      return indices(true);
    }

    private String indices(boolean escalated) {
      StringBuilder b = null;
      for (int i = 0; i < rows.size(); i++) {
        if (escalated ? rows.get(i).escalated() : rows.get(i).truncated()) {
          b = b == null ? new StringBuilder() : b.append(',');
          b.append(i);
        }
      }
      return b == null ? null : b.toString();
    }
  }

  /**
   * The versions a slot holds, replaced as a whole on every change so that readers never lock.
   *
   * @param byName every loaded version by name, the serving one included; the slot holds one
   *     reference on each
   */
  record Versions(LoadedVersion serving, Map<String, LoadedVersion> byName) {
    /** Loaded version names, newest first. */
    List<String> names() {
      return byName.keySet().stream().sorted(ModelRepository.VERSION_ORDER.reversed()).toList();
    }
  }

  private final String name;
  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final AtomicReference<Versions> versions;
  private final AtomicInteger busy = new AtomicInteger();
  private final BatchQueue<Job, Row> queue;
  private final List<Thread> workers = new ArrayList<>();
  private final Thread deadlineWatcher;

  ModelSlot(String name, LoadedVersion first, ServerConfig config, ServerMetrics metrics, BatchClock clock) {
    this.name = name;
    this.config = config;
    this.metrics = metrics;
    this.versions = new AtomicReference<>(new Versions(first, Map.of(first.version(), first)));
    this.queue = new BatchQueue<>(name, config.batch(), clock, () -> busy.get() > 0, job -> job.abandoned().get());
    metrics.queueDepth(name, queue::depth);
    metrics.modelLoaded(name, first.version());
    for (int i = 0; i < config.instances(); i++) {
      int instance = i;
      Thread t = new Thread(() -> work(instance), "intent-" + name + "-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    deadlineWatcher = new Thread(this::watchDeadlines, "intent-" + name + "-deadlines");
    deadlineWatcher.setDaemon(true);
    deadlineWatcher.start();
  }

  private void watchDeadlines() {
    try {
      queue.watchDeadlines();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  String name() {
    return name;
  }

  LoadedVersion current() {
    return versions.get().serving();
  }

  /** The loaded version named {@code version} (serving or not), or null. */
  LoadedVersion loaded(String version) {
    return versions.get().byName().get(version);
  }

  /** Names of the loaded versions, newest first. */
  List<String> loadedVersions() {
    return versions.get().names();
  }

  /**
   * Makes {@code next} (freshly loaded, or one of the loaded versions) the serving version. The
   * version it replaces stays loaded when {@code keepPrevious} (a pin changed: going back stays
   * instant) and otherwise closes after its last request; any other loaded version closes too, so
   * a slot holds at most two.
   */
  synchronized void serve(LoadedVersion next, boolean keepPrevious) {
    Versions old = versions.get();
    LoadedVersion previous = old.serving();
    Map<String, LoadedVersion> byName = new HashMap<>();
    if (keepPrevious && !previous.version().equals(next.version())) {
      byName.put(previous.version(), previous);
    }
    byName.put(next.version(), next);
    versions.set(new Versions(next, Map.copyOf(byName)));
    for (LoadedVersion v : old.byName().values()) {
      if (byName.get(v.version()) != v) {
        if (!byName.containsKey(v.version())) {
          metrics.modelUnloaded(name, v.version());
        }
        v.release();
      }
    }
    metrics.modelLoaded(name, next.version());
  }

  /**
   * The version asked for with a reference taken: the serving one when {@code version} is null
   * or empty, else that loaded version (retries across a concurrent swap).
   *
   * @throws ApiException 400 for an invalid version name, 404 for one not loaded
   */
  LoadedVersion acquire(String version) {
    boolean serving = version == null || version.isEmpty();
    if (!serving && !ModelNames.isValid(version)) {
      throw new ApiException(ErrorCause.INVALID_NAME, ModelNames.problem("version", version));
    }
    while (true) {
      Versions vs = versions.get();
      LoadedVersion v = serving ? vs.serving() : vs.byName().get(version);
      if (v == null) {
        throw new ApiException(ErrorCause.NOT_FOUND, "model '" + name + "' has no version '" + version
            + "' loaded; loaded versions: " + vs.names() + " (serving version " + vs.serving().version() + ")");
      }
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
    return infer(texts, version, new AtomicBoolean());
  }

  /**
   * As {@link #infer(List, String)}; {@code abandoned} set by the caller (its client left) drops
   * the texts still queued, and the first text that fails sets it for the others and fails the
   * request at once, instead of after its other texts ran for nothing.
   */
  CompletableFuture<Inference> infer(List<String> texts, String version, AtomicBoolean abandoned) {
    if (texts.isEmpty()) {
      throw new ApiException(ErrorCause.BAD_REQUEST, "no texts given");
    }
    if (texts.size() > config.maxBatchRequest()) {
      throw new ApiException(ErrorCause.BATCH_TOO_LARGE, texts.size() + " texts in one request; at most "
          + config.maxBatchRequest() + " allowed (--max-batch-request)");
    }
    if (texts.size() > config.batch().queueCapacity()) {
      // It could never be queued whole: a 503 would send the client back to retry for ever, after
      // part of it had been run for nothing.
      throw new ApiException(ErrorCause.BATCH_TOO_LARGE, texts.size() + " texts in one request; at most "
          + config.batch().queueCapacity() + " fit in the model's queue (--queue-capacity)");
    }
    for (int i = 0; i < texts.size(); i++) {
      if (TextContent.isEmpty(texts.get(i))) {
        // Invisible characters alone count as empty too (TextContent); the message stays the one
        // the OpenAPI description shows.
        throw new ApiException(ErrorCause.EMPTY_TEXT, texts.size() == 1 ? "text is empty" : "text " + i + " is empty");
      }
    }
    LoadedVersion v = acquire(version);
    try {
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
        futures.add(queue.submit(new Job(texts.get(i), tokens.get(i), v, abandoned), tokens.get(i).length(), v, deadline));
      }
      LoadedVersion held = v;
      v = null; // released when the answers are in
      if (futures.size() == 1) {
        // The usual request, one text: no allOf tree and no second pass over the futures.
        return futures.get(0).handle((row, failure) -> {
          held.release();
          if (failure != null) {
            throw failure instanceof java.util.concurrent.CompletionException ce ? ce : new java.util.concurrent.CompletionException(failure);
          }
          return new Inference(held, List.of(row));
        });
      }
      // The answer fails with the first text that fails, at once; the version stays open until
      // every text is answered or dropped (a batch may still be running some of them).
      CompletableFuture<Inference> answer = new CompletableFuture<>();
      for (CompletableFuture<Row> f : futures) {
        f.whenComplete((row, failure) -> {
          if (failure != null) {
            abandoned.set(true);
            answer.completeExceptionally(failure instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null
                ? ce.getCause() : failure);
          }
        });
      }
      CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).whenComplete((ok, failure) -> {
        held.release();
        if (failure == null) {
          List<Row> rows = new ArrayList<>(futures.size());
          for (CompletableFuture<Row> f : futures) {
            rows.add(f.join());
          }
          answer.complete(new Inference(held, rows));
        }
      });
      return answer;
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
    int escalated = 0;
    for (int i = 0; i < entries.size(); i++) {
      BatchQueue.Entry<Job, Row> e = entries.get(i);
      float[] logits = out.logits() == null ? null : out.logits()[i];
      escalated += out.escalated(i) ? 1 : 0;
      e.future().complete(new Row(out.probabilities()[i], logits, e.item().tokens().truncated(), out.escalated(i)));
    }
    if (out.escalated() != null) {
      metrics.escalated(name, entries.size(), escalated);
    }
  }

  /** Refuses new requests and fails those queued (503); returns how many were queued. */
  int abandonQueued() {
    return queue.abandon();
  }

  /** Refuses new requests, answers those queued, then closes every loaded version. */
  @Override
  public void close() {
    queue.stop();
    List<Thread> threads = new ArrayList<>(workers);
    threads.add(deadlineWatcher);
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (LoadedVersion v : versions.get().byName().values()) {
      metrics.modelUnloaded(name, v.version());
      v.release();
    }
  }
}
