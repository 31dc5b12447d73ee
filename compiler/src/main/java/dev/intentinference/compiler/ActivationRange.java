package dev.intentinference.compiler;

/**
 * What calibration saw of one activation tensor, and the uint8 asymmetric quantization it
 * implies ({@code q = round(x / scale) + zeroPoint}, clamped to 0..255), as ONNX Runtime's
 * {@code QuantizeLinear} and u8s8 {@code MatMulIntegerToFloat} compute it.
 *
 * <pre>{@code
 * ActivationRange r = new ActivationRange(-3f, 40f, -2.5f, 6f, 5.0, 1_000_000);
 * r.scale();       // (6 + 2.5) / 255
 * r.zeroPoint();   // 75
 * }</pre>
 *
 * @param min smallest value seen
 * @param max largest value seen
 * @param low lower end of the range quantized to (at most 0)
 * @param high upper end of the range quantized to (at least 0)
 * @param outlierRatio how much wider the exact range is than the range of the central 99.99% of
 *     values: near 1 for a well-spread tensor; large when a few outliers stretch it, so that
 *     clipping them or spreading 256 levels over them both cost precision
 * @param values how many values were seen
 */
public record ActivationRange(float min, float max, float low, float high, double outlierRatio, long values) {
  /** The central share of values {@link #outlierRatio} compares the exact range with. */
  public static final double OUTLIER_REFERENCE_PERCENTILE = 99.99;

  /** The float step of one uint8 level. */
  public float scale() {
    float s = (high - low) / 255f;
    return s > 0 ? s : 1f;
  }

  /** The uint8 level that stands for 0, rounded half to even as ONNX Runtime does. */
  public int zeroPoint() {
    return (int) Math.max(0, Math.min(255, Math.rint(-low / scale())));
  }
}
