package dev.intentinference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Interval and percentile arithmetic on a scenario computed by hand (after HdrHistogram's own
 * tests): a closed loop at 1,000 requests/s of 1 ms each for 10 s, then a 5 s stall, then the
 * stalled request's 5 s latency. Time is synthetic: nothing sleeps and nothing is timed.
 */
class RunRecorderTest {
  static final long MS = 1_000_000L;
  static final long S = 1_000_000_000L;

  @Test
  void intervalsAndTotalsMatchTheHandComputedStallScenario() {
    RunRecorder r = new RunRecorder(7, 1000, 0);
    List<Interval> rows = new ArrayList<>();
    long now = 0;
    for (int sec = 1; sec <= 10; sec++) {
      for (int i = 0; i < 1000; i++) {
        r.recordSuccess(1 * MS);
      }
      now = sec * S;
      rows.add(r.tick(now, sec == 1)); // the first second is warm-up
    }
    for (int sec = 11; sec <= 15; sec++) {
      now = sec * S;
      rows.add(r.tick(now, false)); // the stall: nothing completes
    }
    r.recordSuccess(5 * S);
    r.recordFailure("http 503");
    r.recordFailure("http 503");
    r.recordFailure("timeout");
    rows.add(r.tick(16 * S, false));

    // Rows 1..10: 1,000 more each, 1,000/s, window p50 = p90 = 1 ms.
    for (int i = 0; i < 10; i++) {
      IntervalRow row = rows.get(i).row();
      assertThat(row.pid()).isEqualTo(7);
      assertThat(row.count()).as("row %d count", i + 1).isEqualTo(1000L * (i + 1));
      assertThat(row.throughput()).as("row %d throughput, expected 1000/s", i + 1).isCloseTo(1000.0, within(1e-9));
      assertThat(row.p50()).isCloseTo(0.001, within(1e-12));
      assertThat(row.p90()).isCloseTo(0.001, within(1e-12));
      assertThat(rows.get(i).latency().p99()).as("interval p99 within HdrHistogram's 0.1%").isCloseTo(0.001, within(1e-6));
    }
    assertThat(rows.get(0).warmup()).isTrue();
    // Rows 11..15 (the stall): throughput 0, yet the reference's sliding window still says
    // p90 = 1 ms, while the interval histogram is honestly empty.
    for (int i = 10; i < 15; i++) {
      assertThat(rows.get(i).row().throughput()).isZero();
      assertThat(rows.get(i).row().count()).isEqualTo(10_000);
      assertThat(rows.get(i).row().p90()).as("the window hides the stall").isCloseTo(0.001, within(1e-12));
      assertThat(rows.get(i).latency().count()).isZero();
    }
    // Row 16: one success; window = 999 x 1 ms + 5 s: p50 and p90 still 1 ms (rank 899.1 of 999).
    Interval last = rows.get(15);
    assertThat(last.row().count()).isEqualTo(10_001);
    assertThat(last.row().throughput()).isCloseTo(1.0, within(1e-9));
    assertThat(last.row().p90()).isCloseTo(0.001, within(1e-12));
    assertThat(last.latency().max()).as("the stalled request, 5 s within 0.1%").isCloseTo(5.0, within(0.005));
    assertThat(last.failed()).isEqualTo(3);

    // Totals exclude warm-up (first 1,000) and failures: 9,000 x 1 ms + 1 x 5 s.
    Histogram total = r.total();
    assertThat(total.getTotalCount()).isEqualTo(9001);
    LatencySummary s = LatencySummary.of(total);
    assertThat(s.p50()).isCloseTo(0.001, within(1e-6));
    assertThat(s.p99()).isCloseTo(0.001, within(1e-6));
    // 99.99th percentile: rank ceil(0.9999 * 9001) = 9001 -> the stall itself.
    assertThat(total.getValueAtPercentile(99.99) / 1e9).isCloseTo(5.0, within(0.005));
    assertThat(s.max()).isCloseTo(5.0, within(0.005));
    // Mean: (9 s + 5 s) / 9001 = 1.5554 ms.
    assertThat(s.mean()).as("mean, expected 14/9001 s").isCloseTo(14.0 / 9001, within(14.0 / 9001 * 0.001));
    // Measured throughput: 9,001 successes over the 15 non-warm-up seconds.
    assertThat(r.measuredThroughput()).isCloseTo(9001 / 15.0, within(1e-9));
    assertThat(r.errors()).isEqualTo(Map.of("http 503", 2L, "timeout", 1L));
    assertThat(r.failed()).isEqualTo(3);
  }

