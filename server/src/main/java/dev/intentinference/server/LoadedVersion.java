package dev.intentinference.server;

import dev.intentinference.core.model.CpuRequirements;
import dev.intentinference.core.model.IntentDecoder;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.model.ModelManifest;
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
  private final AtomicInteger refs = new AtomicInteger(1);

  private LoadedVersion(String model, String version, Path source, ModelManifest manifest, List<InferenceEngine> engines,
      TextTokenizer tokenizer, int topK) {
    this.model = model;
    this.version = version;
    this.source = source;
    this.manifest = manifest;
    this.engines = engines;
    this.tokenizer = tokenizer;
    this.decoder = IntentDecoder.of(manifest, topK, version);
  }

  /**
   * Opens {@code instances} engines on the artifact or model directory at {@code source}.
   *
   * @param version the repository's version directory name (what clients ask for)
   */
  static LoadedVersion open(String model, String version, Path source, int instances, SessionSettings session, int topK) {
    List<InferenceEngine> engines = new ArrayList<>(instances);
    try {
      IntentScorer first = null;
      for (int i = 0; i < instances; i++) {
        IntentScorer scorer = ModelLoader.openScorer(source, LoadOptions.defaults().withSession(session));
        if (first == null) {
          first = scorer;
        }
        engines.add(InferenceEngine.of(scorer));
      }
      // Refusals already happened in the loader; what only costs speed is said once per version.
      for (String w : CpuRequirements.warnings(first.manifest(), CpuFeatures.current())) {
        LOG.warning(model + " version " + version + ": " + w);
      }
      return new LoadedVersion(model, version, source, first.manifest(), List.copyOf(engines), first.tokenizer(), topK);
    } catch (RuntimeException e) {
      engines.forEach(InferenceEngine::close);
      throw e;
    }
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
