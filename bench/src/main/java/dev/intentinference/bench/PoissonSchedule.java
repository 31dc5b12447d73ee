package dev.intentinference.bench;

import java.util.SplittableRandom;

/**
 * Send times of an open-loop run: Poisson arrivals at {@code rate} per second, i.e. independent
 * exponential gaps with mean {@code 1/rate}, from a seeded generator so a run can be repeated
 * exactly.
 *
 * <p>Send times are the running sum of the gaps, so {@link #sendTimeNanos} must be asked in
 * order; the first send is one gap after the start.
 *
 * <pre>{@code
 * PoissonSchedule s = new PoissonSchedule(500, 42);  // 500 requests/s on average
 * long gap = s.nextGapNanos();                       // mean 2,000,000 ns
 * }</pre>
 */
public final class PoissonSchedule implements ArrivalSchedule {
  private final double ratePerSecond;
  private final double meanGapNanos;
  private final SplittableRandom random;
  private long drawn;
  private long elapsedNanos;

  /**
   * @param ratePerSecond mean arrivals per second, in (0, 10,000,000]
   * @param seed seeds the gaps
   */
  public PoissonSchedule(double ratePerSecond, long seed) {
    if (!(ratePerSecond > 0) || ratePerSecond > 10_000_000) {
      throw new IllegalArgumentException("rate must be in (0, 10000000] per second, was " + ratePerSecond);
    }
    this.ratePerSecond = ratePerSecond;
    this.meanGapNanos = 1e9 / ratePerSecond;
    this.random = new SplittableRandom(seed);
  }

  /** The next gap in nanoseconds: {@code -ln(U) * mean} with U uniform in (0, 1]. */
  public long nextGapNanos() {
    double u = 1.0 - random.nextDouble();
    return Math.round(-Math.log(u) * meanGapNanos);
  }

  /**
   * The start plus the first {@code n + 1} gaps.
   *
   * @throws IllegalStateException unless {@code n} is the next send (0, 1, 2, ... in order)
   */
  @Override
  public long sendTimeNanos(long n) {
    if (n != drawn) {
      throw new IllegalStateException("Poisson send times are drawn in order: asked for send " + n + ", next is " + drawn);
    }
    elapsedNanos += nextGapNanos();
    drawn++;
    return elapsedNanos;
  }

  @Override
  public double ratePerSecond() {
    return ratePerSecond;
  }
}
