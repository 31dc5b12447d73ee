package dev.intentinference.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How the model's agreement with its teacher is counted ({@link TeacherAgreement}). */
class TeacherAgreementTest {
  @Test
  void fewTrainingTextsAreAllMeasured() {
    assertThat(TeacherAgreement.sampleRows(5)).containsExactly(0, 1, 2, 3, 4);
    assertThat(TeacherAgreement.sampleRows(TeacherAgreement.AGREEMENT_SAMPLE)).hasSize(TeacherAgreement.AGREEMENT_SAMPLE);
  }

  /** Data files group texts by intent (CLINC150 does), so a prefix would measure a few intents only. */
  @Test
  void manyTrainingTextsAreSampledEvenlyAcrossTheFile() {
    int texts = 10_003;
    int[] rows = TeacherAgreement.sampleRows(texts);
    assertThat(rows).hasSize(TeacherAgreement.AGREEMENT_SAMPLE).isSorted().doesNotHaveDuplicates();
    assertThat(rows[0]).isZero();
    assertThat(rows[rows.length - 1]).isBetween(texts - 4, texts - 1);
  }

  @Test
  void agreementIsTheShareOfRowsWithTheSameBestColumn() {
    float[][] teacher = {{0.1f, 0.9f}, {0.8f, 0.2f}, {0.3f, 0.7f}, {2f, 1f}};
    float[][] model = {{-1f, 3f}, {5f, 4f}, {0.6f, 0.4f}, {0f, 1f}};
    assertThat(TeacherAgreement.sameBest(teacher, model)).isEqualTo(0.5);
    assertThatThrownBy(() -> TeacherAgreement.sameBest(teacher, new float[3][])).isInstanceOf(IllegalArgumentException.class);
  }
}
