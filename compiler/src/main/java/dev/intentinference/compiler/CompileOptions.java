package dev.intentinference.compiler;

import dev.intentinference.core.IntentException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code intent compile} was asked to do, validated when built. Every error names the
 * option, the value and the accepted range.
 *
 * <pre>{@code
 * CompileOptions o = CompileOptions.defaults().withPrecision(Precision.INT8).withBuckets(List.of(16, 32, 64, 128));
 * }</pre>
 *
 * @param target where the artifact runs
 * @param precision weight precision
 * @param maxLength tokens per text, 2..512, or 0 for the model's own maximum
 * @param buckets ascending sequence-length buckets (each 1..maxLength), empty for dynamic shapes
 * @param minAgreement smallest top-1 agreement with the uncompiled model that is accepted, in [0, 1]
 * @param verifyData labeled file to verify on (CLINC150 JSON uses {@code verifySplit}), or null for
 *     the 200 built-in sentences
 * @param verifySplit CLINC150 split to verify on, e.g. {@code val}
 * @param verifyLimit at most this many verification texts (1..100000)
 * @param weightBits int8 weight bits, 7 or 8 (see {@link DynamicQuantizer})
 * @param keepFloat regular expression; int8 leaves MatMul/Gemm nodes whose name it finds in float
 *     (e.g. {@code layer\.11/}), or null to quantize every one but the fused head
 * @param threads ONNX Runtime intra-op threads for optimization and verification (1..256)
 * @param fuseAttention rewrite each self-attention block into ONNX Runtime's fused
 *     {@code Attention}/{@code QAttention} operator ({@link AttentionFusion}); CPU targets only
 * @param calibration int8 only: calibrate activations on these texts and quantize them with
 *     constants ({@link StaticQuantizer}), or null for dynamic activation quantization
 * @param removePadding run the encoder's per-token nodes on the batch's real tokens only
 *     ({@link PaddingRemoval}); CPU targets only
 * @param smoothing int8 only: move activation outliers into the weights before quantizing
 *     ({@link ActivationSmoothing}), or null to quantize the activations as they are; ignored by
 *     other precisions
 */
