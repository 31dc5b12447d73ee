package dev.intentinference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stability figures on interval counts computed by hand; synthetic time, nothing is timed. */
class StabilityTest {
  static final long S = 1_000_000_000L;
  static final LatencySummary LATENCY = new LatencySummary(1000, 0.011, 0.010, 0.013, 0.014, 0.016, 0.020, 0.030);

  @Test
  void shareWithinFivePercentAndCoefficientOfVariation() {
    RunRecorder r = new RunRecorder(1, 100, 0);
    List<Interval> intervals = new ArrayList<>();
    long now = 0;
    // A warm-up second with 10 requests: left out.
    for (int i = 0; i < 10; i++) {
      r.recordSuccess(1_000_000);
    }
    now += S;
    intervals.add(r.tick(now, true));
    // Ten measured intervals. The seventh tick is 0.25 s late: 125 requests in 1.25 s is 100/s.
    long[] counts = {100, 100, 100, 100, 100, 100, 125, 96, 104, 80, 120};
    long[] nanos = {S, S, S, S, S, S, 1_250_000_000L, S, S, S, S};
    for (int k = 0; k < counts.length; k++) {
      if (k == 5) {
        continue; // keep ten: six at 100/s, one of them the late tick
      }
      for (int i = 0; i < counts[k]; i++) {
        r.recordSuccess(1_000_000);
      }
      now += nanos[k];
      intervals.add(r.tick(now, false));
    }
    Stability s = Stability.of(intervals, LATENCY);
    // Throughputs 100 x6, 96, 104, 80, 120: mean 100; within [95, 105]: eight of ten;
    // variance (16 + 16 + 400 + 400) / 10 = 83.2, so cv = sqrt(83.2) / 100.
    assertThat(s.intervals()).isEqualTo(10);
    assertThat(s.meanThroughput()).isCloseTo(100.0, within(1e-9));
    assertThat(s.within5pct()).isCloseTo(0.8, within(1e-12));
    assertThat(s.cv()).isCloseTo(Math.sqrt(83.2) / 100, within(1e-12));
    assertThat(s.p99OverP50()).isCloseTo(1.6, within(1e-12));
  }

  @Test
  void constantArrivalsAreSteadyWherePoissonArrivalsCannotBe() {
    // Sends per 1-s bucket over 600 s at 70/s, straight from the schedules (no clock).
    int seconds = 600;
    double rate = 70;
    Stability constant = Stability.of(perSecond(new ConstantSchedule(rate), seconds), LATENCY);
    Stability poisson = Stability.of(perSecond(new PoissonSchedule(rate, 42), seconds), LATENCY);
    assertThat(constant.intervals()).isEqualTo(600);
    assertThat(constant.meanThroughput()).isEqualTo(70.0);
    assertThat(constant.within5pct()).isEqualTo(1.0);
    assertThat(constant.cv()).isZero();
    // A Poisson count has sd sqrt(70) = 8.4 per second: cv 1/sqrt(70) = 0.12, and only about a
    // third of the seconds land within 70 +- 3.5.
    assertThat(poisson.cv()).isCloseTo(1 / Math.sqrt(rate), within(0.015));
    assertThat(poisson.within5pct()).isBetween(0.2, 0.5);
  }

  static double[] perSecond(ArrivalSchedule s, int seconds) {
    double[] counts = new double[seconds];
    for (long n = 0; ; n++) {
      long t = s.sendTimeNanos(n);
      if (t >= seconds * S) {
        return counts;
      }
      counts[(int) (t / S)]++;
    }
  }

  @Test
  void nothingMeasuredGivesNoFigure() {
    RunRecorder r = new RunRecorder(1, 100, 0);
    r.recordSuccess(1_000_000);
    List<Interval> warmOnly = List.of(r.tick(S, true));
    assertThat(Stability.of(warmOnly, LATENCY)).as("warm-up only").isNull();
    assertThat(Stability.of(List.of(r.tick(2 * S, false)), LATENCY)).as("nothing succeeded").isNull();
    assertThat(Stability.of(new double[] {5, 5}, new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0)).p99OverP50()).isNaN();
  }
}
