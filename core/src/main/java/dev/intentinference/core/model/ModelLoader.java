package dev.intentinference.core.model;

import dev.intentinference.core.IntentException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens whatever a user points at: a trained model directory or a compiled {@code .intent}
 * artifact. GPU-targeted artifacts are opened through an {@link ArtifactSessionFactory} so the
 * CUDA/TensorRT wiring can live with the compiler. An artifact whose compile passes need a CPU
 * feature this machine lacks, where the lack could change its answers, is refused
 * ({@link CpuRequirements}); lacks that only cost speed are left to the caller to report. A
 * cascade artifact opens as its first model; {@link #openFallback} opens the model behind it.
 *
 * <pre>{@code
 * try (IntentPredictor p = ModelLoader.open(Path.of("clinc150-1.intent"), LoadOptions.defaults())) { ... }
 * }</pre>
 */
public final class ModelLoader {
  private ModelLoader() {}

  public static IntentPredictor open(Path path, LoadOptions options) {
    IntentScorer scorer = openScorer(path, options);
    return new IntentPredictor(scorer, IntentDecoder.of(scorer.manifest(), options.topK()));
  }

  public static IntentScorer openScorer(Path path, LoadOptions options) {
    if (!Files.exists(path)) {
      throw new IntentException(path + ": no such model (expected a model directory or a .intent file)");
    }
    if (Files.isDirectory(path)) {
      return EmbeddingHeadScorer.open(path, options.session());
    }
    return openArtifact(IntentArtifact.read(path), path.toString(), options);
  }

  /**
   * The fallback model of a cascade artifact ({@link CascadeInfo}), or null when {@code path} is
   * not one. Its answers are decoded with its own out-of-scope rule.
   */
  public static IntentPredictor openFallback(Path path, LoadOptions options) {
    IntentScorer scorer = openFallbackScorer(path, options);
    return scorer == null ? null : new IntentPredictor(scorer, IntentDecoder.of(scorer.manifest(), options.topK()));
  }

  /** The fallback model's scorer of a cascade artifact, or null when {@code path} is not one. */
  public static FusedGraphScorer openFallbackScorer(Path path, LoadOptions options) {
    if (Files.isDirectory(path) || !Files.exists(path)) {
      return null;
    }
    IntentArtifact fallback = IntentArtifact.read(path).fallback(path.toString());
    return fallback == null ? null : openArtifact(fallback, path + "!" + CascadeInfo.ENTRY, options);
  }

  private static FusedGraphScorer openArtifact(IntentArtifact artifact, String where, LoadOptions options) {
    CpuRequirements.refuseIfUnfit(artifact.manifest(), dev.intentinference.core.onnx.CpuFeatures.current(), where);
    return FusedGraphScorer.open(artifact, ArtifactSessionFactory.create(artifact, options));
  }
}
