package dev.intentinference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Send times are exact and do not drift; nothing is timed. */
class ConstantScheduleTest {
  @Test
  void sendsAreEvenlySpacedAndNeverDriftOverAMillionSends() {
    // 70/s: the gap is 1e9 / 70 = 14,285,714.2857 ns, not a whole number of nanoseconds.
    ConstantSchedule s = new ConstantSchedule(70);
    long previous = s.sendTimeNanos(0);
    assertThat(previous).isZero();
    for (long n = 1; n <= 1_000_000; n++) {
      long t = s.sendTimeNanos(n);
      // n * 1e9 / 70 rounded half up, in exact integer arithmetic (it is never a tie).
      assertThat(t).as("send %d", n).isEqualTo((n * 2_000_000_000L + 70) / 140);
      assertThat(t - previous).as("gap before send %d", n).isBetween(14_285_714L, 14_285_715L);
      previous = t;
    }
    // A million sends in: 14,285.714285714 s to the nanosecond. Summing gaps rounded to
    // 14,285,714 ns would have drifted 285,714 ns (0.29 ms) early.
    assertThat(s.sendTimeNanos(1_000_000)).isEqualTo(14_285_714_285_714L);
    assertThat(s.sendTimeNanos(70)).as("70 sends take exactly one second").isEqualTo(1_000_000_000L);
  }

  @Test
  void aWholeGapIsExactAndTheTimeDependsOnlyOnTheIndex() {
    ConstantSchedule s = new ConstantSchedule(1000);
    assertThat(s.sendTimeNanos(1)).isEqualTo(1_000_000);
    assertThat(s.sendTimeNanos(86_400_000L)).as("a day at 1000/s").isEqualTo(86_400_000_000_000L);
    assertThat(s.sendTimeNanos(5)).as("any order, same answer").isEqualTo(5_000_000);
    assertThat(s.ratePerSecond()).isEqualTo(1000.0);
  }

  @Test
  void arrivalsMakeTheirSchedules() {
    assertThat(Arrivals.CONSTANT.schedule(70, 1)).isEqualTo(new ConstantSchedule(70));
    assertThat(Arrivals.POISSON.schedule(70, 1)).isInstanceOf(PoissonSchedule.class);
    assertThat(Arrivals.CONSTANT.id()).isEqualTo("constant");
    assertThat(Arrivals.POISSON.id()).isEqualTo("poisson");
  }

  @Test
  void rejectsRatesOutsideTheRange() {
    assertThatThrownBy(() -> new ConstantSchedule(0)).hasMessageContaining("rate must be in (0, 10000000]");
    assertThatThrownBy(() -> new ConstantSchedule(Double.NaN)).hasMessageContaining("was NaN");
    assertThatThrownBy(() -> new ConstantSchedule(1e8)).hasMessageContaining("rate must be in (0, 10000000]");
  }
}