public record CompileOptions(
    Target target,
    Precision precision,
    int maxLength,
    List<Integer> buckets,
    double minAgreement,
    Path verifyData,
    String verifySplit,
    int verifyLimit,
    int weightBits,
    String keepFloat,
    int threads,
    boolean fuseAttention,
    CalibrationOptions calibration,
    boolean removePadding,
    SmoothingOptions smoothing) {

  public static final double DEFAULT_MIN_AGREEMENT = 0.99;
  public static final int DEFAULT_VERIFY_LIMIT = 2000;

  public CompileOptions {
    if (target == null) {
      throw new IntentException("--target: required");
    }
    if (precision == null) {
      throw new IntentException("--precision: required");
    }
    if (maxLength != 0 && (maxLength < 2 || maxLength > 512)) {
      throw new IntentException("--max-length: must be in 2..512, was " + maxLength);
    }
    buckets = buckets == null ? List.of() : List.copyOf(buckets);
    for (int i = 0; i < buckets.size(); i++) {
      int b = buckets.get(i);
      if (b < 1 || b > 512) {
        throw new IntentException("--buckets: each bucket must be in 1..512, was " + b);
      }
      if (i > 0 && b <= buckets.get(i - 1)) {
        throw new IntentException("--buckets: must be strictly ascending, was " + buckets);
      }
    }
    if (maxLength > 0 && !buckets.isEmpty() && buckets.get(buckets.size() - 1) != maxLength) {
      throw new IntentException("--buckets: the largest bucket must equal --max-length " + maxLength
          + " so every text fits a bucket, was " + buckets);
    }
    if (!(minAgreement >= 0 && minAgreement <= 1)) {
      throw new IntentException("--min-agreement: must be in [0, 1], was " + minAgreement);
    }
    if (verifyLimit < 1 || verifyLimit > 100_000) {
      throw new IntentException("--verify-limit: must be in 1..100000, was " + verifyLimit);
    }
    if (weightBits != 7 && weightBits != 8) {
      throw new IntentException("--int8-weight-bits: must be 7 or 8, was " + weightBits);
    }
    if (keepFloat != null) {
      try {
        java.util.regex.Pattern.compile(keepFloat);
      } catch (java.util.regex.PatternSyntaxException e) {
        throw new IntentException("--int8-keep-float: '" + keepFloat + "' is not a valid regular expression: " + e.getDescription());
      }
    }
    if (threads < 1 || threads > 256) {
      throw new IntentException("--threads: must be in 1..256, was " + threads);
    }
    if (fuseAttention && target.isGpu()) {
      throw new IntentException("--fuse-attention: only for --target cpu (GPU sessions fuse attention themselves when they load the graph)");
    }
    if (calibration != null && precision != Precision.INT8) {
      throw new IntentException("--calibration-data: only for --precision int8 (it calibrates static int8 activations), precision was "
          + precision.id());
    }
    if (calibration != null && target != Target.CPU) {
      throw new IntentException("--calibration-data: only for --target cpu (static int8 uses ONNX Runtime's CPU MatMulIntegerToFloat)");
    }
    if (calibration != null && fuseAttention) {
      throw new IntentException("--calibration-data: cannot be combined with --fuse-attention yet (attention fusion recognises"
          + " dynamically quantized projections only); drop one of them");
    }
    if (removePadding && target.isGpu()) {
      throw new IntentException("--remove-padding: only for --target cpu (the pass is measured on ONNX Runtime's CPU kernels only)");
    }
    if (precision == Precision.FP16 && !target.isGpu()) {
      throw new IntentException("--precision fp16: only for --target cuda or tensorrt (CPUs run fp16 slower than fp32)");
    }
  }

  /** Options without attention fusion (the form before {@code fuseAttention} existed). */
  public CompileOptions(Target target, Precision precision, int maxLength, List<Integer> buckets, double minAgreement,
      Path verifyData, String verifySplit, int verifyLimit, int weightBits, String keepFloat, int threads) {
    this(target, precision, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads, false);
  }

  /** Options without static int8 calibration (the form before {@code calibration} existed). */
  public CompileOptions(Target target, Precision precision, int maxLength, List<Integer> buckets, double minAgreement,
      Path verifyData, String verifySplit, int verifyLimit, int weightBits, String keepFloat, int threads, boolean fuseAttention) {
    this(target, precision, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads,
        fuseAttention, null);
  }

  /** Options without activation smoothing (the form before {@code smoothing} existed). */
  public CompileOptions(Target target, Precision precision, int maxLength, List<Integer> buckets, double minAgreement,
      Path verifyData, String verifySplit, int verifyLimit, int weightBits, String keepFloat, int threads, boolean fuseAttention,
      CalibrationOptions calibration, boolean removePadding) {
    this(target, precision, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads,
        fuseAttention, calibration, removePadding, null);
  }

  /** Options without padding removal (the form before {@code removePadding} existed). */
  public CompileOptions(Target target, Precision precision, int maxLength, List<Integer> buckets, double minAgreement,
      Path verifyData, String verifySplit, int verifyLimit, int weightBits, String keepFloat, int threads, boolean fuseAttention,
      CalibrationOptions calibration) {
    this(target, precision, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads,
        fuseAttention, calibration, false);
  }

  /** fp32 for the CPU, verified on the built-in sentences; int8 (when chosen) smooths on them too. */
  public static CompileOptions defaults() {
    return new CompileOptions(Target.CPU, Precision.FP32, 0, List.of(), DEFAULT_MIN_AGREEMENT, null, "val",
        DEFAULT_VERIFY_LIMIT, DynamicQuantizer.DEFAULT_WEIGHT_BITS, null, Math.min(2, Runtime.getRuntime().availableProcessors()), false, null,
        false, SmoothingOptions.builtIn());
  }

  public CompileOptions withTarget(Target t) {
    return new CompileOptions(t, precision, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads, fuseAttention, calibration, removePadding, smoothing);
  }

  public CompileOptions withPrecision(Precision p) {
    return new CompileOptions(target, p, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads, fuseAttention, calibration, removePadding, smoothing);
  }

  public CompileOptions withMaxLength(int n) {
    return new CompileOptions(target, precision, n, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads, fuseAttention, calibration, removePadding, smoothing);
  }

  public CompileOptions withBuckets(List<Integer> b) {
    return new CompileOptions(target, precision, maxLength, b, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads, fuseAttention, calibration, removePadding, smoothing);
  }

  public CompileOptions withMinAgreement(double a) {
    return new CompileOptions(target, precision, maxLength, buckets, a, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads, fuseAttention, calibration, removePadding, smoothing);
  }

  public CompileOptions withVerifyData(Path data, String split, int limit) {
    return new CompileOptions(target, precision, maxLength, buckets, minAgreement, data, split, limit, weightBits, keepFloat, threads, fuseAttention, calibration, removePadding, smoothing);
  }

  public CompileOptions withWeightBits(int bits) {
    return new CompileOptions(target, precision, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, bits, keepFloat, threads, fuseAttention, calibration, removePadding, smoothing);
  }

  public CompileOptions withKeepFloat(String pattern) {
    return new CompileOptions(target, precision, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, pattern, threads, fuseAttention, calibration, removePadding, smoothing);
  }

  public CompileOptions withThreads(int n) {
    return new CompileOptions(target, precision, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, n, fuseAttention, calibration, removePadding, smoothing);
  }

  public CompileOptions withFuseAttention(boolean fuse) {
    return new CompileOptions(target, precision, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads, fuse, calibration, removePadding, smoothing);
  }

  public CompileOptions withRemovePadding(boolean remove) {
    return new CompileOptions(target, precision, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads, fuseAttention, calibration, remove, smoothing);
  }

  /** @param c static int8 calibration, or null for dynamic activation quantization */
  public CompileOptions withCalibration(CalibrationOptions c) {
    return new CompileOptions(target, precision, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads, fuseAttention, c, removePadding, smoothing);
  }

  /** @param s int8 activation smoothing, or null to quantize the activations as they are */
  public CompileOptions withSmoothing(SmoothingOptions s) {
    return new CompileOptions(target, precision, maxLength, buckets, minAgreement, verifyData, verifySplit, verifyLimit, weightBits, keepFloat, threads, fuseAttention, calibration, removePadding, s);
  }

  /** Parses {@code 16,32,64,128}. */
  public static List<Integer> parseBuckets(String csv) {
    List<Integer> out = new ArrayList<>();
    if (csv == null || csv.isBlank()) {
      return out;
    }
    for (String part : csv.split(",")) {
      try {
        out.add(Integer.parseInt(part.trim()));
      } catch (NumberFormatException e) {
        throw new IntentException("--buckets: '" + part.trim() + "' is not a whole number (expected e.g. 16,32,64,128)");
      }
    }
    return out;
  }

  /** The options as recorded in the manifest. */
  Map<String, Object> toManifest() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("min_agreement", minAgreement);
    m.put("verify_data", verifyData == null ? "built-in" : verifyData.getFileName().toString());
    m.put("verify_split", verifySplit);
    m.put("verify_limit", verifyLimit);
    m.put("int8_weight_bits", weightBits);
    if (keepFloat != null) {
      m.put("int8_keep_float", keepFloat);
    }
    m.put("threads", threads);
    m.put("fuse_attention", fuseAttention);
    m.put("remove_padding", removePadding);
    if (calibration != null) {
      m.put("calibration", calibration.toManifest());
    }
    if (precision == Precision.INT8) {
      m.put("int8_smooth", smoothing == null ? "off" : smoothing.toManifest());
    }
    return m;
  }
}
