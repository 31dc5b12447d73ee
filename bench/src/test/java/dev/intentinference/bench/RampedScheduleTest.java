package dev.intentinference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The warm-up ramp's send times, computed; nothing is timed. */
class RampedScheduleTest {
  private static final long SECOND = 1_000_000_000L;

  /** Sends due strictly before {@code t}. */
  private static long sendsBefore(ArrivalSchedule s, long t) {
    long n = 0;
    while (s.sendTimeNanos(n) < t) {
      n++;
    }
    return n;
  }

  @Test
  void theRateClimbsLinearlyThenTheBaseScheduleGoesOnHalfTheRampLate() {
    ArrivalSchedule base = new ConstantSchedule(1000);
    RampedSchedule s = new RampedSchedule(base, 10 * SECOND);
    // A linear climb from 0 to 1000/s over 10 s offers 1000 * t^2 / 20 sends by time t.
    assertThat(sendsBefore(s, 2 * SECOND)).isCloseTo(200, within(1L));
    assertThat(sendsBefore(s, 5 * SECOND)).isCloseTo(1_250, within(1L));
    assertThat(sendsBefore(s, 10 * SECOND)).as("half of what 10 s at full rate offers").isCloseTo(5_000, within(1L));
    // Sends per second during the ramp grow with time: the ninth second has 17x the first's.
    long first = sendsBefore(s, SECOND);
    long ninth = sendsBefore(s, 9 * SECOND) - sendsBefore(s, 8 * SECOND);
    assertThat(first).isCloseTo(50, within(1L));
    assertThat(ninth).isCloseTo(850, within(1L));
    for (long n = 5_000; n < 20_000; n++) {
      assertThat(s.sendTimeNanos(n)).as("send %d", n).isEqualTo(base.sendTimeNanos(n) + 5 * SECOND);
    }
    long previous = -1;
    for (long n = 0; n < 20_000; n++) {
      long t = s.sendTimeNanos(n);
      assertThat(t).as("send %d", n).isGreaterThanOrEqualTo(previous);
      previous = t;
    }
    assertThat(s.ratePerSecond()).isEqualTo(1000);
  }

  @Test
  void anyScheduleCanBeRampedAndNoRampChangesNothing() {
    PoissonSchedule base = new PoissonSchedule(500, 42);
    PoissonSchedule same = new PoissonSchedule(500, 42);
    RampedSchedule ramped = new RampedSchedule(new PoissonSchedule(500, 42), 4 * SECOND);
    RampedSchedule none = new RampedSchedule(new PoissonSchedule(500, 42), 0);
    long previous = -1;
    for (long n = 0; n < 10_000; n++) {
      long b = base.sendTimeNanos(n);
      assertThat(none.sendTimeNanos(n)).isEqualTo(same.sendTimeNanos(n)).isEqualTo(b);
      long t = ramped.sendTimeNanos(n);
      assertThat(t).as("send %d", n).isGreaterThanOrEqualTo(previous).isGreaterThanOrEqualTo(b);
      if (b >= 2 * SECOND) {
        assertThat(t).isEqualTo(b + 2 * SECOND);
      }
      previous = t;
    }
    assertThatThrownBy(() -> new RampedSchedule(new ConstantSchedule(1), -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ramp");
  }
}
