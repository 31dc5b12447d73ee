package dev.intentinference.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Requests at a fixed mean rate, whatever the target does: Poisson arrivals (MLPerf's Server
 * scenario) or evenly spaced ones, as the {@link ArrivalSchedule} says. Latency is measured from
 * each request's <em>scheduled</em> send time, so when the target stalls, the requests that
 * should have been sent meanwhile count their full wait: no coordinated omission.
 *
 * <p>One scheduler thread sends; if it falls more than {@link #LATE_NANOS} behind schedule the
 * harness, not the target, is the bottleneck, and {@link #harnessWarning()} says so. How late the
 * sends of the measured part were ({@code send_lag_*} in {@link #harnessStats()}) is part of every
 * latency, since latency counts from the scheduled time: on a machine the harness shares with the
 * target, a p99 lag near the latency p99 says the tail is the harness waiting for a core.
 *
 * <pre>{@code
 * LoadDriver d = new OpenLoop(target, new PoissonSchedule(200, 42), messageCount, recorder);
 * }</pre>
 */
public final class OpenLoop implements LoadDriver {
  /** A send this far behind its scheduled time counts as late. */
  public static final long LATE_NANOS = 1_000_000;
  private static final long HIGHEST_LAG_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final Target target;
  private final ArrivalSchedule schedule;
  private final int messages;
  private final RunRecorder recorder;
  private final double rate;
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong late = new AtomicLong();
  /** Send lags, nanoseconds; written by the scheduler thread, read at warm-up end and at the end. */
  private final Recorder lags = new Recorder(HIGHEST_LAG_NANOS, 2);
  private Histogram measuredLags;
  private volatile long maxLagNanos;
  private volatile long startNanos;
  private volatile long measuringFromNanos;
  private volatile long sentBeforeMeasuring;
  private volatile long lateBeforeMeasuring;
  private volatile long stopNanos;
  private volatile boolean stopped;
  private Thread scheduler;

  /** Poisson arrivals at {@code ratePerSecond}, gaps seeded with {@code seed}. */
  public OpenLoop(Target target, double ratePerSecond, long seed, int messages, RunRecorder recorder) {
    this(target, new PoissonSchedule(ratePerSecond, seed), messages, recorder);
  }

  /** @param messages how many prepared messages the target has; sent round robin */
  public OpenLoop(Target target, ArrivalSchedule schedule, int messages, RunRecorder recorder) {
    this.target = target;
    this.schedule = schedule;
    this.rate = schedule.ratePerSecond();
    this.messages = messages;
    this.recorder = recorder;
  }

  @Override
  public void start() {
    scheduler = new Thread(this::run, "bench-open-loop");
    scheduler.setDaemon(true);
    startNanos = System.nanoTime();
    scheduler.start();
  }

  private void run() {
    long i = 0;
    while (!stopped) {
      long due = startNanos + schedule.sendTimeNanos(i);
      long now;
      while ((now = System.nanoTime()) < due && !stopped) {
        LockSupport.parkNanos(due - now);
      }
      if (stopped) {
        break;
      }
      long lag = now - due;
      if (lag > LATE_NANOS) {
        late.incrementAndGet();
      }
      if (lag > maxLagNanos) {
        maxLagNanos = lag;
      }
      lags.recordValue(Math.min(Math.max(lag, 0), HIGHEST_LAG_NANOS));
      final long scheduled = due;
      inFlight.incrementAndGet();
      sent.incrementAndGet();
      target.send((int) (i++ % messages), false).thenAccept(r -> {
        if (r.ok()) {
          recorder.recordSuccess(System.nanoTime() - scheduled, scheduled);
        } else {
          recorder.recordFailure(r.failure(), scheduled);
        }
        inFlight.decrementAndGet();
      });
    }
    stopNanos = System.nanoTime();
  }

  @Override
  public void stop() {
    stopped = true;
    LockSupport.unpark(scheduler);
  }

  @Override
  public void warmupEnded() {
    lags.getIntervalHistogram(); // the warm-up's lags: the harness's own JIT, not the measured run
    lateBeforeMeasuring = late.get();
    sentBeforeMeasuring = sent.get();
    measuringFromNanos = System.nanoTime();
  }

  @Override
  public long awaitDrained(Duration timeout) throws InterruptedException {
    scheduler.join(TimeUnit.NANOSECONDS.toMillis(timeout.toNanos()) + 1);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    return inFlight.get();
  }

  /**
   * Whether at most 1% of the sends after the warm-up (of all sends when there was none) were
   * late; else the asked rate was not really offered. The warm-up's sends do not count: its ramp
   * and the harness's own JIT make early sends late in every run.
   */
  public boolean keptUp() {
    long s = sent.get() - sentBeforeMeasuring;
    return s == 0 || late.get() - lateBeforeMeasuring <= s / 100;
  }

  /** The lags of the sends since the warm-up ended (of all sends when there was none). */
  private synchronized Histogram measuredLags() {
    Histogram since = lags.getIntervalHistogram();
    if (measuredLags == null) {
      measuredLags = since;
    } else {
      measuredLags.add(since);
    }
    return measuredLags;
  }

  @Override
  public String harnessWarning() {
    if (keptUp()) {
      return null;
    }
    Histogram h = measuredLags();
    return String.format(Locale.ROOT,
        "the harness could not keep up with %.1f requests/s: %d of the %d sends after the warm-up were more than 1 ms late"
            + " (max %.1f ms, p99 %.1f ms); latencies still count from the scheduled times, but the offered rate was lower",
        rate, late.get() - lateBeforeMeasuring, sent.get() - sentBeforeMeasuring, h.getMaxValue() / 1e6,
        h.getValueAtPercentile(99) / 1e6);
  }

  @Override
  public Map<String, Object> harnessStats() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("asked_rate_per_s", rate);
    m.put("sent", sent.get());
    // After the warm-up only: its ramp offers less than the asked rate on purpose.
    long from = measuringFromNanos == 0 ? startNanos : measuringFromNanos;
    double secs = ((stopNanos == 0 ? System.nanoTime() : stopNanos) - from) / 1e9;
    m.put("offered_rate_per_s", secs > 0 ? (sent.get() - sentBeforeMeasuring) / secs : 0);
    m.put("late_sends", late.get() - lateBeforeMeasuring); // after the warm-up, as kept_up judges
    m.put("late_warmup_sends", lateBeforeMeasuring);
    m.put("max_send_lag_ms", maxLagNanos / 1e6); // the whole run's, warm-up included
    m.put("kept_up", keptUp());
    Histogram h = measuredLags();
    m.put("send_lag_p50_ms", h.getValueAtPercentile(50) / 1e6);
    m.put("send_lag_p99_ms", h.getValueAtPercentile(99) / 1e6);
    m.put("send_lag_max_ms", h.getMaxValue() / 1e6);
    return m;
  }
}
