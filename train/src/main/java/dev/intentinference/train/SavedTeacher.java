package dev.intentinference.train;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.model.ThresholdInfo;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.train.finetune.FineTuner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A teacher trained before ({@code --teacher DIR}, a model directory or artifact with the data's
 * labels in the same order) teaching again: its log-probabilities on the training texts stand for
 * its logits (they differ by a constant per text, which softmax ignores at any temperature), so a
 * slow teacher is trained once and distilled into many models.
 *
 * <pre>{@code
 * TeacherLesson lesson = SavedTeacher.lesson(Path.of("t-b77"), data, texts, fineTuning);
 * }</pre>
 */
final class SavedTeacher {
  /** Texts per scoring batch. */
  private static final int BATCH = 64;

  private SavedTeacher() {}

  static TeacherLesson lesson(Path dir, TrainingData data, TrainingTexts texts, FineTuning fineTuning) {
    long start = System.nanoTime();
    LoadOptions load = new LoadOptions(new SessionSettings(fineTuning.threads(), 1, true), LoadOptions.DEFAULT_TOP_K, false);
    try (IntentScorer scorer = ModelLoader.openScorer(dir, load)) {
      if (!scorer.manifest().labels().equals(data.labels())) {
        throw new IntentException("--teacher " + dir + ": its labels differ from the data's ("
            + scorer.manifest().labels().size() + " vs " + data.labels().size() + " labels, or another order; "
            + "an explicit oos class counts as a label, see --oos-class)");
      }
      float[][] logits = scorer.scoreAll(texts.modelTrain(), BATCH);
      float[][] validation = scorer.scoreAll(texts.validationKnown(), BATCH);
      ThresholdInfo rule = scorer.manifest().threshold();
      TeacherLesson.Kept kept = rule == null ? null
          : new TeacherLesson.Kept(dir.toString(), rule, allValidation(scorer, data, validation));
      for (float[] row : logits) {
        for (int j = 0; j < row.length; j++) {
          row[j] = (float) Math.log(Math.max(row[j], 1e-12f));
        }
      }
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("model", dir.toString());
      record.put("name", scorer.manifest().name());
      record.put("version", scorer.manifest().version());
      record.put("validation", scorer.manifest().metrics() == null ? null : scorer.manifest().metrics().get("validation"));
      record.put("seconds", IntentTrainer.round((System.nanoTime() - start) / 1e9));
      return new TeacherLesson(new FineTuner.Distillation(logits, fineTuning.distillTemperature(), fineTuning.distillWeight(),
          texts.labelled()), record, validation, kept);
    }
  }

  /**
   * The teacher's probabilities on every validation query, in order: the in-scope ones already
   * scored ({@code known}), the others scored here.
   */
  private static List<float[]> allValidation(IntentScorer scorer, TrainingData data, float[][] known) {
    Map<String, Integer> index = TrainingTexts.labelIndex(data);
    List<String> rest = new ArrayList<>();
    for (LabeledText v : data.validation()) {
      if (!TrainingTexts.isKnown(v, index)) {
        rest.add(v.text());
      }
    }
    float[][] others = scorer.scoreAll(rest, BATCH);
    List<float[]> all = new ArrayList<>(data.validation().size());
    int k = 0;
    int o = 0;
    for (LabeledText v : data.validation()) {
      all.add(TrainingTexts.isKnown(v, index) ? known[k++] : others[o++]);
    }
    return all;
  }
}
