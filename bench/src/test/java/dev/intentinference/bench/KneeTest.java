package dev.intentinference.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KneeTest {
  static StepResult step(Integer c, Double rate, double throughput) {
    return new StepResult("x", c, rate, 1, 0, throughput, new LatencySummary(1, 0, 0, 0, 0, 0, 0, 0), Map.of(), 0, 1, 0, Map.of(), 0);
  }

  @Test
  void concurrencyKneeIsTheFirstStepWithinTenPercentOfTheBest() {
    // Best 316; 90% of it is 284.4: concurrency 4 (300, index 2) is the first to reach it.
    assertThat(Knee.of(List.of(step(1, null, 100), step(2, null, 200), step(4, null, 300), step(8, null, 315), step(16, null, 316))))
        .isEqualTo(2);
    // Still growing at the end: the knee is the last step.
    assertThat(Knee.of(List.of(step(1, null, 100), step(2, null, 190)))).isEqualTo(1);
    // A flat step in the middle (63 -> 65) does not end the curve: 90% of 82 is 73.8.
    assertThat(Knee.of(List.of(step(1, null, 63), step(2, null, 65), step(4, null, 82)))).isEqualTo(2);
  }

  @Test
  void rateKneeIsTheLastRateStillMet() {
    assertThat(Knee.of(List.of(step(null, 100.0, 99), step(null, 200.0, 197), step(null, 400.0, 300), step(null, 800.0, 310))))
        .isEqualTo(1);
  }
}
