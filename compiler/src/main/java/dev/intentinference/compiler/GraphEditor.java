package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.List;
import java.util.Set;

/**
 * Appends nodes and initializers to a graph under a name prefix, making every new name unique
 * against the names already in the graph (exporters use names such as {@code /Add_output_0}
 * freely, so a blind prefix is not enough).
 */
final class GraphEditor {
  private final GraphProto.Builder graph;
  private final Set<String> taken;
  private final String prefix;

  GraphEditor(GraphProto.Builder graph, String prefix) {
    this.graph = graph;
    this.prefix = prefix;
    this.taken = OnnxModels.tensorNames(graph.build());
  }

  GraphProto.Builder graph() {
    return graph;
  }

  /** A fresh tensor or node name starting with the prefix. */
  String fresh(String hint) {
    String base = prefix + hint;
    String name = base;
    for (int i = 1; taken.contains(name); i++) {
      name = base + "_" + i;
    }
    taken.add(name);
    return name;
  }

  /** Claims an exact name (a graph output such as {@code logits}); fails if it is already used. */
  String claim(String exact) {
    if (!taken.add(exact)) {
      throw new IllegalStateException("tensor name " + exact + " is already used in the graph");
    }
    return exact;
  }

  /** Adds a node with one output named {@code output}. */
  String op(String opType, List<String> inputs, String output, AttributeProto... attrs) {
    graph.addNode(OnnxNodes.node(opType, fresh(opType), inputs, List.of(output), attrs));
    return output;
  }

  /** Adds a node with one fresh output. */
  String op(String opType, List<String> inputs, AttributeProto... attrs) {
    return op(opType, inputs, fresh(opType.toLowerCase(java.util.Locale.ROOT) + "_out"), attrs);
  }

  void node(NodeProto node) {
    graph.addNode(node);
  }

  /** Adds an initializer under a fresh name derived from {@code hint}; returns the name. */
  String constant(String hint, TensorProto tensor) {
    String name = fresh(hint);
    graph.addInitializer(tensor.toBuilder().setName(name));
    return name;
  }

  String scalar(String hint, float value) {
    return constant(hint, OnnxNodes.floats(hint, new long[0], new float[] {value}));
  }
}
