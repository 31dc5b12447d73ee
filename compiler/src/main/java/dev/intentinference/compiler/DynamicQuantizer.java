package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.intentinference.core.onnx.OnnxTensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dynamic int8 quantization of every {@code MatMul}/{@code Gemm} whose weight is a constant 2-D
 * float matrix, in the pattern ONNX Runtime's own {@code quantize_dynamic} emits:
 *
 * <pre>
 *   x ─ DynamicQuantizeLinear ─ x_q, x_scale, x_zp
 *   MatMulInteger(x_q, W_q, x_zp, W_zp) ─ Cast(float) ─ Mul(x_scale · W_scale) [─ Add(bias)]
 * </pre>
 *
 * Weights are quantized symmetrically per output channel (one scale per column of the
 * {@code [in, out]} matrix, zero point 0). Activations are quantized per tensor at run time (uint8,
 * asymmetric). Only standard ONNX operators are used (opset 11), so any runtime can execute the
 * result; ONNX Runtime's graph optimizer later fuses the pattern into {@code MatMulIntegerToFloat}.
 *
 * <p>Weights use 7 bits ([-63, 63]) by default: on x86 CPUs without VNNI, ONNX Runtime computes
 * uint8×int8 products with {@code vpmaddubsw}, whose int16 pair sums saturate for full-range
 * int8 weights (255·127·2 &gt; 32767). 7-bit weights cannot saturate, at a small precision cost.
 *
 * <pre>{@code
 * DynamicQuantizer.Result r = new DynamicQuantizer(DynamicQuantizer.DEFAULT_WEIGHT_BITS).quantize(model);
 * }</pre>
 */
public final class DynamicQuantizer {
  public static final int DEFAULT_WEIGHT_BITS = 7;

  private final int weightBits;

  /** @param weightBits 7 (safe on every x86 CPU) or 8 (full int8 range; needs VNNI or ARM to avoid saturation) */
  public DynamicQuantizer(int weightBits) {
    if (weightBits != 7 && weightBits != 8) {
      throw new IllegalArgumentException("weightBits must be 7 or 8, was " + weightBits);
    }
    this.weightBits = weightBits;
  }

  /**
   * @param model the graph to quantize
   * @param quantized number of MatMul/Gemm nodes rewritten
   * @param skipped number of MatMul/Gemm nodes left in float (activation×activation products,
   *     unsupported Gemm attributes; excluded nodes are not counted)
   */
  public record Result(ModelProto model, int quantized, int skipped) {}

  public Result quantize(ModelProto model) {
    return quantize(model, "\0");
  }

  /**
   * @param keepFloatPrefix nodes whose name starts with this stay float (e.g. the fused head,
   *     {@code intent/}): tiny layers gain no speed from int8 but lose precision
   */
  public Result quantize(ModelProto model, String keepFloatPrefix) {
    return quantize(model, n -> n.getName().startsWith(keepFloatPrefix));
  }

  /** @param keepFloat nodes to leave in float */
  public Result quantize(ModelProto model, java.util.function.Predicate<NodeProto> keepFloat) {
    GraphProto g = model.getGraph();
    Map<String, TensorProto> inits = new HashMap<>();
    g.getInitializerList().forEach(t -> inits.put(t.getName(), t));
    GraphProto.Builder out = g.toBuilder().clearNode();
    GraphEditor ed = new GraphEditor(out, "quant/");
    Map<String, String[]> quantizedActivations = new HashMap<>();
    Map<String, String[]> quantizedWeights = new HashMap<>();
    int quantized = 0;
    int skipped = 0;
    for (NodeProto n : g.getNodeList()) {
      boolean isMatMul = n.getOpType().equals("MatMul") && n.getDomain().isEmpty();
      boolean isGemm = n.getOpType().equals("Gemm") && n.getDomain().isEmpty();
      if ((!isMatMul && !isGemm) || keepFloat.test(n)) {
        out.addNode(n);
        continue;
      }
      TensorProto w = n.getInputCount() > 1 ? inits.get(n.getInput(1)) : null;
      boolean transB = isGemm && intAttr(n, "transB", 0) == 1;
      if (!hasQuantizableWeight(n, inits)) {
        out.addNode(n);
        skipped++;
        continue;
      }
      String a = n.getInput(0);
      String[] aq = quantizedActivations.computeIfAbsent(a, name -> {
        String q = ed.fresh(name + "_quantized");
        String s = ed.fresh(name + "_scale");
        String z = ed.fresh(name + "_zero_point");
        ed.graph().addNode(OnnxNodes.node("DynamicQuantizeLinear", ed.fresh("DynamicQuantizeLinear"), List.of(name), List.of(q, s, z)));
        return new String[] {q, s, z};
      });
      String[] wq = quantizedWeights.computeIfAbsent(w.getName() + (transB ? "^T" : ""), k -> quantizeWeight(ed, w, transB));
      String product = ed.op("MatMulInteger", List.of(aq[0], wq[0], aq[2], wq[1]));
      String asFloat = ed.op("Cast", List.of(product), OnnxNodes.intAttr("to", TensorProto.DataType.FLOAT_VALUE));
      String scale = ed.op("Mul", List.of(aq[1], wq[2]));
      String y = n.getOutput(0);
      if (isGemm && n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
        String scaled = ed.op("Mul", List.of(asFloat, scale));
        ed.op("Add", List.of(scaled, n.getInput(2)), y);
      } else {
        ed.op("Mul", List.of(asFloat, scale), y);
      }
      quantized++;
    }
    removeUnused(out);
    return new Result(model.toBuilder().setGraph(out).build(), quantized, skipped);
  }

