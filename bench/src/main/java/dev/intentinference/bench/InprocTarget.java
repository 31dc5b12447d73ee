package dev.intentinference.bench;

import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.CascadePredictor;
import dev.intentinference.core.model.IntentDecoder;
import dev.intentinference.core.model.IntentPrediction;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.Manifests;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.OpenedModel;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model run inside this JVM with no network: a trained model directory or a compiled
 * {@code .intent} artifact. Requests run on exactly {@link TargetOptions#workers()} threads, each
 * scoring one message at a time with {@link TargetOptions#intraOpThreads()} ONNX Runtime
 * threads, so the thread count is a setting of the run rather than a side effect. With
 * {@link TargetOptions#batch()} above 1 the workers score concurrent messages together instead
 * ({@link InprocBatcher}), as a server's dynamic batching would.
 *
 * <pre>{@code
 * TargetOptions o = TargetOptions.defaults().withWorkers(2).withPadTo(512);
 * try (Target t = new InprocTarget(Path.of("models/clinc150"), o, texts)) { t.probe(); t.send(0, false).join(); }
 * }</pre>
 */
public final class InprocTarget implements Target {
  private final Path path;
  private final TargetOptions options;
  private final List<List<String>> batches;
  private final IntentScorer scorer;
  private final IntentDecoder decoder;
  private final OpenedModel opened;
  private final CascadePredictor cascade;
  private final ExecutorService workers;
  private final InprocBatcher<InprocBatcher.Request<Reply>> batcher;

  public InprocTarget(Path path, TargetOptions options, List<String> messages) {
    this.path = path;
    this.options = options;
    // One singleton list per message, made before the run, so sending allocates no list.
    this.batches = messages.stream().map(List::of).toList();
    LoadOptions load = LoadOptions.defaults().withSession(new SessionSettings(options.intraOpThreads(), 1, true)).withTopK(1);
    // A cascade artifact is measured as it serves: unsure messages also run on its fallback model.
    this.opened = ModelLoader.openWithFallback(path, load);
    this.scorer = opened.first().scorer();
    this.decoder = opened.first().decoder();
    this.cascade = opened.fallback() == null ? null
        : new CascadePredictor(opened.first(), opened.fallback(), opened.cascade().escalateBelow());
    if (options.batch() > 1) {
      this.workers = null;
      this.batcher = new InprocBatcher<>(options.batch(), options.workers(), "bench-inproc-batch", this::scoreBatch);
      return;
    }
    this.batcher = null;
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(options.workers(), r -> {
      Thread t = new Thread(r, "bench-inproc-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  private void scoreBatch(List<InprocBatcher.Request<Reply>> batch) {
    List<String> texts = new ArrayList<>(batch.size());
    for (InprocBatcher.Request<Reply> r : batch) {
      texts.add(batches.get(r.message()).get(0));
    }
    try {
      if (cascade != null) {
        List<IntentPrediction> answers = cascade.predictAll(texts, options.padTo()).predictions();
        for (int i = 0; i < batch.size(); i++) {
          InprocBatcher.Request<Reply> r = batch.get(i);
          r.future().complete(r.decode() ? decoded(answers.get(i)) : Reply.OK);
        }
        return;
      }
      float[][] p = scorer.score(texts, options.padTo()).probabilities();
      for (int i = 0; i < batch.size(); i++) {
        InprocBatcher.Request<Reply> r = batch.get(i);
        r.future().complete(r.decode() ? decoded(p[i]) : Reply.OK);
      }
    } catch (RuntimeException e) {
      Reply failed = failure(e);
      batch.forEach(r -> r.future().complete(failed));
    }
  }

  private Reply decoded(float[] p) {
    return Reply.labeled(decoder.isOutOfScope(p) ? LabeledText.OUT_OF_SCOPE : decoder.labels().get(decoder.bestInScope(p)));
  }

  private static Reply decoded(IntentPrediction p) {
    return Reply.labeled(p.outOfScope() ? LabeledText.OUT_OF_SCOPE : p.intent());
  }

  private static Reply failure(RuntimeException e) {
    return Reply.failed(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
  }

  @Override
  public TargetInfo probe() {
    ModelManifest m = scorer.manifest();
    String platform = "inproc " + m.kind() + (options.padTo() > 0 ? ", padded to " + options.padTo() + " tokens" : "")
        + (options.batch() > 1 ? ", batches of up to " + options.batch() + " on " + options.workers() + " workers" : "")
        + (cascade == null ? "" : ", cascade: " + opened.fallback().manifest().name() + " " + opened.fallback().manifest().version()
            + " answers below " + cascade.escalateBelow());
    return new TargetInfo("inproc:" + path, m.name(), m.version(), Hashes.sha256(Manifests.toJson(m)), platform);
  }

  @Override
  public CompletableFuture<Reply> send(int message, boolean decode) {
    if (batcher != null) {
      CompletableFuture<Reply> f = new CompletableFuture<>();
      batcher.submit(new InprocBatcher.Request<>(message, decode, f));
      return f;
    }
    List<String> batch = batches.get(message);
    return CompletableFuture.supplyAsync(() -> {
      try {
        if (cascade != null) {
          IntentPrediction p = cascade.predictAll(batch, options.padTo()).predictions().get(0);
          return decode ? decoded(p) : Reply.OK;
        }
        float[] p = scorer.score(batch, options.padTo()).probabilities()[0];
        return decode ? decoded(p) : Reply.OK;
      } catch (RuntimeException e) {
        return failure(e);
      }
    }, workers);
  }

  @Override
  public void close() {
    if (batcher != null) {
      batcher.drainOnClose().forEach(r -> r.future().complete(Reply.failed("closed")));
    } else {
      workers.shutdownNow();
    }
    opened.close();
  }

  @Override
  public String toString() {
    return "inproc:" + path;
  }
}
