package dev.intentinference.train;

import dev.intentinference.core.model.ClassifierHead;
import dev.intentinference.core.model.ModelManifest;
import java.nio.file.Path;

/**
 * What a training run produced and how long its parts took (wall time, seconds).
 *
 * @param directory the model directory written
 * @param manifest its manifest
 * @param head the head as written (temperature folded in)
 * @param validation scores on the validation data with the chosen threshold
 * @param embeddedTexts texts embedded (per encoder)
 * @param embeddingSeconds wall time spent embedding, all encoders
 * @param headSeconds wall time spent training the head and choosing temperature and threshold
 * @param totalSeconds wall time of the whole run, reading data and writing the model included
 */
public record TrainingResult(
    Path directory,
    ModelManifest manifest,
    ClassifierHead head,
    EvalReport validation,
    int embeddedTexts,
    double embeddingSeconds,
    double headSeconds,
    double totalSeconds) {

  /** Embedding throughput in texts per second (each text counted once per encoder run). */
  public double textsPerSecond() {
    return embeddingSeconds == 0 ? 0 : embeddedTexts * (double) manifest.encoders().size() / embeddingSeconds;
  }
}
