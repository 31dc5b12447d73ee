package dev.intentinference.server;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.CascadeInfo;
import dev.intentinference.core.model.CpuRequirements;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.IntentDecoder;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.OpenedModel;
import dev.intentinference.core.onnx.CpuFeatures;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.text.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * One version of one model, loaded (hashes verified by core's loader) into {@code instances}
 * engines. Reference-counted: the registry holds one reference while the version is current, and
 * every request holds one from tokenization to answer, so a version swapped out by a hot reload is
 * closed only after its last request is answered.
 *
 * <pre>{@code
 * LoadedVersion v = LoadedVersion.open("clinc150", "2", path, 2, SessionSettings.singleThread(), 3);
 * if (v.acquire()) { try { ... } finally { v.release(); } }
 * }</pre>
 */
final class LoadedVersion {
  private static final Logger LOG = Logger.getLogger(LoadedVersion.class.getName());

  private final String model;
  private final String version;
  private final Path source;
  private final ModelManifest manifest;
  private final List<InferenceEngine> engines;
  private final TextTokenizer tokenizer;
  private final IntentDecoder decoder;
  private final IntentDecoder fallbackDecoder;
  private final AtomicInteger refs = new AtomicInteger(1);

  private LoadedVersion(String model, String version, Path source, ModelManifest manifest, List<InferenceEngine> engines,
      TextTokenizer tokenizer, int topK, ModelManifest fallback) {
    this.model = model;
    this.version = version;
    this.source = source;
    this.manifest = manifest;
    this.engines = engines;
    this.tokenizer = tokenizer;
    this.decoder = IntentDecoder.of(manifest, topK, version);
    this.fallbackDecoder = fallback == null ? null : IntentDecoder.of(fallback.threshold(), manifest.labels(), topK, version);
  }

  /**
   * Opens {@code instances} engines on the artifact or model directory at {@code source}.
   *
   * @param version the repository's version directory name (what clients ask for)
   */
  static LoadedVersion open(String model, String version, Path source, int instances, SessionSettings session, int topK) {
    List<InferenceEngine> engines = new ArrayList<>(instances);
    LoadOptions load = LoadOptions.defaults().withSession(session);
    try {
      IntentScorer first = null;
      ModelManifest fallback = null;
      for (int i = 0; i < instances; i++) {
        OpenedModel opened = ModelLoader.openWithFallback(source, load);
        IntentScorer scorer = opened.first().scorer();
        if (first == null) {
          first = scorer;
        }
        if (opened.fallback() == null) {
          engines.add(InferenceEngine.of(scorer));
          continue;
        }
        IntentScorer second = opened.fallback().scorer();
        int[] order;
        try {
          order = labelOrder(second.manifest().labels(), scorer.manifest().labels());
        } catch (RuntimeException e) {
          opened.close();
          throw e;
        }
        fallback = second.manifest();
        engines.add(new InferenceEngine.Cascade(InferenceEngine.of(scorer), InferenceEngine.of(second), second.tokenizer(),
            sameTokens(scorer.manifest(), fallback), order, opened.cascade().escalateBelow()));
      }
      // Refusals already happened in the loader; what only costs speed is said once per version.
      List<String> warnings = new ArrayList<>(CpuRequirements.warnings(first.manifest(), CpuFeatures.current()));
      if (fallback != null) {
        CpuRequirements.warnings(fallback, CpuFeatures.current()).forEach(w -> warnings.add("fallback model: " + w));
        LOG.info(model + " version " + version + " is a cascade: " + fallback.name() + " version " + fallback.version()
            + " answers the messages whose largest probability is under " + CascadeInfo.of(first.manifest()).escalateBelow());
      }
      for (String w : warnings) {
        LOG.warning(model + " version " + version + ": " + w);
      }
      return new LoadedVersion(model, version, source, first.manifest(), List.copyOf(engines), first.tokenizer(), topK, fallback);
    } catch (RuntimeException e) {
      engines.forEach(InferenceEngine::close);
      throw e;
    }
  }

  /** Both models split text alike: the same tokenizer file and maximum length. */
  private static boolean sameTokens(ModelManifest first, ModelManifest fallback) {
    String a = first.files() == null ? null : first.files().get(IntentArtifact.TOKENIZER_ENTRY);
    String b = fallback.files() == null ? null : fallback.files().get(IntentArtifact.TOKENIZER_ENTRY);
    return a != null && a.equals(b) && first.maxLength() == fallback.maxLength();
  }

  /**
   * For each label of {@code from}, its index in {@code to} (the two hold the same labels); null
   * when the orders are the same, so that rows need no reordering.
   */
  private static int[] labelOrder(List<String> from, List<String> to) {
    if (from.equals(to)) {
      return null;
    }
    int[] order = new int[from.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = to.indexOf(from.get(i));
      if (order[i] < 0 || from.size() != to.size()) {
        throw new IntentException("the cascade's fallback model has intents the first model lacks (" + from.get(i)
            + "): both must be trained on the same intents");
      }
    }
    return order;
  }

  String model() {
    return model;
  }

  String version() {
    return version;
  }

  Path source() {
    return source;
  }

  ModelManifest manifest() {
    return manifest;
  }

  TextTokenizer tokenizer() {
    return tokenizer;
  }

  IntentDecoder decoder() {
    return decoder;
  }

  /** The decoder of a row: the fallback model's out-of-scope rule when the fallback answered it. */
  IntentDecoder decoder(boolean escalated) {
    return escalated && fallbackDecoder != null ? fallbackDecoder : decoder;
  }

  List<String> labels() {
    return manifest.labels();
  }

  InferenceEngine engine(int instance) {
    return engines.get(instance);
  }

  /** Takes a reference; false when the version is already closed (retry with the current one). */
  boolean acquire() {
    while (true) {
      int n = refs.get();
      if (n <= 0) {
        return false;
      }
      if (refs.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one closes the engines. */
  void release() {
    if (refs.decrementAndGet() == 0) {
      engines.forEach(InferenceEngine::close);
    }
  }

  @Override
  public String toString() {
    return model + " version " + version + " (" + source + ")";
  }
}
