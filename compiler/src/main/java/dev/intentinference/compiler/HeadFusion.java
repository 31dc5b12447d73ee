package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.encoder.Pooling;
import dev.intentinference.core.model.ClassifierHead;
import dev.intentinference.core.model.DenseLayer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fuses a trained model into one graph: each encoder's token vectors are pooled ([CLS] Gather or
 * attention-masked mean), L2-normalised when the encoder is, concatenated, passed through the
 * head's dense layers ({@code Gemm} + activation) and a {@code Softmax}. The result has outputs
 * {@link #LOGITS} and {@link #PROBABILITIES}, both {@code [batch, labels]}, with dynamic batch and
 * sequence dimensions: a BertForSequenceClassification-shaped graph any ONNX runtime can serve.
 *
 * <p>Several encoders share the token inputs ({@code input_ids}, {@code attention_mask},
 * {@code token_type_ids}); every other name of encoder {@code i} gets the prefix {@code enc{i}/}.
 *
 * <pre>{@code
 * ModelProto fused = HeadFusion.fuse(List.of(new HeadFusion.Encoder(spec, encoderGraph)), head);
 * }</pre>
 */
public final class HeadFusion {
  public static final String LOGITS = "logits";
  public static final String PROBABILITIES = "probabilities";
  static final Set<String> TOKEN_INPUTS = Set.of("input_ids", "attention_mask", "token_type_ids");
  private static final float NORM_EPSILON = 1e-12f;

  /** One encoder graph and how its token vectors become a sentence vector. */
  public record Encoder(EncoderSpec spec, ModelProto graph) {}

  private HeadFusion() {}

  public static ModelProto fuse(List<Encoder> encoders, ClassifierHead head) {
    if (encoders.isEmpty()) {
      throw new IllegalArgumentException("at least one encoder");
    }
    int width = encoders.stream().mapToInt(e -> e.spec().dimension()).sum();
    if (width != head.inputs()) {
      throw new IntentException("head takes " + head.inputs() + " inputs but the encoders give " + width);
    }
    long opset = OnnxModels.defaultOpset(encoders.get(0).graph());
    for (Encoder e : encoders) {
      if (OnnxModels.defaultOpset(e.graph()) != opset) {
        throw new IntentException("encoders use different ONNX opsets (" + opset + " and "
            + OnnxModels.defaultOpset(e.graph()) + "); they cannot share one graph");
      }
    }
    GraphProto.Builder graph = GraphProto.newBuilder().setName("intent-classifier");
    Map<String, ValueInfoProto> inputs = new LinkedHashMap<>();
    List<String> hidden = new ArrayList<>();
    Map<String, OperatorSetIdProto> opsets = new LinkedHashMap<>();
    for (int i = 0; i < encoders.size(); i++) {
      ModelProto m = encoders.get(i).graph();
      String prefix = encoders.size() == 1 ? "" : "enc" + i + "/";
      GraphProto g = prefix.isEmpty() ? m.getGraph() : rename(m.getGraph(), prefix);
      for (String in : OnnxModels.inputNames(m.getGraph())) {
        if (!TOKEN_INPUTS.contains(in)) {
          throw new IntentException("encoder " + encoders.get(i).spec().id() + " has an unexpected input '" + in + "'");
        }
      }
      for (ValueInfoProto v : g.getInputList()) {
        inputs.putIfAbsent(v.getName(), v);
      }
      if (!OnnxModels.inputNames(m.getGraph()).containsAll(List.of("input_ids", "attention_mask"))) {
        throw new IntentException("encoder " + encoders.get(i).spec().id() + " must take input_ids and attention_mask");
      }
      graph.addAllNode(g.getNodeList()).addAllInitializer(g.getInitializerList()).addAllValueInfo(g.getValueInfoList());
      hidden.add(g.getOutput(0).getName());
      for (OperatorSetIdProto o : m.getOpsetImportList()) {
        opsets.merge(o.getDomain(), o, (a, b) -> a.getVersion() >= b.getVersion() ? a : b);
      }
    }
    graph.addAllInput(inputs.values());
    String batchDim = batchDimName(inputs.get("input_ids"));

    GraphEditor ed = new GraphEditor(graph, "intent/");
    String logitsName = ed.claim(LOGITS);
    String probsName = ed.claim(PROBABILITIES);
    String maskF = null;
    List<String> pooled = new ArrayList<>();
    for (int i = 0; i < encoders.size(); i++) {
      EncoderSpec spec = encoders.get(i).spec();
      String v;
      if (spec.pooling() == Pooling.CLS) {
        String zero = ed.constant("cls_index", OnnxNodes.longs("cls_index", new long[0], 0L));
        v = ed.op("Gather", List.of(hidden.get(i), zero), OnnxNodes.intAttr("axis", 1));
      } else {
        if (maskF == null) {
          maskF = ed.op("Cast", List.of("attention_mask"), OnnxNodes.intAttr("to", TensorProto.DataType.FLOAT_VALUE));
        }
        v = meanPool(ed, hidden.get(i), maskF);
      }
      if (spec.normalize()) {
        v = l2Normalize(ed, v);
      }
      pooled.add(v);
    }
    String x = pooled.size() == 1 ? pooled.get(0) : ed.op("Concat", pooled, OnnxNodes.intAttr("axis", 1));
    List<DenseLayer> layers = head.layers();
    for (int l = 0; l < layers.size(); l++) {
      DenseLayer layer = layers.get(l);
      boolean last = l == layers.size() - 1;
      String w = ed.constant("head/layer" + l + ".weight",
          OnnxNodes.floats("w", new long[] {layer.outputs(), layer.inputs()}, layer.weights()));
      String b = ed.constant("head/layer" + l + ".bias", OnnxNodes.floats("b", new long[] {layer.outputs()}, layer.bias()));
      String affineOut = last && layer.activation() == dev.intentinference.core.model.Activation.NONE
          ? logitsName : ed.fresh("head/layer" + l + "_affine");
      ed.op("Gemm", List.of(x, w, b), affineOut, OnnxNodes.intAttr("transB", 1));
      x = activation(ed, layer, affineOut, last ? logitsName : null);
    }
    ed.op("Softmax", List.of(logitsName), probsName, OnnxNodes.intAttr("axis", 1));
    int labels = head.outputs();
    graph.addOutput(OnnxNodes.matrixInfo(logitsName, TensorProto.DataType.FLOAT, batchDim, labels));
    graph.addOutput(OnnxNodes.matrixInfo(probsName, TensorProto.DataType.FLOAT, batchDim, labels));

    ModelProto first = encoders.get(0).graph();
    return ModelProto.newBuilder()
        .setIrVersion(first.getIrVersion())
        .addAllOpsetImport(opsets.values())
        .setProducerName("intent-inference compiler")
        .setDocString("Intent classifier: encoder(s) + pooling + normalisation + head + softmax, fused by intent compile")
        .setGraph(graph)
        .build();
  }

  /** Masked mean over tokens: {@code sum(h * mask) / max(sum(mask), 1)}. */
  private static String meanPool(GraphEditor ed, String hidden, String maskF) {
    String mask3 = ed.op("Unsqueeze", List.of(maskF), OnnxNodes.intsAttr("axes", 2));
    String weighted = ed.op("Mul", List.of(hidden, mask3));
    String sum = ed.op("ReduceSum", List.of(weighted), OnnxNodes.intsAttr("axes", 1), OnnxNodes.intAttr("keepdims", 0));
    String count = ed.op("ReduceSum", List.of(mask3), OnnxNodes.intsAttr("axes", 1), OnnxNodes.intAttr("keepdims", 0));
    String safe = ed.op("Max", List.of(count, ed.scalar("one", 1f)));
    return ed.op("Div", List.of(sum, safe));
  }

  /** {@code v / max(||v||, eps)}: a zero vector stays zero, as in core's Vectors. */
  private static String l2Normalize(GraphEditor ed, String v) {
    String sq = ed.op("Mul", List.of(v, v));
    String sum = ed.op("ReduceSum", List.of(sq), OnnxNodes.intsAttr("axes", 1), OnnxNodes.intAttr("keepdims", 1));
    String norm = ed.op("Sqrt", List.of(sum));
    String safe = ed.op("Max", List.of(norm, ed.scalar("norm_eps", NORM_EPSILON)));
    return ed.op("Div", List.of(v, safe));
  }

  private static String activation(GraphEditor ed, DenseLayer layer, String x, String outputName) {
    String out = outputName == null ? ed.fresh("head_act") : outputName;
    switch (layer.activation()) {
      case NONE -> {
        return x;
      }
      case RELU -> ed.op("Relu", List.of(x), out);
      case TANH -> ed.op("Tanh", List.of(x), out);
      case GELU -> {
        // The tanh approximation, exactly as core's Activation.GELU computes it.
        String x3 = ed.op("Mul", List.of(ed.op("Mul", List.of(x, x)), x));
        String inner = ed.op("Add", List.of(x, ed.op("Mul", List.of(x3, ed.scalar("gelu_k", 0.044715f)))));
        String t = ed.op("Tanh", List.of(ed.op("Mul", List.of(inner, ed.scalar("gelu_c", 0.7978845608028654f)))));
        String halfX = ed.op("Mul", List.of(x, ed.scalar("half", 0.5f)));
        ed.op("Mul", List.of(halfX, ed.op("Add", List.of(t, ed.scalar("one", 1f)))), out);
      }
      default -> throw new IllegalStateException("unhandled activation " + layer.activation());
    }
    return out;
  }

  static String batchDimName(ValueInfoProto input) {
    if (input != null && input.getType().getTensorType().getShape().getDimCount() > 0) {
      String p = input.getType().getTensorType().getShape().getDim(0).getDimParam();
      if (!p.isEmpty()) {
        return p;
      }
    }
    return "batch_size";
  }

  /** A copy of the graph with every name but the token inputs prefixed. */
  static GraphProto rename(GraphProto g, String prefix) {
    Set<String> keep = new HashSet<>(TOKEN_INPUTS);
    java.util.function.UnaryOperator<String> r = s -> s.isEmpty() || keep.contains(s) ? s : prefix + s;
    GraphProto.Builder b = g.toBuilder().clearNode().clearInitializer().clearValueInfo().clearInput().clearOutput();
    for (NodeProto n : g.getNodeList()) {
      for (AttributeProto a : n.getAttributeList()) {
        if (a.hasG() || a.getGraphsCount() > 0) {
          throw new IntentException("encoder graph has control flow (node " + n.getName() + "); it cannot be stacked with another encoder");
        }
      }
      NodeProto.Builder nb = n.toBuilder().setName(prefix + n.getName()).clearInput().clearOutput();
      n.getInputList().forEach(s -> nb.addInput(r.apply(s)));
      n.getOutputList().forEach(s -> nb.addOutput(r.apply(s)));
      b.addNode(nb);
    }
    g.getInitializerList().forEach(t -> b.addInitializer(t.toBuilder().setName(r.apply(t.getName()))));
    g.getValueInfoList().forEach(v -> b.addValueInfo(v.toBuilder().setName(r.apply(v.getName()))));
    g.getInputList().forEach(v -> b.addInput(v.toBuilder().setName(r.apply(v.getName()))));
    g.getOutputList().forEach(v -> b.addOutput(v.toBuilder().setName(r.apply(v.getName()))));
    return b.build();
  }
}
