package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.intentinference.core.onnx.OnnxTensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Moves the spread of each quantized activation's channels into the weights that read it, before
 * int8 quantization (the SmoothQuant rewrite: Xiao et al., 2023). Int8 quantizes an activation
 * with one range for the whole tensor, so a few channels with large values (transformers have
 * them after their layer norms and GELUs) leave few levels for all the others. Weights are
 * quantized per output column and tolerate larger rows, so for each channel {@code j} of the
 * activation {@code x} read by MatMuls {@code W_k}:
 *
 * <pre>
 *   s_j = max|x_j|^alpha / max_k max|W_k[j, :]|^(1 - alpha)
 *   x W_k = (x / s) (diag(s) W_k)
 * </pre>
 *
 * Only activations whose channels are uneven are rewritten ({@link #MIN_SPREAD}). The division is
 * one {@code Mul} by a constant vector in front of the quantized readers;
 * readers left in float keep reading {@code x} with their own weights. {@code max|x_j|} is
 * measured on calibration texts. The float result is the same function up to rounding, so the
 * pass only changes what quantization loses.
 *
 * <pre>{@code
 * ActivationSmoothing.Result r = ActivationSmoothing.calibrateAndApply(graph, keepFloat,
 *     StaticQuantizer.activations(graph, keepFloat), 0.75, texts, new ActivationCalibrator(graph, tokenizerJson, 128, List.of(), settings));
 * }</pre>
 */
final class ActivationSmoothing {
  /** Per-channel factors are kept within this ratio of 1 either way, so no channel vanishes or explodes. */
  static final float MAX_FACTOR = 1e4f;

  /**
   * An activation is smoothed only when its widest channel is more than this many times its
   * median channel ({@link #spread}). At batch size 1 no added node is free, and on fine-tuned
   * CLINC150 models the activations below it (the attention context, spread 1.9-3.2, and the layer
   * inputs, about 4) added no agreement (the context alone lowered it), while the layer-norm
   * outputs feeding the feed-forward block and the GELU outputs (7-16) gave nearly all of it
   * (docs/perf.md, "Sixteenth session").
   */
  static final double MIN_SPREAD = 5;

  private ActivationSmoothing() {}

  /**
   * @param model the rewritten graph
   * @param activations activations divided by a per-channel factor
   * @param weights weight matrices scaled to match
   * @param candidates activations read by quantized MatMul/Gemm nodes that calibration measured
   * @param record the manifest's {@code compile.smoothing}: each candidate's channel spread and
   *     whether it was smoothed
   */
  record Result(ModelProto model, int activations, int weights, int candidates, List<Map<String, Object>> record) {
    /** The manifest's {@code passes} entry. */
    String description(double alpha, String dataName, int texts) {
      return String.format(java.util.Locale.ROOT, "activation-smoothing(alpha %s on %s, %d texts: %d of %d activations with channel"
          + " spread > %s divided per channel, %d weight matrices scaled to match)", alpha, dataName, texts, activations, candidates,
          (long) MIN_SPREAD, weights);
    }
  }

  /**
   * Measures the channels of {@code activations} (those of the MatMul/Gemm nodes int8 will
   * quantize: {@link StaticQuantizer#activations}) on {@code texts} with {@code calibrator}, then
   * {@link #apply}.
   */
  static Result calibrateAndApply(ModelProto model, Predicate<NodeProto> keepFloat, Set<String> activations, double alpha,
      List<String> texts, ActivationCalibrator calibrator) {
    return apply(model, keepFloat, calibrator.channelMaxima(activations, texts), alpha);
  }

  /**
   * @param channelMax each activation's largest absolute value per channel (last dimension);
   *     activations missing from it are left alone
   * @param alpha how much of the spread moves into the weights, in (0, 1]
   */
  static Result apply(ModelProto model, Predicate<NodeProto> keepFloat, Map<String, float[]> channelMax, double alpha) {
    GraphProto g = model.getGraph();
    Map<String, TensorProto> inits = new HashMap<>();
    g.getInitializerList().forEach(t -> inits.put(t.getName(), t));
    Map<String, List<NodeProto>> readers = new LinkedHashMap<>();
    for (NodeProto n : g.getNodeList()) {
      if (!keepFloat.test(n) && DynamicQuantizer.hasQuantizableWeight(n, inits) && channelMax.containsKey(n.getInput(0))) {
        readers.computeIfAbsent(n.getInput(0), k -> new ArrayList<>()).add(n);
      }
    }
    Map<String, float[]> factors = new LinkedHashMap<>();
    List<Map<String, Object>> record = new ArrayList<>();
    for (Map.Entry<String, List<NodeProto>> e : readers.entrySet()) {
      float[] xMax = channelMax.get(e.getKey());
      float[] wMax = new float[xMax.length];
      boolean fits = true;
      for (NodeProto n : e.getValue()) {
        fits &= rowMaxima(n, inits.get(n.getInput(1)), wMax);
      }
      double spread = spread(xMax);
      boolean smooth = fits && spread > MIN_SPREAD;
      if (smooth) {
        factors.put(e.getKey(), factors(xMax, wMax, alpha));
      }
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("tensor", e.getKey());
      r.put("channel_spread", Math.round(spread * 100) / 100.0);
      r.put("smoothed", smooth);
      record.add(r);
    }

    GraphProto.Builder out = g.toBuilder().clearNode();
    GraphEditor ed = new GraphEditor(out, "smooth/");
    Map<String, String> smoothed = new HashMap<>();
    int weights = 0;
    for (NodeProto n : g.getNodeList()) {
      // The readers found above: quantized weight products of a smoothed activation.
      float[] s = n.getInputCount() > 0 ? factors.get(n.getInput(0)) : null;
      if (s == null || keepFloat.test(n) || !DynamicQuantizer.hasQuantizableWeight(n, inits)) {
        out.addNode(n);
        continue;
      }
      String x = smoothed.computeIfAbsent(n.getInput(0), a -> {
        float[] inverse = new float[s.length];
        for (int j = 0; j < s.length; j++) {
          inverse[j] = 1f / s[j];
        }
        String divisor = ed.constant(a + "_smoothing", OnnxNodes.floats("d", new long[] {s.length}, inverse));
        return ed.op("Mul", List.of(a, divisor), ed.fresh(a + "_smoothed"));
      });
      TensorProto w = inits.get(n.getInput(1));
      String scaled = ed.constant(w.getName() + "_smoothed", scaleRows(w, s, transB(n)));
      weights++;
      out.addNode(n.toBuilder().setInput(0, x).setInput(1, scaled));
    }
    DynamicQuantizer.removeUnused(out);
    return new Result(model.toBuilder().setGraph(out).build(), smoothed.size(), weights, readers.size(), record);
  }

  /** The widest channel's maximum over the median channel's: how unevenly the channels use the range. */
  static double spread(float[] channelMax) {
    float[] sorted = channelMax.clone();
    java.util.Arrays.sort(sorted);
    float median = sorted[sorted.length / 2];
    return median > 0 ? sorted[sorted.length - 1] / median : Double.POSITIVE_INFINITY;
  }

  static float[] factors(float[] xMax, float[] wMax, double alpha) {
    float[] s = new float[xMax.length];
    for (int j = 0; j < s.length; j++) {
      if (xMax[j] <= 0 || wMax[j] <= 0) {
        s[j] = 1f;
        continue;
      }
      double f = Math.pow(xMax[j], alpha) / Math.pow(wMax[j], 1 - alpha);
      s[j] = (float) Math.max(1 / MAX_FACTOR, Math.min(MAX_FACTOR, f));
    }
    return s;
  }

  /** Folds the weight's largest absolute value per input row into {@code max}; false if the shapes do not match. */
  private static boolean rowMaxima(NodeProto n, TensorProto w, float[] max) {
    boolean t = transB(n);
    int rows = (int) w.getDims(0);
    int cols = (int) w.getDims(1);
    int in = t ? cols : rows;
    if (in != max.length) {
      return false;
    }
    float[] v = OnnxTensors.floatValues(w);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int j = t ? c : r;
        max[j] = Math.max(max[j], Math.abs(v[r * cols + c]));
      }
    }
    return true;
  }

  private static TensorProto scaleRows(TensorProto w, float[] s, boolean transposed) {
    float[] v = OnnxTensors.floatValues(w).clone();
    int rows = (int) w.getDims(0);
    int cols = (int) w.getDims(1);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        v[r * cols + c] *= s[transposed ? c : r];
      }
    }
    return OnnxTensors.withFloatValues(w, v);
  }

  private static boolean transB(NodeProto n) {
    return n.getOpType().equals("Gemm") && DynamicQuantizer.intAttr(n, "transB", 0) == 1;
  }
}
