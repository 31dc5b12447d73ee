package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Static int8 quantization: each MatMul/Gemm whose activation was calibrated
 * ({@link ActivationCalibrator}) gets its activation quantized with constants instead of at run
 * time, in the form ONNX Runtime's CPU provider runs with its u8s8 kernels directly:
 *
 * <pre>
 *   x ─ QuantizeLinear(x, scale, zero_point) ─ x_q                   one per distinct activation
 *   com.microsoft.MatMulIntegerToFloat(x_q, W_q, scale, W_scale, zero_point, W_zp[, bias]) ─ y
 * </pre>
 *
 * Weights are quantized per output channel exactly as {@link DynamicQuantizer} does (same bits,
 * same values). A bias added right after the product ({@code Add(MatMul(x, W), b)} with a
 * constant {@code b} of one value per column, or a Gemm's {@code C}) moves into the operator's
 * bias input. MatMul/Gemm nodes whose activation has no range are left as they are, for
 * {@link DynamicQuantizer} (run after this pass) to quantize at run time.
 *
 * <p>An encoder shipped in int8 has no float MatMul left; it quantizes its activations at run
 * time with {@code DynamicQuantizeLinear}, one range per tensor over the whole batch, so a text's
 * answer depends on the texts batched with it. Each such node whose input was calibrated
 * ({@link #runTimeQuantized}) becomes {@code QuantizeLinear}, and its scale and zero-point outputs
 * become constants under the same names: the integer products after it are unchanged.
 *
 * <pre>{@code
 * StaticQuantizer.Result r = new StaticQuantizer(7).quantize(model, keepFloat, ranges);
 * ModelProto rest = new DynamicQuantizer(7).quantize(r.model(), keepFloat).model();
 * }</pre>
 */
public final class StaticQuantizer {
  private final DynamicQuantizer weights;

  /** @param weightBits 7 or 8, as for {@link DynamicQuantizer} */
  public StaticQuantizer(int weightBits) {
    this.weights = new DynamicQuantizer(weightBits);
  }

  /**
   * @param model the rewritten graph
   * @param quantized MatMul/Gemm nodes given constant activation quantization
   * @param quantizeNodes {@code QuantizeLinear} nodes added (one per distinct activation)
   * @param biasesFolded bias additions moved into the operator
   * @param runTimeQuantizationsFixed {@code DynamicQuantizeLinear} nodes given constant ranges
   */
  public record Result(ModelProto model, int quantized, int quantizeNodes, int biasesFolded, int runTimeQuantizationsFixed) {}

  /**
   * The activation tensors (first inputs) of the nodes a quantizer would rewrite, in graph
   * order, each once: what calibration must observe.
   */
  public static Set<String> activations(ModelProto model, Predicate<NodeProto> keepFloat) {
    Map<String, TensorProto> inits = initializers(model.getGraph());
    Set<String> out = new LinkedHashSet<>();
    for (NodeProto n : model.getGraph().getNodeList()) {
      if (!keepFloat.test(n) && DynamicQuantizer.hasQuantizableWeight(n, inits)) {
        out.add(n.getInput(0));
      }
    }
    return out;
  }

  /**
   * The inputs of the {@code DynamicQuantizeLinear} nodes of a graph shipped in int8, in graph
   * order, each once: what calibration must observe to give them constant ranges.
   */
  public static Set<String> runTimeQuantized(ModelProto model, Predicate<NodeProto> keepFloat) {
    Set<String> out = new LinkedHashSet<>();
    for (NodeProto n : model.getGraph().getNodeList()) {
      if (isRunTimeQuantization(n) && !keepFloat.test(n)) {
        out.add(n.getInput(0));
      }
    }
    return out;
  }

  static boolean isRunTimeQuantization(NodeProto n) {
    return n.getOpType().equals("DynamicQuantizeLinear") && n.getDomain().isEmpty();
  }

  /** @param ranges the calibrated range of each activation to quantize statically */
  public Result quantize(ModelProto model, Predicate<NodeProto> keepFloat, Map<String, ActivationRange> ranges) {
    GraphProto g = model.getGraph();
    Map<String, TensorProto> inits = initializers(g);
    Map<String, List<NodeProto>> consumers = new HashMap<>();
    Map<String, NodeProto> producers = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      for (String in : n.getInputList()) {
        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
      }
      n.getOutputList().forEach(o -> producers.put(o, n));
    }
    Set<String> graphOutputs = new HashSet<>();
    g.getOutputList().forEach(o -> graphOutputs.add(o.getName()));

    GraphProto.Builder out = g.toBuilder().clearNode();
    GraphEditor ed = new GraphEditor(out, "squant/");
    Map<String, String[]> quantizedActivations = new HashMap<>();
    Map<String, String[]> quantizedWeights = new HashMap<>();
    Set<NodeProto> foldedAdds = new HashSet<>();
    int quantized = 0;
    int fusedProducts = 0;
    // A fixed run-time quantization's output -> its constant scale; and the nodes a fused product replaced.
    Map<String, String> fixedScale = new HashMap<>();
    Set<NodeProto> absorbed = new HashSet<>();
    for (NodeProto n : g.getNodeList()) {
      if (foldedAdds.contains(n) || absorbed.contains(n)) {
        continue;
      }
      if (isRunTimeQuantization(n) && !keepFloat.test(n) && ranges.containsKey(n.getInput(0))) {
        fixedScale.put(n.getOutput(0), fixRange(ed, n, ranges.get(n.getInput(0))));
        continue;
      }
      if (n.getOpType().equals("MatMulInteger") && fixedScale.containsKey(n.getInput(0))
          && fuseProduct(ed, n, fixedScale.get(n.getInput(0)), consumers, producers, inits, graphOutputs, absorbed)) {
        fusedProducts++;
        continue;
      }
      String a = n.getInputCount() > 0 ? n.getInput(0) : "";
      if (keepFloat.test(n) || !ranges.containsKey(a) || !DynamicQuantizer.hasQuantizableWeight(n, inits)) {
        out.addNode(n);
        continue;
      }
      boolean isGemm = n.getOpType().equals("Gemm");
      boolean transB = isGemm && DynamicQuantizer.intAttr(n, "transB", 0) == 1;
      TensorProto w = inits.get(n.getInput(1));
      long columns = transB ? w.getDims(0) : w.getDims(1);
      String[] aq = quantizedActivations.computeIfAbsent(a, name -> {
        ActivationRange r = ranges.get(name);
        String scale = ed.scalar(name + "_scale", r.scale());
        String zero = ed.constant(name + "_zero_point",
            OnnxNodes.raw("z", TensorProto.DataType.UINT8, new long[0], new byte[] {(byte) r.zeroPoint()}));
        String q = ed.fresh(name + "_quantized");
        ed.node(OnnxNodes.node("QuantizeLinear", ed.fresh("QuantizeLinear"), List.of(name, scale, zero), List.of(q)));
        return new String[] {q, scale, zero};
      });
      String[] wq = quantizedWeights.computeIfAbsent(w.getName() + (transB ? "^T" : ""), k -> weights.quantizeWeight(ed, w, transB));
      String y = n.getOutput(0);
      String bias = "";
      String addAfter = null;
      if (isGemm && n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
        if (isColumnVector(inits.get(n.getInput(2)), columns)) {
          bias = n.getInput(2);
        } else {
          addAfter = n.getInput(2);
        }
      } else if (!isGemm) {
        NodeProto add = foldableBiasAdd(y, columns, consumers, inits, graphOutputs);
        if (add != null) {
          foldedAdds.add(add);
          bias = add.getInput(0).equals(y) ? add.getInput(1) : add.getInput(0);
          y = add.getOutput(0);
        }
      }
      List<String> inputs = new ArrayList<>(List.of(aq[0], wq[0], aq[1], wq[2], aq[2], wq[1]));
      if (!bias.isEmpty()) {
        inputs.add(bias);
      }
      String product = addAfter == null ? y : ed.fresh("matmul_out");
      ed.node(OnnxNodes.node("MatMulIntegerToFloat", ed.fresh("MatMulIntegerToFloat"), inputs, List.of(product))
          .toBuilder().setDomain(AttentionFusion.MS_DOMAIN).build());
      if (addAfter != null) {
        ed.op("Add", List.of(product, addAfter), y);
      }
      quantized++;
    }
    DynamicQuantizer.removeUnused(out);
    ModelProto.Builder m = model.toBuilder().setGraph(out);
    if (quantized + fusedProducts > 0 && m.getOpsetImportList().stream().noneMatch(o -> o.getDomain().equals(AttentionFusion.MS_DOMAIN))) {
      m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(AttentionFusion.MS_DOMAIN).setVersion(1));
    }
    return new Result(m.build(), quantized, quantizedActivations.size(), foldedAdds.size(), fixedScale.size());
  }

  /**
   * {@code DynamicQuantizeLinear(x) -> (y, y_scale, y_zero_point)} becomes {@code
   * QuantizeLinear(x, y_scale, y_zero_point) -> y}, where {@code y_scale} and {@code y_zero_point}
   * are now constants under the names the integer products downstream already read (a constant,
   * not a node's output, is what later passes such as padding removal take for a per-tensor
   * parameter).
   */
  private static String fixRange(GraphEditor ed, NodeProto n, ActivationRange r) {
    String x = n.getInput(0);
    String scale = n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() ? n.getOutput(1) : ed.fresh(x + "_scale");
    String zero = n.getOutputCount() > 2 && !n.getOutput(2).isEmpty() ? n.getOutput(2) : ed.fresh(x + "_zero_point");
    ed.graph().addInitializer(OnnxNodes.floats(scale, new long[0], new float[] {r.scale()}));
    ed.graph().addInitializer(OnnxNodes.raw(zero, TensorProto.DataType.UINT8, new long[0], new byte[] {(byte) r.zeroPoint()}));
    ed.node(OnnxNodes.node("QuantizeLinear", ed.fresh("QuantizeLinear"), List.of(x, scale, zero), List.of(n.getOutput(0))));
    return scale;
  }

  /**
   * A shipped int8 product on a now constant-range activation, {@code MatMulInteger -> Cast ->
   * Mul(Mul(a_scale, w_scale)) [-> Add(bias)]}, becomes one {@code MatMulIntegerToFloat}: with a
   * constant activation scale it is the operator our own static pass emits, which ONNX Runtime
   * runs in one kernel instead of four. Returns false, touching nothing, for any other shape.
   */
  private static boolean fuseProduct(GraphEditor ed, NodeProto product, String activationScale, Map<String, List<NodeProto>> consumers,
      Map<String, NodeProto> producers, Map<String, TensorProto> inits, Set<String> graphOutputs, Set<NodeProto> absorbed) {
    TensorProto w = inits.get(product.getInput(1));
    NodeProto cast = soleReader(product.getOutput(0), consumers, graphOutputs);
    if (w == null || w.getDimsCount() != 2 || product.getInputCount() != 4 || cast == null || !cast.getOpType().equals("Cast")
        || DynamicQuantizer.intAttr(cast, "to", 0) != TensorProto.DataType.FLOAT_VALUE) {
      return false;
    }
    NodeProto rescale = soleReader(cast.getOutput(0), consumers, graphOutputs);
    if (rescale == null || !rescale.getOpType().equals("Mul") || rescale.getInputCount() != 2) {
      return false;
    }
    String scales = rescale.getInput(0).equals(cast.getOutput(0)) ? rescale.getInput(1) : rescale.getInput(0);
    NodeProto scaleProduct = producers.get(scales);
    if (scaleProduct == null || !scaleProduct.getOpType().equals("Mul") || !scaleProduct.getInputList().contains(activationScale)) {
      return false;
    }
    List<String> factors = scaleProduct.getInputList();
    String weightScale = factors.get(0).equals(activationScale) ? factors.get(1) : factors.get(0);
    if (!inits.containsKey(weightScale)) {
      return false;
    }
    String y = rescale.getOutput(0);
    List<String> inputs = new ArrayList<>(List.of(product.getInput(0), product.getInput(1), activationScale, weightScale,
        product.getInput(2), product.getInput(3)));
    NodeProto add = foldableBiasAdd(y, w.getDims(1), consumers, inits, graphOutputs);
    if (add != null) {
      inputs.add(add.getInput(0).equals(y) ? add.getInput(1) : add.getInput(0));
      y = add.getOutput(0);
      absorbed.add(add);
    }
    ed.node(OnnxNodes.node("MatMulIntegerToFloat", ed.fresh("MatMulIntegerToFloat"), inputs, List.of(y))
        .toBuilder().setDomain(AttentionFusion.MS_DOMAIN).build());
    absorbed.add(cast);
    absorbed.add(rescale);
    return true;
  }

  private static NodeProto soleReader(String tensor, Map<String, List<NodeProto>> consumers, Set<String> graphOutputs) {
    List<NodeProto> readers = consumers.getOrDefault(tensor, List.of());
    return readers.size() == 1 && !graphOutputs.contains(tensor) ? readers.get(0) : null;
  }

  /** The {@code Add(y, b)} right after a product, when {@code y} feeds only it and {@code b} is a constant per column. */
  private static NodeProto foldableBiasAdd(String y, long columns, Map<String, List<NodeProto>> consumers,
      Map<String, TensorProto> inits, Set<String> graphOutputs) {
    List<NodeProto> readers = consumers.getOrDefault(y, List.of());
    if (readers.size() != 1 || graphOutputs.contains(y)) {
      return null;
    }
    NodeProto add = readers.get(0);
    if (!add.getOpType().equals("Add") || !add.getDomain().isEmpty() || add.getInputCount() != 2) {
      return null;
    }
    String other = add.getInput(0).equals(y) ? add.getInput(1) : add.getInput(0);
    return other.equals(y) || !isColumnVector(inits.get(other), columns) ? null : add;
  }

  private static boolean isColumnVector(TensorProto t, long columns) {
    return t != null && t.getDataType() == TensorProto.DataType.FLOAT_VALUE && t.getDimsCount() == 1 && t.getDims(0) == columns;
  }

  private static Map<String, TensorProto> initializers(GraphProto g) {
    Map<String, TensorProto> inits = new HashMap<>();
    g.getInitializerList().forEach(t -> inits.put(t.getName(), t));
    return inits;
  }
}
