package dev.intentinference.train;

import dev.intentinference.train.finetune.FineTuner;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How often a distilled model picks its teacher's best intent, on training texts and on held-out
 * ones, for the manifest's {@code training.teacher.agreement}. Close on the first and lower on the
 * second means the model fits the teacher but does not generalise like it (docs/fine-tuning.md,
 * "Where a distilled model parts from its teacher").
 *
 * <pre>{@code
 * int[] rows = TeacherAgreement.sampleRows(train.size());     // the model scores these training texts
 * Map<String, Object> m = TeacherAgreement.of(lesson, rows, modelOnRows, teacherValidation, modelValidation);
 * }</pre>
 */
final class TeacherAgreement {
  /** Training texts the agreement is measured on, at most: a few seconds of the model's time. */
  static final int AGREEMENT_SAMPLE = 3_000;

  private TeacherAgreement() {}

  /** Training texts the agreement is measured on: all of them, or an even spread of {@value #AGREEMENT_SAMPLE}. */
  static int[] sampleRows(int trainingTexts) {
    int n = Math.min(trainingTexts, AGREEMENT_SAMPLE);
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = (int) ((long) i * trainingTexts / n);
    }
    return rows;
  }

  /**
   * @param teacherTraining the teacher's logits for every training text (its lesson)
   * @param rows the training texts sampled, {@link #sampleRows}
   * @param modelTraining the model's logits for those rows, in order
   * @param teacherValidation the teacher's scores on the in-scope validation texts
   * @param modelValidation the model's, in the same order (empty without validation texts)
   */
  static Map<String, Object> of(float[][] teacherTraining, int[] rows, float[][] modelTraining, float[][] teacherValidation,
      float[][] modelValidation) {
    float[][] teacherOnRows = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      teacherOnRows[i] = teacherTraining[rows[i]];
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("training", fourDecimals(sameBest(teacherOnRows, modelTraining)));
    m.put("training_texts", rows.length);
    if (modelValidation.length > 0) {
      m.put("validation", fourDecimals(sameBest(teacherValidation, modelValidation)));
    }
    m.put("validation_texts", modelValidation.length);
    return m;
  }

  /** Share of rows where {@code a} and {@code b} have their highest score in the same column. */
  static double sameBest(float[][] a, float[][] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(a.length + " rows against " + b.length);
    }
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      if (FineTuner.argMax(a[i]) == FineTuner.argMax(b[i])) {
        same++;
      }
    }
    return a.length == 0 ? Double.NaN : (double) same / a.length;
  }

  /** The gaps that matter here are tenths of a point; {@link IntentTrainer#round} keeps three decimals. */
  private static double fourDecimals(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
