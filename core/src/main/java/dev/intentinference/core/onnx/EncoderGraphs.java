package dev.intentinference.core.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.encoder.LayerSelection;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.io.Hashes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An encoder's ONNX graph as the model uses it: the shipped file, checked against its SHA-256,
 * then cut down to the spec's {@link LayerSelection} when it has one. Cutting keeps only the
 * nodes and weights the selected hidden states need, and ends in one output (named as the shipped
 * one) holding them concatenated along the hidden axis, so pooling code sees the usual
 * {@code [batch, sequence, width]} tensor, only wider.
 *
 * <pre>{@code
 * byte[] onnx = EncoderGraphs.bytes(EncoderRegistry.builtIn().get("all-minilm-l6-v2-q@0-3"));
 * }</pre>
 *
 * <p>Hidden states are found by the node names of the Hugging Face BERT export (as in the
 * encoder jars): {@code /embeddings/LayerNorm/Add_1} for state 0 and {@code
 * /encoder/layer.N/output/LayerNorm/Add_1} for the output of layer {@code N+1}.
 */
public final class EncoderGraphs {
  private EncoderGraphs() {}

  /** The graph the spec describes, serialized. */
  public static byte[] bytes(EncoderSpec spec) {
    byte[] shipped = shipped(spec);
    if (spec.selection() == null) {
      return shipped;
    }
    return select(parse(shipped, spec), spec).toByteArray();
  }

  /** The graph the spec describes, parsed. */
  public static ModelProto model(EncoderSpec spec) {
    return model(spec, shipped(spec));
  }

  /**
   * The spec's graph made from {@code onnx} instead of the shipped file: a fine-tuned copy of the
   * same topology, whose hash the caller has checked. The spec's layer selection applies as usual.
   */
  public static ModelProto model(EncoderSpec spec, byte[] onnx) {
    ModelProto graph = parse(onnx, spec);
    return spec.selection() == null ? graph : select(graph, spec);
  }

  /** {@link #model(EncoderSpec, byte[])}, serialized. */
  public static byte[] bytes(EncoderSpec spec, byte[] onnx) {
    return spec.selection() == null ? onnx : select(parse(onnx, spec), spec).toByteArray();
  }

  /** The shipped graph as it is in the jar, checked against its SHA-256, whole (no selection applied). */
  public static ModelProto shippedModel(EncoderSpec spec) {
    return parse(shipped(spec), spec);
  }

  private static byte[] shipped(EncoderSpec spec) {
    byte[] onnx = ClasspathResources.readAll(spec.onnxResource());
    String actual = Hashes.sha256(onnx);
    if (!actual.equals(spec.onnxSha256())) {
      throw new IntentException(
          "encoder " + spec.id() + ": ONNX file SHA-256 is " + actual + ", expected " + spec.onnxSha256());
    }
    return onnx;
  }

  private static ModelProto parse(byte[] onnx, EncoderSpec spec) {
    try {
      return ModelProto.parseFrom(onnx);
    } catch (InvalidProtocolBufferException e) {
      throw new IntentException("encoder " + spec.id() + ": " + spec.onnxResource() + " is not an ONNX model", e);
    }
  }

  /** Cuts {@code shipped} down to the spec's selection (which must not be null). */
  static ModelProto select(ModelProto shipped, EncoderSpec spec) {
    GraphProto g = shipped.getGraph();
    String output = g.getOutput(0).getName();
    List<String> states = stateTensors(g, spec);
    Set<String> needed = new HashSet<>();
    Set<NodeProto> kept = producersOf(g, states, needed, spec);
    // The last layer's state may be the shipped output itself: it gets another name, so the
    // join can own the output name.
    String renamed = output + "/state";
    states.replaceAll(t -> t.equals(output) ? renamed : t);

    GraphProto.Builder out = g.toBuilder().clearNode().clearInitializer().clearOutput().clearValueInfo();
    for (NodeProto n : g.getNodeList()) {
      if (kept.contains(n)) {
        out.addNode(renameTensor(n, output, renamed));
      }
    }
    out.addNode(join(states, output));
    for (TensorProto t : g.getInitializerList()) {
      if (needed.contains(t.getName())) {
        out.addInitializer(t);
      }
    }
    out.addOutput(widened(g.getOutput(0), spec.dimension()));
    return shipped.toBuilder().setGraph(out).build();
  }

