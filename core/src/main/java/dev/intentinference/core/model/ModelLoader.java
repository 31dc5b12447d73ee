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
 * cascade artifact opens as its first model; {@link #openWithFallback} opens the model behind it too.
 *
 * <pre>{@code
 * try (IntentPredictor p = ModelLoader.open(Path.of("clinc150-1.intent"), LoadOptions.defaults())) { ... }
 * }</pre>
 */
public final class ModelLoader {
  private ModelLoader() {}

  public static IntentPredictor open(Path path, LoadOptions options) {
    return predictor(openScorer(path, options), options);
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
   * The model at {@code path} and, when it is a cascade artifact ({@link CascadeInfo}), the
   * fallback model packed in it, from one read of the file; each is decoded with its own
   * out-of-scope rule.
   */
  public static OpenedModel openWithFallback(Path path, LoadOptions options) {
    if (!Files.isRegularFile(path)) {
      return new OpenedModel(open(path, options), null);
    }
    IntentArtifact artifact = IntentArtifact.read(path);
    IntentArtifact packed = artifact.fallback(path.toString());
    IntentPredictor first = predictor(openArtifact(artifact, path.toString(), options), options);
    if (packed == null) {
      return new OpenedModel(first, null);
    }
    try {
      return new OpenedModel(first, predictor(openArtifact(packed, path + "!" + CascadeInfo.ENTRY, options), options));
    } catch (RuntimeException e) {
      first.close();
      throw e;
    }
  }

  private static IntentPredictor predictor(IntentScorer scorer, LoadOptions options) {
    return new IntentPredictor(scorer, IntentDecoder.of(scorer.manifest(), options.topK()));
  }

  private static IntentScorer openArtifact(IntentArtifact artifact, String where, LoadOptions options) {
    CpuRequirements.refuseIfUnfit(artifact.manifest(), dev.intentinference.core.onnx.CpuFeatures.current(), where);
    return FusedGraphScorer.open(artifact, ArtifactSessionFactory.create(artifact, options));
  }
}
