package dev.intentinference.compiler;

import dev.intentinference.core.IntentException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How int8 compiles smooth activations before quantizing ({@link ActivationSmoothing}): how much
 * of each activation's channel spread moves into the weights, and which texts measure it.
 * Validated when built; every error names the option.
 *
 * <pre>{@code
 * CompileOptions o = CompileOptions.defaults().withPrecision(Precision.INT8)
 *     .withSmoothing(SmoothingOptions.of(Path.of("data_full.json")));   // alpha 0.75, the train split
 * }</pre>
 *
 * @param alpha share of the spread moved into the weights, in (0, 1]
 * @param data labeled file whose texts are run through the float graph (CLINC150 JSON uses
 *     {@code split}; labels are not used), or null for the built-in verification sentences
 * @param split CLINC150 split of {@code data}, e.g. {@code train}
 * @param limit at most this many texts, spread over the file (1..100000)
 */
public record SmoothingOptions(double alpha, Path data, String split, int limit) {
  /**
   * Chosen on CLINC150 validation for two fine-tuned models (docs/perf.md, "Sixteenth
   * session"): 0.5, the usual choice for large language models, more than doubled the int8
   * disagreements here.
   */
  public static final double DEFAULT_ALPHA = 0.75;

  public SmoothingOptions {
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IntentException("--int8-smooth: must be in (0, 1] (0 turns smoothing off on the command line), was " + alpha);
    }
    if (split == null || split.isBlank()) {
      throw new IntentException("--smooth-split: must not be empty");
    }
    if (limit < 1 || limit > 100_000) {
      throw new IntentException("--smooth-limit: must be in 1..100000, was " + limit);
    }
  }

  /** The default alpha on the built-in verification sentences: what an int8 compile does unless told otherwise. */
  public static SmoothingOptions builtIn() {
    return new SmoothingOptions(DEFAULT_ALPHA, null, CalibrationOptions.DEFAULT_SPLIT, CalibrationOptions.DEFAULT_LIMIT);
  }

  /** The default alpha on {@code data} (its train split for CLINC150 JSON), at most 512 texts. */
  public static SmoothingOptions of(Path data) {
    return new SmoothingOptions(DEFAULT_ALPHA, data, CalibrationOptions.DEFAULT_SPLIT, CalibrationOptions.DEFAULT_LIMIT);
  }

  public SmoothingOptions withAlpha(double a) {
    return new SmoothingOptions(a, data, split, limit);
  }

  Map<String, Object> toManifest() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("alpha", alpha);
    m.put("data", data == null ? "built-in" : data.getFileName().toString());
    if (data != null) {
      m.put("split", split);
      m.put("limit", limit);
    }
    return m;
  }
}