  @Test
  void failuresDuringTheWarmUpStayOutOfTheMeasuredTotals() {
    RunRecorder r = new RunRecorder(1, 10, 0);
    r.recordFailure("http 503");
    r.recordFailure("http 503");
    r.recordFailure("timeout");
    assertThat(r.tick(S, true).failed()).isEqualTo(3);
    r.recordFailure("http 503");
    r.recordSuccess(MS);
    assertThat(r.tick(2 * S, false).failed()).isEqualTo(1);
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.errors()).isEqualTo(Map.of("http 503", 1L));
    assertThat(r.warmupFailed()).isEqualTo(3);
    assertThat(r.warmupErrors()).isEqualTo(Map.of("http 503", 2L, "timeout", 1L));
  }

  /** A request sent in the warm-up that completes after it (an open loop draining an overload) stays a warm-up request. */
  @Test
  void requestsSentDuringTheWarmUpStayOutWhenTheyCompleteLater() {
    RunRecorder r = new RunRecorder(1, 10, 0);
    r.recordSuccess(MS, S / 2);
    r.tick(S, true);
    r.recordSuccess(900 * MS, S / 2);            // sent at 0.5 s, in the warm-up
    r.recordFailure("http 503", S / 2);
    r.recordSuccess(2 * MS, S + S / 10);         // sent at 1.1 s, measured
    Interval measured = r.tick(2 * S, false);
    assertThat(measured.row().count()).as("the warm-up row's one plus the measured one").isEqualTo(2);
    assertThat(r.measuredCount()).isEqualTo(1);
    assertThat(r.total().getMaxValue()).isLessThan(10 * MS);
    assertThat(r.failed()).isZero();
    assertThat(r.errors()).isEmpty();
    assertThat(r.warmupFailed()).isEqualTo(1);
    assertThat(r.warmupErrors()).isEqualTo(Map.of("http 503", 1L));
  }

  @Test
  void throughputUsesTheMeasuredIntervalNotTheNominalOne() {
    RunRecorder r = new RunRecorder(1, 10, 0);
    for (int i = 0; i < 300; i++) {
      r.recordSuccess(MS);
    }
    // A tick that arrives 0.5 s late: 300 requests in 1.5 s is 200/s, not 300/s.
    assertThat(r.tick(1_500_000_000L, false).row().throughput()).isCloseTo(200.0, within(1e-9));
  }

  @Test
  void drainCountsLateCompletionsInTheTotalsButNotInTheMeasuredTime() {
    RunRecorder r = new RunRecorder(1, 10, 0);
    r.recordSuccess(MS);
    r.tick(S, false);
    r.recordSuccess(3 * MS);
    r.drain();
    assertThat(r.total().getTotalCount()).isEqualTo(2);
    assertThat(r.measuredThroughput()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void windowPercentilesInterpolateLikeNumpy() {
    LatencyWindow w = new LatencyWindow(10);
    for (long v = 1; v <= 10; v++) {
      w.record(v);
    }
    // numpy.percentile([1..10], 50) = 5.5 and (.., 90) = 9.1
    assertThat(w.snapshot().percentile(50)).isCloseTo(5.5, within(1e-12));
    assertThat(w.snapshot().percentile(90)).isCloseTo(9.1, within(1e-12));
    // The window keeps only the latest 10: after 100, the oldest (1) is gone.
    w.record(100);
    assertThat(w.snapshot().nanos()).containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 100);
    assertThat(new LatencyWindow(5).snapshot().percentile(50)).isZero();
  }
}
