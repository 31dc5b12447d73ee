package dev.intentinference.bench;

/**
 * When an open loop sends each request, as an offset from the start of the run. Offsets come
 * from the send's index, never from summed rounded gaps, so a schedule does not drift.
 *
 * <pre>{@code
 * ArrivalSchedule s = Arrivals.CONSTANT.schedule(70, 42);
 * long due = start + s.sendTimeNanos(n);   // n = 0, 1, 2, ...
 * }</pre>
 */
public interface ArrivalSchedule {
  /**
   * @param n the send's index, from 0; a random schedule ({@link PoissonSchedule}) must be asked
   *     in order, 0, 1, 2, ...
   * @return nanoseconds from the start of the run to send {@code n}, non-decreasing in {@code n}
   */
  long sendTimeNanos(long n);

  /** Mean sends per second. */
  double ratePerSecond();
}
