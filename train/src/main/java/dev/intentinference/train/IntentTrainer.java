package dev.intentinference.train;

import ai.onnxruntime.OrtEnvironment;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.BuildInfo;
import dev.intentinference.core.model.ClassifierHead;
import dev.intentinference.core.model.EncoderRef;
import dev.intentinference.core.model.HeadInfo;
import dev.intentinference.core.model.ModelDirectory;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.Softmax;
import dev.intentinference.core.model.ThresholdInfo;
import dev.intentinference.core.onnx.BulkEmbedder;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns labelled utterances into a model directory: reads and checks the data, embeds it with
 * the frozen encoder(s), trains the head with early stopping on validation, folds the
 * temperature into the head, chooses the out-of-scope threshold on validation data only and
 * writes the directory atomically.
 *
 * <pre>{@code
 * TrainingResult r = new IntentTrainer().train(
 *     TrainingOptions.defaults(Path.of("data_full.json"), Path.of("models/clinc150")), TrainingListener.NONE);
 * }</pre>
 */
public final class IntentTrainer {
  /**
   * Supplies loaded encoders. The trainer closes the encoders it gets from {@link #loading} and
   * leaves borrowed ones (e.g. a test's shared encoder) open.
   */
  @FunctionalInterface
  public interface EncoderSource {
    SentenceEncoder get(EncoderSpec spec, SessionSettings settings);
  }

  private final EncoderSource source;
  private final boolean ownsEncoders;

  /** A trainer that loads each encoder from its jar and closes it after embedding. */
  public IntentTrainer() {
    this.source = SentenceEncoder::load;
    this.ownsEncoders = true;
  }

  /** A trainer that borrows already loaded encoders and never closes them. */
  public IntentTrainer(EncoderSource borrowed) {
    this.source = borrowed;
    this.ownsEncoders = false;
  }

  public TrainingResult train(TrainingOptions options, TrainingListener listener) {
    long start = System.nanoTime();
    ModelOutput.requireFree(options.out(), "--out");
    TrainingData data = TrainingData.load(options.data(), options.validation(), options.columns(),
        options.oosClass(), options.holdoutFraction(), options.head().seed());
    List<String> labels = data.labels();
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      index.put(labels.get(i), i);
    }

    // Embed every distinct text once: train and validation texts together.
    List<String> texts = new ArrayList<>();
    Map<String, Integer> row = new HashMap<>();
    for (List<LabeledText> part : List.of(data.train(), data.validation())) {
      for (LabeledText t : part) {
        row.computeIfAbsent(t.text(), k -> {
          texts.add(k);
          return texts.size() - 1;
        });
      }
    }
    long embedStart = System.nanoTime();
    Features features = embed(options, texts, listener, source, ownsEncoders);
    double embedSeconds = (System.nanoTime() - embedStart) / 1e9;

