package dev.intentinference.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.intentinference.core.model.ThresholdInfo;
import org.junit.jupiter.api.Test;

class ThresholdSelectorTest {
  @Test
  void maximisesValidationAccuracyBetweenNeighbouringScores() {
    // in-scope: 0.9, 0.8 and 0.7 correct, 0.3 wrong; out of scope: 0.2, 0.4, 0.75.
    // Thresholds in (0.4, 0.7] reject 0.2, 0.3, 0.4: 3 in-scope right + 2 oos rejected = 5 of 7.
    // Rejecting 0.75 as well would cost the 0.7 in-scope query: still 5, so the lower one wins.
    ThresholdInfo t = ThresholdSelector.choose(
        new double[] {0.9, 0.8, 0.7, 0.3}, new boolean[] {true, true, true, false},
        new double[] {0.2, 0.4, 0.75}, "val");
    assertThat(t.value()).isCloseTo((0.4 + 0.7) / 2, within(1e-12));
    assertThat(t.method()).startsWith("val: maximum validation accuracy").contains("5/7");
    assertThat(t.note()).isNull();
  }

  @Test
  void withoutOutOfScopeDataRejectsLittleAndSaysSo() {
    double[] scores = new double[200];
    boolean[] correct = new boolean[200];
    for (int i = 0; i < 200; i++) {
      scores[i] = (i + 1) / 200.0;
      correct[i] = true;
    }
    ThresholdInfo t = ThresholdSelector.choose(scores, correct, new double[0], "held-out");
    // 1% of 200 correct queries = 2 rejected: halfway between the 2nd and 3rd lowest scores.
    assertThat(t.value()).isCloseTo((2 / 200.0 + 3 / 200.0) / 2, within(1e-12));
    assertThat(t.note()).contains("no out-of-scope examples").contains("conservative");
  }

  @Test
  void withFewCorrectQueriesTheThresholdSitsBetweenScoresNotOnTheLowestCorrectOne() {
    // 3 correct in-scope queries (0.6, 0.8, 0.9) and a wrong one at 0.4: under 100 correct, so no
    // correct query is rejected; the wrong one still is, and a rounding error on 0.6 changes nothing.
    ThresholdInfo t = ThresholdSelector.choose(
        new double[] {0.9, 0.4, 0.6, 0.8}, new boolean[] {true, false, true, true}, new double[0], "held-out");
    assertThat(t.value()).isCloseTo(0.5, within(1e-12));
    ThresholdInfo alone = ThresholdSelector.choose(
        new double[] {0.7, 0.9}, new boolean[] {true, true}, new double[0], "held-out");
    assertThat(alone.value()).isCloseTo(0.35, within(1e-12));
  }
}