  /** The tensors holding the selected hidden states, lowest first. */
  private static List<String> stateTensors(GraphProto g, EncoderSpec spec) {
    Map<String, String> byNodeName = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      if (n.getOutputCount() > 0) {
        byNodeName.put(n.getName(), n.getOutput(0));
      }
    }
    List<String> states = new ArrayList<>();
    LayerSelection selection = spec.selection();
    for (int state = selection.first(); state <= selection.last(); state++) {
      String node = state == 0 ? "/embeddings/LayerNorm/Add_1" : "/encoder/layer." + (state - 1) + "/output/LayerNorm/Add_1";
      String tensor = byNodeName.get(node);
      if (tensor == null) {
        throw new IntentException("encoder " + spec.id() + ": cannot select hidden state " + state
            + ": the graph has no node '" + node + "' (layer selection needs a Hugging Face BERT export)");
      }
      states.add(tensor);
    }
    return states;
  }

  /**
   * The nodes the {@code targets} depend on; every tensor they read (initializers included) is
   * added to {@code needed}.
   */
  private static Set<NodeProto> producersOf(GraphProto g, List<String> targets, Set<String> needed, EncoderSpec spec) {
    Map<String, NodeProto> producers = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      for (String out : n.getOutputList()) {
        producers.put(out, n);
      }
    }
    Set<NodeProto> kept = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(targets);
    while (!todo.isEmpty()) {
      String tensor = todo.pop();
      if (!needed.add(tensor)) {
        continue;
      }
      NodeProto n = producers.get(tensor);
      if (n != null && kept.add(n)) {
        for (AttributeProto a : n.getAttributeList()) {
          if (a.hasG() || a.getGraphsCount() > 0) {
            throw new IntentException("encoder " + spec.id() + ": layer selection does not handle subgraphs (node " + n.getName() + ")");
          }
        }
        todo.addAll(n.getInputList());
      }
    }
    return kept;
  }

  /** One state passes through; several are concatenated along the hidden axis. */
  private static NodeProto join(List<String> states, String output) {
    if (states.size() == 1) {
      return NodeProto.newBuilder().setOpType("Identity").setName("/select/Identity").addInput(states.get(0)).addOutput(output).build();
    }
    return NodeProto.newBuilder().setOpType("Concat").setName("/select/Concat").addAllInput(states).addOutput(output)
        .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(-1)).build();
  }

  private static NodeProto renameTensor(NodeProto n, String from, String to) {
    if (!n.getOutputList().contains(from) && !n.getInputList().contains(from)) {
      return n;
    }
    NodeProto.Builder b = n.toBuilder();
    for (int i = 0; i < b.getInputCount(); i++) {
      if (b.getInput(i).equals(from)) {
        b.setInput(i, to);
      }
    }
    for (int i = 0; i < b.getOutputCount(); i++) {
      if (b.getOutput(i).equals(from)) {
        b.setOutput(i, to);
      }
    }
    return b.build();
  }

  /** The shipped output's description with its last axis set to the new width. */
  private static ValueInfoProto widened(ValueInfoProto shipped, int width) {
    ValueInfoProto.Builder b = shipped.toBuilder();
    if (b.getType().hasTensorType() && b.getType().getTensorType().hasShape()) {
      TensorShapeProto.Builder shape = b.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
      int last = shape.getDimCount() - 1;
      if (last >= 0) {
        shape.setDim(last, TensorShapeProto.Dimension.newBuilder().setDimValue(width));
      }
    }
    return b.build();
  }
}