  /**
   * Whether a MatMul/Gemm node multiplies by a constant 2-D float matrix in a form this
   * quantizer rewrites (Gemm: no transposed input, alpha and beta 1).
   */
  static boolean hasQuantizableWeight(NodeProto n, Map<String, TensorProto> inits) {
    boolean isGemm = n.getOpType().equals("Gemm") && n.getDomain().isEmpty();
    boolean isMatMul = n.getOpType().equals("MatMul") && n.getDomain().isEmpty();
    TensorProto w = n.getInputCount() > 1 ? inits.get(n.getInput(1)) : null;
    return (isMatMul || isGemm) && w != null && w.getDataType() == TensorProto.DataType.FLOAT_VALUE && w.getDimsCount() == 2
        && !(isGemm && (intAttr(n, "transA", 0) != 0 || floatAttr(n, "alpha", 1f) != 1f || floatAttr(n, "beta", 1f) != 1f));
  }

  /** Returns {quantized weight, zero point, scale} initializer names; the weight as [in, out]. */
  String[] quantizeWeight(GraphEditor ed, TensorProto w, boolean transposed) {
    float[] v = OnnxTensors.floatValues(w);
    int rows = (int) w.getDims(0);
    int cols = (int) w.getDims(1);
    int in = transposed ? cols : rows;
    int outs = transposed ? rows : cols;
    int qmax = (1 << (weightBits - 1)) - 1;
    float[] scales = new float[outs];
    for (int o = 0; o < outs; o++) {
      float max = 0;
      for (int i = 0; i < in; i++) {
        max = Math.max(max, Math.abs(v[transposed ? o * cols + i : i * cols + o]));
      }
      scales[o] = max == 0 ? 1f : max / qmax;
    }
    byte[] q = new byte[in * outs];
    for (int i = 0; i < in; i++) {
      for (int o = 0; o < outs; o++) {
        float x = v[transposed ? o * cols + i : i * cols + o];
        q[i * outs + o] = (byte) Math.max(-qmax, Math.min(qmax, Math.round(x / scales[o])));
      }
    }
    String base = w.getName();
    String qName = ed.constant(base + "_quantized", OnnxNodes.int8s("q", new long[] {in, outs}, q));
    String zName = ed.constant(base + "_zero_point", OnnxNodes.int8s("z", new long[] {outs}, new byte[outs]));
    String sName = ed.constant(base + "_scale", OnnxNodes.floats("s", new long[] {outs}, scales));
    return new String[] {qName, zName, sName};
  }

  /** Drops initializers (the float weights) that no node reads any more. */
  static void removeUnused(GraphProto.Builder g) {
    Set<String> used = new HashSet<>();
    g.getNodeList().forEach(n -> used.addAll(n.getInputList()));
    g.getOutputList().forEach(o -> used.add(o.getName()));
    List<TensorProto> keep = new ArrayList<>();
    for (TensorProto t : g.getInitializerList()) {
      if (used.contains(t.getName())) {
        keep.add(t);
      }
    }
    g.clearInitializer().addAllInitializer(keep);
    Set<String> initNames = new HashSet<>();
    keep.forEach(t -> initNames.add(t.getName()));
    // Old IR versions list initializers as graph inputs too; drop those that were removed.
    List<ai.onnx.proto.OnnxMl.ValueInfoProto> inputs = new ArrayList<>(g.getInputList());
    inputs.removeIf(v -> !used.contains(v.getName()) && !initNames.contains(v.getName()) && !HeadFusion.TOKEN_INPUTS.contains(v.getName()));
    g.clearInput().addAllInput(inputs);
  }

  static long intAttr(NodeProto n, String name, long dflt) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return dflt;
  }

  static float floatAttr(NodeProto n, String name, float dflt) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getF();
      }
    }
    return dflt;
  }
}
