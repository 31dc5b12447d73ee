package dev.intentinference.train;

import dev.intentinference.core.model.ThresholdInfo;
import dev.intentinference.train.finetune.FineTuner;
import java.util.List;
import java.util.Map;

/**
 * A teacher's lesson for the model, what the manifest records of the teacher, and its scores on
 * the in-scope validation texts (logits or probabilities: only their order is used).
 *
 * @param kept the teacher as a model of its own (written with {@code --keep-teacher}, or given
 *     with {@code --teacher DIR}), or null
 */
record TeacherLesson(FineTuner.Distillation distillation, Map<String, Object> record, float[][] validationScores,
    Kept kept) {
  /**
   * A teacher that can stand behind the model as its fallback: where it is, its out-of-scope rule
   * and its served probabilities on every validation query.
   */
  record Kept(String location, ThresholdInfo threshold, List<float[]> validationProbabilities) {}
}
