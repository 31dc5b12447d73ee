package dev.intentinference.bench.report;

import java.util.List;
import java.util.Locale;

/**
 * How much a metric moved during the steady part of a run: the mean of the last quarter of the
 * rows against the mean of the first quarter. A run whose throughput or latency moves by
 * {@link #NOTABLE} or more did not reach a steady state, and a single average hides that.
 *
 * @param first mean of the first quarter of the steady rows
 * @param last mean of the last quarter
 * @param change {@code last / first - 1}
 */
public record Drift(double first, double last, double change) {
  /** A change of 5% or more is called drift. */
  public static final double NOTABLE = 0.05;
  /** Fewer steady rows than this give no drift estimate. */
  public static final int MIN_ROWS = 8;

  /** @return the drift, or {@code null} with fewer than {@link #MIN_ROWS} values */
  public static Drift of(List<Double> values) {
    if (values.size() < MIN_ROWS) {
      return null;
    }
    int q = values.size() / 4;
    double first = Stats.mean(values.subList(0, q));
    double last = Stats.mean(values.subList(values.size() - q, values.size()));
    return new Drift(first, last, first == 0 ? 0 : last / first - 1);
  }

  public boolean notable() {
    return Math.abs(change) >= NOTABLE;
  }

  /** e.g. {@code -10.2% (27.64 -> 24.83)}. */
  public String describe(String format) {
    return String.format(Locale.ROOT, "%+.1f%% (" + format + " -> " + format + ")", change * 100, first, last);
  }
}
