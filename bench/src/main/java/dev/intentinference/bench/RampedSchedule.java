package dev.intentinference.bench;

/**
 * Another schedule with its rate ramped up linearly from 0 over the first {@code rampNanos}, then
 * unchanged: the open loop's warm-up. At full rate from the first second, a fresh harness JVM
 * (compiling on the cores it shares with the target) falls behind, and the backlog of sends that
 * follows floods the target's queue (thousands of 503s in every soak's warm-up before this). The
 * ramp warms both up at a rate they can take.
 *
 * <p>It warps time, so it works for any schedule: the base schedule's clock runs at {@code t / R}
 * of real time during the ramp. Base time {@code b} is reached at real time {@code sqrt(2 R b)}
 * while {@code b < R / 2}, and at {@code b + R / 2} after: the ramp offers half the sends a full
 * rate would, and every later send comes exactly {@code R / 2} late relative to the base schedule.
 *
 * <pre>{@code
 * ArrivalSchedule s = new RampedSchedule(new ConstantSchedule(1000), 10_000_000_000L);  // 10 s ramp
 * s.sendTimeNanos(5_000);   // 10 s: the ramp's 5,000 sends are done
 * s.sendTimeNanos(6_000);   // 11 s
 * }</pre>
 *
 * @param base the schedule at full rate
 * @param rampNanos how long the rate climbs from 0 to the base schedule's, 0 for no ramp
 */
public record RampedSchedule(ArrivalSchedule base, long rampNanos) implements ArrivalSchedule {
  public RampedSchedule {
    if (rampNanos < 0) {
      throw new IllegalArgumentException("ramp must not be negative, was " + rampNanos + " ns");
    }
  }

  @Override
  public long sendTimeNanos(long n) {
    long b = base.sendTimeNanos(n);
    if (2 * b >= rampNanos) {
      return b + rampNanos / 2;
    }
    return Math.round(Math.sqrt(2.0 * rampNanos * b));
  }

  @Override
  public double ratePerSecond() {
    return base.ratePerSecond();
  }
}