    long headStart = System.nanoTime();
    float[][] x = new float[data.train().size()][];
    int[] y = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      LabeledText t = data.train().get(i);
      x[i] = features.vectors()[row.get(t.text())];
      y[i] = index.get(t.intent());
    }
    // Early stopping looks at validation rows of trained classes; out-of-scope rows (when oos is
    // not a class) only choose the threshold.
    List<LabeledText> valKnown = data.validation().stream().filter(v -> index.containsKey(v.intent())).toList();
    if (valKnown.isEmpty()) {
      throw new dev.intentinference.core.IntentException(
          "validation data has no in-scope examples; give --val with labelled intents");
    }
    float[][] vx = new float[valKnown.size()][];
    int[] vy = new int[vx.length];
    for (int i = 0; i < vx.length; i++) {
      vx[i] = features.vectors()[row.get(valKnown.get(i).text())];
      vy[i] = index.get(valKnown.get(i).intent());
    }
    listener.headStarted(options.head().maxEpochs());
    HeadTrainer.TrainedHead trained =
        new HeadTrainer(options.head(), headThreads(options)).train(x, y, labels.size(), vx, vy, listener::headEpoch);
    ClassifierHead head = Temperature.fold(trained.head(), options.temperature());

    // Threshold on validation only.
    List<float[]> valProbs = new ArrayList<>();
    for (LabeledText v : data.validation()) {
      valProbs.add(Softmax.of(head.logits(features.vectors()[row.get(v.text())])));
    }
    ValidationOutcome outcome = ValidationOutcome.of(data, valProbs, options.version());
    ThresholdInfo threshold = outcome.threshold();
    EvalReport validation = outcome.report();
    double headSeconds = (System.nanoTime() - headStart) / 1e9;
    listener.headFinished(trained.history().size(), headSeconds);

    Map<String, Object> training = new LinkedHashMap<>();
    training.put("mode", "frozen");
    training.putAll(options.head().toMap());
    training.put("head_threads", headThreads(options));
    training.put("temperature", options.temperature());
    training.put("epochs_run", trained.history().size());
    training.put("best_epoch", trained.bestEpoch());
    training.put("oos_class", data.hasOosClass());
    training.put("data", data.sources());
    training.put("data_sha256", data.dataSha256());
    Map<String, Object> sizes = new LinkedHashMap<>();
    sizes.put("train_examples", data.train().size());
    sizes.put("validation_in_scope", valKnown.size() - (data.hasOosClass() ? countOos(valKnown) : 0));
    sizes.put("validation_out_of_scope", countOos(data.validation()));
    sizes.put("labels", labels.size());
    sizes.put("features", head.inputs());
    training.put("sizes", sizes);
    Map<String, Object> timing = new LinkedHashMap<>();
    timing.put("embedded_texts", texts.size());
    timing.put("embedding_seconds", round(embedSeconds));
    timing.put("embedding_texts_per_second", round(texts.size() * options.encoders().size() / embedSeconds));
    timing.put("head_seconds", round(headSeconds));
    training.put("timing", timing);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("validation", validation.summary());

    ModelManifest manifest = new ModelManifest(
        ModelManifest.formatFor(threshold),
        ModelManifest.KIND_MODEL,
        options.name(),
        options.version(),
        labels,
        features.refs(),
        threshold,
        new HeadInfo(ModelDirectory.HEAD_FILE, "safetensors-f32", head.activationNames()),
        training,
        metrics,
        null,
        null,
        BuildInfo.current(options.toolVersion(), null, onnxRuntimeVersion()));
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ModelDirectory.HEAD_FILE, head.toSafeTensors());
    files.put(ModelDirectory.TOKENIZER_FILE, features.tokenizer());
    ModelDirectory.write(options.out(), manifest, files);
    double total = (System.nanoTime() - start) / 1e9;
    return new TrainingResult(options.out(), ModelDirectory.readManifest(options.out()), head, validation,
        texts.size(), embedSeconds, headSeconds, total);
  }

  private record Features(float[][] vectors, List<EncoderRef> refs, byte[] tokenizer) {}

  private static Features embed(TrainingOptions options, List<String> texts, TrainingListener listener,
      EncoderSource source, boolean owns) {
    List<float[][]> parts = new ArrayList<>();
    List<EncoderRef> refs = new ArrayList<>();
    byte[] tokenizer = null;
    for (String id : options.encoders()) {
      EncoderSpec spec = EncoderRegistry.builtIn().get(id);
      byte[] tok = ClasspathResources.readAll(spec.tokenizerResource());
      if (tokenizer == null) {
        tokenizer = tok;
      }
      refs.add(EncoderRef.of(spec, Hashes.sha256(tok)));
      listener.embeddingStarted(id, texts.size());
      long t0 = System.nanoTime();
      SentenceEncoder encoder = source.get(spec, options.session());
      try {
        parts.add(new BulkEmbedder(encoder, options.embedBatchSize()).embed(texts, listener::embedded));
      } finally {
        if (owns) {
          encoder.close();
        }
      }
      listener.embeddingFinished(id, texts.size(), (System.nanoTime() - t0) / 1e9);
    }
    float[][] vectors = parts.get(0);
    if (parts.size() > 1) {
      int width = parts.stream().mapToInt(p -> p[0].length).sum();
      vectors = new float[texts.size()][width];
      for (int i = 0; i < texts.size(); i++) {
        int offset = 0;
        for (float[][] p : parts) {
          System.arraycopy(p[i], 0, vectors[i], offset, p[i].length);
          offset += p[i].length;
        }
      }
    }
    return new Features(vectors, refs, tokenizer);
  }

  /** The head trains with as many threads as the encoder used: both are CPU-bound, never concurrent. */
  private static int headThreads(TrainingOptions options) {
    return Math.min(64, options.session().intraOpThreads());
  }

  static int countOos(List<LabeledText> rows) {
    return (int) rows.stream().filter(LabeledText::isOutOfScope).count();
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  static String onnxRuntimeVersion() {
    try {
      return OrtEnvironment.getEnvironment().getVersion();
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }
}
