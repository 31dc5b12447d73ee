package dev.intentinference.train.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FineTuneConfigTest {
  private final FineTuneConfig withFloor = FineTuneConfig.defaults().withMinSteps(300);

  @Test
  void largeDataRunsTheGivenEpochs() {
    assertThat(withFloor.epochsFor(469)).isEqualTo(3);
  }

  @Test
  void smallDataGetsEnoughEpochsForTheStepFloorButNotEndlessly() {
    assertThat(withFloor.epochsFor(32)).isEqualTo(10);
    assertThat(withFloor.epochsFor(1)).isEqualTo(50);
    assertThat(FineTuneConfig.defaults().epochsFor(1)).as("no floor").isEqualTo(3);
  }

  @Test
  void everyBadValueIsNamedWithItsRange() {
    assertThatThrownBy(() -> FineTuneConfig.defaults().withEpochs(0)).hasMessage("epochs must be in 1..100, was 0");
    assertThatThrownBy(() -> FineTuneConfig.defaults().withLearningRates(0, 1e-3))
        .hasMessage("encoderLearningRate must be in (0, 1.0], was 0.0");
    assertThatThrownBy(() -> FineTuneConfig.defaults().withDropout(0.95)).hasMessage("dropout must be in [0, 0.9], was 0.95");
    assertThatThrownBy(() -> FineTuneConfig.defaults().withMinSteps(-1)).hasMessage("minSteps must be in 0..100000, was -1");
  }
}
