package dev.intentinference.bench;

/**
 * Evenly spaced sends, exactly {@code 1/rate} apart: send {@code n} is due {@code n * 1e9 / rate}
 * nanoseconds after the start, rounded to the nanosecond. Each time is computed from {@code n},
 * so the rounding never adds up: after a million sends at 70/s the schedule is still within half
 * a nanosecond of {@code n / rate}, where summing gaps rounded to 14,285,714 ns would be 0.29 ms
 * behind. Gives the steady offered load a soak stability check needs.
 *
 * <pre>{@code
 * ConstantSchedule s = new ConstantSchedule(70);
 * s.sendTimeNanos(70);   // 1,000,000,000
 * }</pre>
 *
 * @param ratePerSecond sends per second, in (0, 10,000,000]
 */
public record ConstantSchedule(double ratePerSecond) implements ArrivalSchedule {
  public ConstantSchedule {
    if (!(ratePerSecond > 0) || ratePerSecond > 10_000_000) {
      throw new IllegalArgumentException("rate must be in (0, 10000000] per second, was " + ratePerSecond);
    }
  }

  @Override
  public long sendTimeNanos(long n) {
    return Math.round(n * 1e9 / ratePerSecond);
  }
}
