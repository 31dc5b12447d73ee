package dev.intentinference.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When a closed-loop warm-up may end: flat throughput, not a climb that happens to be slow. */
class SteadyWarmupTest {
  @Test
  void aClimbIsNotSteadyItsPlateauIs() {
    // The shape: a fresh harness JVM climbing from 410 to 2,500 inf/s.
    List<Double> climb = List.of(410.0, 700.0, 1100.0, 1500.0, 1900.0, 2200.0, 2400.0);
    for (int n = 1; n <= climb.size(); n++) {
      assertThat(SteadyWarmup.isSteady(climb.subList(0, n))).as("after %d intervals", n).isFalse();
    }
    assertThat(SteadyWarmup.isSteady(List.of(410.0, 1900.0, 2300.0, 2450.0, 2500.0, 2480.0, 2510.0))).isFalse();
    assertThat(SteadyWarmup.isSteady(List.of(410.0, 1900.0, 2300.0, 2450.0, 2500.0, 2480.0, 2510.0, 2490.0, 2470.0, 2500.0)))
        .isTrue();
  }

  @Test
  void windowsThatEachLookFlatButClimbOneAfterAnotherAreNotSteady() {
    // Measured: a fresh harness against a warm server, each 4-s window 5-8% above the one before.
    assertThat(SteadyWarmup.isSteady(List.of(614.0, 665.0, 714.0, 713.0, 753.0, 793.0, 755.0, 775.0))).isFalse();
    assertThat(SteadyWarmup.isSteady(List.of(1260.0, 1300.0, 1250.0, 1300.0, 1290.0, 1310.0, 1250.0, 1300.0))).isTrue();
  }

  @Test
  void aSlowClimbWithinTheToleranceIsStillAClimb() {
    // Every value within ±10% of the mean, but rising 2% per interval.
    assertThat(SteadyWarmup.isSteady(flatThen(2300.0, 2350.0, 2400.0, 2450.0))).isFalse();
    // Noise without a trend is steady; a dip at the end is not a climb.
    assertThat(SteadyWarmup.isSteady(flatThen(2400.0, 2480.0, 2420.0, 2460.0))).isTrue();
    assertThat(SteadyWarmup.isSteady(flatThen(2500.0, 2480.0, 2420.0, 2400.0))).isTrue();
    // A shared machine's swings of a few percent either way are noise, not warm-up; 20% is not.
    assertThat(SteadyWarmup.isSteady(flatThen(2300.0, 2600.0, 2350.0, 2550.0))).isTrue();
    assertThat(SteadyWarmup.isSteady(flatThen(2500.0, 2000.0, 2500.0, 2500.0))).isFalse();
  }

  @Test
  void tooFewIntervalsOrNothingAnsweredIsNotSteady() {
    assertThat(SteadyWarmup.isSteady(List.of())).isFalse();
    assertThat(SteadyWarmup.isSteady(List.of(100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0))).isFalse();
    assertThat(SteadyWarmup.isSteady(List.of(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0))).as("a stalled target").isFalse();
    assertThat(SteadyWarmup.isSteady(List.of(100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0))).isTrue();
  }

  /** A window level with the last four, then the four given: only the last window's shape decides. */
  private static List<Double> flatThen(double a, double b, double c, double d) {
    double mean = (a + b + c + d) / 4;
    return List.of(mean, mean, mean, mean, a, b, c, d);
  }
}
