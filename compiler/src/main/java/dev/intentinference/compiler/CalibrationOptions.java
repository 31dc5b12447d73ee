package dev.intentinference.compiler;

import dev.intentinference.core.IntentException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How {@code intent compile --precision int8 --calibration-data ...} calibrates static int8
 * activations ({@link StaticQuantizer}). Validated when built; every error names the option.
 *
 * <pre>{@code
 * CompileOptions o = CompileOptions.defaults().withPrecision(Precision.INT8)
 *     .withCalibration(CalibrationOptions.of(Path.of("data_full.json")));
 * }</pre>
 *
 * @param data labeled file whose texts are run through the float graph (CLINC150 JSON uses {@code split});
 *     labels are not used
 * @param split CLINC150 split to calibrate on, e.g. {@code train}
 * @param limit at most this many texts, spread over the file (1..100000)
 * @param percentile share of each activation's values its range covers, in [99, 100]; 100 is the
 *     exact minimum and maximum, less clips that share of outliers (half at each end)
 * @param maxOutlierRatio an activation whose exact range is more than this many times the range
 *     of its central 99.99% of values stays dynamically quantized (0 turns the rule off)
 * @param keepDynamic regular expression; MatMul/Gemm nodes whose name it finds keep dynamic
 *     activation quantization whatever calibration shows, or null
 */
public record CalibrationOptions(Path data, String split, int limit, double percentile, double maxOutlierRatio, String keepDynamic) {
  public static final String DEFAULT_SPLIT = "train";
  public static final int DEFAULT_LIMIT = 512;
  public static final double DEFAULT_PERCENTILE = 99.99;
  public static final double DEFAULT_MAX_OUTLIER_RATIO = 8;

  public CalibrationOptions {
    if (data == null) {
      throw new IntentException("--calibration-data: required");
    }
    if (split == null || split.isBlank()) {
      throw new IntentException("--calibration-split: must not be empty");
    }
    if (limit < 1 || limit > 100_000) {
      throw new IntentException("--calibration-limit: must be in 1..100000, was " + limit);
    }
    if (!(percentile >= 99 && percentile <= 100)) {
      throw new IntentException("--calibration-percentile: must be in [99, 100], was " + percentile);
    }
    if (!(maxOutlierRatio == 0 || maxOutlierRatio >= 1)) {
      throw new IntentException("--calibration-max-outlier-ratio: must be 0 (off) or at least 1, was " + maxOutlierRatio);
    }
    if (keepDynamic != null) {
      try {
        java.util.regex.Pattern.compile(keepDynamic);
      } catch (java.util.regex.PatternSyntaxException e) {
        throw new IntentException("--int8-keep-dynamic: '" + keepDynamic + "' is not a valid regular expression: " + e.getDescription());
      }
    }
  }

  /** Calibration on {@code data} with the defaults. */
  public static CalibrationOptions of(Path data) {
    return new CalibrationOptions(data, DEFAULT_SPLIT, DEFAULT_LIMIT, DEFAULT_PERCENTILE, DEFAULT_MAX_OUTLIER_RATIO, null);
  }

  public CalibrationOptions withPercentile(double p) {
    return new CalibrationOptions(data, split, limit, p, maxOutlierRatio, keepDynamic);
  }

  public CalibrationOptions withMaxOutlierRatio(double r) {
    return new CalibrationOptions(data, split, limit, percentile, r, keepDynamic);
  }

  public CalibrationOptions withKeepDynamic(String pattern) {
    return new CalibrationOptions(data, split, limit, percentile, maxOutlierRatio, pattern);
  }

  /** Whether an activation with this range is quantized with constants (else at run time). */
  boolean isStatic(ActivationRange r) {
    return maxOutlierRatio == 0 || r.outlierRatio() <= maxOutlierRatio;
  }

  Map<String, Object> toManifest() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("data", data.getFileName().toString());
    m.put("split", split);
    m.put("limit", limit);
    m.put("percentile", percentile);
    m.put("max_outlier_ratio", maxOutlierRatio);
    if (keepDynamic != null) {
      m.put("keep_dynamic", keepDynamic);
    }
    return m;
  }
}
