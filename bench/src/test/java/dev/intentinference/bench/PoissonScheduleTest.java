package dev.intentinference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PoissonScheduleTest {
  @Test
  void gapsAreExponentialWithMeanOneOverRate() {
    PoissonSchedule s = new PoissonSchedule(500, 42);
    int n = 200_000;
    double sum = 0;
    double sumSq = 0;
    long overMean = 0;
    for (int i = 0; i < n; i++) {
      double g = s.nextGapNanos();
      assertThat(g).isGreaterThanOrEqualTo(0);
      sum += g;
      sumSq += g * g;
      overMean += g > 2_000_000 ? 1 : 0;
    }
    double mean = sum / n;
    double sd = Math.sqrt(sumSq / n - mean * mean);
    // Mean 2 ms; the standard error with 200,000 gaps is 0.22%, so 1% is a wide margin.
    assertThat(mean).as("mean gap, expected 2,000,000 ns +- 1%").isCloseTo(2_000_000, within(20_000.0));
    // An exponential's standard deviation equals its mean...
    assertThat(sd / mean).as("coefficient of variation, expected 1").isCloseTo(1.0, within(0.02));
    // ...and P(gap > mean) = e^-1 = 0.3679.
    assertThat(overMean / (double) n).isCloseTo(Math.exp(-1), within(0.005));
  }

  @Test
  void sameSeedSameScheduleOtherSeedOther() {
    PoissonSchedule a = new PoissonSchedule(100, 7);
    PoissonSchedule b = new PoissonSchedule(100, 7);
    PoissonSchedule c = new PoissonSchedule(100, 8);
    boolean differs = false;
    for (int i = 0; i < 100; i++) {
      long ga = a.nextGapNanos();
      assertThat(b.nextGapNanos()).isEqualTo(ga);
      differs |= c.nextGapNanos() != ga;
    }
    assertThat(differs).isTrue();
  }

  @Test
  void sendTimesAreTheRunningSumOfTheGapsAskedInOrder() {
    PoissonSchedule gaps = new PoissonSchedule(300, 5);
    PoissonSchedule times = new PoissonSchedule(300, 5);
    long sum = 0;
    for (int n = 0; n < 1000; n++) {
      sum += gaps.nextGapNanos();
      assertThat(times.sendTimeNanos(n)).isEqualTo(sum);
    }
    assertThat(times.ratePerSecond()).isEqualTo(300.0);
    assertThatThrownBy(() -> times.sendTimeNanos(5)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("asked for send 5, next is 1000");
  }

  @Test
  void rejectsRatesOutsideTheRange() {
    assertThatThrownBy(() -> new PoissonSchedule(0, 1)).hasMessageContaining("rate must be in (0, 10000000]");
    assertThatThrownBy(() -> new PoissonSchedule(Double.NaN, 1)).hasMessageContaining("was NaN");
  }
}
