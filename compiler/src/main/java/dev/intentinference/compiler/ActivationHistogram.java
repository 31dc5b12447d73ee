package dev.intentinference.compiler;

/**
 * The distribution of one activation tensor's values over a calibration run: exact minimum and
 * maximum, and a histogram of magnitudes on a logarithmic scale (32 bins per doubling, so a
 * percentile is known to within about 2%), kept separately for negative and positive values.
 * Memory stays constant however many values are added.
 *
 * <pre>{@code
 * ActivationHistogram h = new ActivationHistogram();
 * h.add(values, 0, values.length);
 * ActivationRange r = h.range(99.99);   // clip the outer 0.01% of values
 * }</pre>
 */
final class ActivationHistogram {
  private static final int BINS_PER_OCTAVE = 32;
  private static final int MIN_EXPONENT = -40;
  private static final int MAX_EXPONENT = 40;
  private static final int BINS = (MAX_EXPONENT - MIN_EXPONENT) * BINS_PER_OCTAVE;

  private final long[] negative = new long[BINS];
  private final long[] positive = new long[BINS];
  private long zeros;
  private long count;
  private float min = Float.POSITIVE_INFINITY;
  private float max = Float.NEGATIVE_INFINITY;

  void add(float[] values, int from, int to) {
    for (int i = from; i < to; i++) {
      float v = values[i];
      if (Float.isNaN(v)) {
        continue;
      }
      count++;
      min = Math.min(min, v);
      max = Math.max(max, v);
      if (v > 0) {
        positive[bin(v)]++;
      } else if (v < 0) {
        negative[bin(-v)]++;
      } else {
        zeros++;
      }
    }
  }

  long count() {
    return count;
  }

  /**
   * The range to quantize to: the values between the {@code (100 - percentile) / 2}-th and the
   * {@code (100 + percentile) / 2}-th percentile (the exact minimum and maximum at 100), widened
   * to include zero as uint8 asymmetric quantization needs.
   */
  ActivationRange range(double percentile) {
    if (count == 0) {
      throw new IllegalStateException("no values");
    }
    double[] clipped = clipped(percentile);
    double[] reference = clipped(ActivationRange.OUTLIER_REFERENCE_PERCENTILE);
    double exact = Math.max(0, max) - Math.min(0, min);
    double central = reference[1] - reference[0];
    return new ActivationRange(min, max, (float) clipped[0], (float) clipped[1], central > 0 ? exact / central : 1, count);
  }

  /** {low, high} of the central {@code percentile}% of values, widened to include 0. */
  private double[] clipped(double percentile) {
    double lo = min;
    double hi = max;
    if (percentile < 100) {
      long tail = (long) Math.floor(count * (100 - percentile) / 200);
      lo = Math.max(min, -magnitudeAbove(negative, tail));
      hi = Math.min(max, magnitudeAbove(positive, tail));
    }
    return new double[] {Math.min(0, lo), Math.max(0, hi)};
  }

  /** The smallest magnitude with at most {@code tail} of these values above it (0 when none are). */
  private static double magnitudeAbove(long[] bins, long tail) {
    long seen = 0;
    for (int b = BINS - 1; b >= 0; b--) {
      seen += bins[b];
      if (seen > tail) {
        return upperEdge(b);
      }
    }
    return 0;
  }

  private static int bin(float magnitude) {
    int exponent = Math.getExponent(magnitude);
    if (exponent < MIN_EXPONENT) {
      return 0;
    }
    if (exponent >= MAX_EXPONENT) {
      return BINS - 1;
    }
    double fraction = magnitude / Math.scalb(1.0, exponent); // in [1, 2)
    int sub = (int) (Math.log(fraction) / Math.log(2) * BINS_PER_OCTAVE);
    return (exponent - MIN_EXPONENT) * BINS_PER_OCTAVE + Math.min(BINS_PER_OCTAVE - 1, sub);
  }

  private static double upperEdge(int bin) {
    return Math.pow(2, MIN_EXPONENT + (bin + 1) / (double) BINS_PER_OCTAVE);
  }
}
