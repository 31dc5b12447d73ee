package dev.intentinference.train.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How each training row splits its loss between its label and the teacher. */
class DistillationWeightsTest {
  private static final float[][] FOUR_ROWS = new float[4][3];

  @Test
  void labelledRowsMixLabelAndTeacherAndVariantsLearnFromTheTeacherAlone() {
    FineTuner.Distillation d = new FineTuner.Distillation(FOUR_ROWS, 2.0, 0.25, 2);
    FineTuner.RowWeights w = FineTuner.rowWeights(d, new int[] {3, 0, 1, 2});
    assertThat(w.label()).containsExactly(0f, 0.75f, 0.75f, 0f);
    assertThat(w.teacher()).containsExactly(4f, 1f, 1f, 4f);
  }

  @Test
  void withoutVariantsEveryRowIsLabelled() {
    FineTuner.Distillation d = new FineTuner.Distillation(FOUR_ROWS, 1.0, 0.5);
    assertThat(d.labelled()).isEqualTo(4);
    FineTuner.RowWeights w = FineTuner.rowWeights(d, new int[] {0, 1, 2, 3});
    assertThat(w.label()).containsOnly(0.5f);
    assertThat(w.teacher()).containsOnly(0.5f);
  }

  @Test
  void moreLabelledRowsThanRowsIsRefused() {
    assertThatThrownBy(() -> new FineTuner.Distillation(FOUR_ROWS, 2.0, 0.5, 5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labelled");
  }
}
