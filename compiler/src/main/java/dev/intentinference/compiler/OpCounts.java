package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many nodes of each operator type a graph has: what a compile pass is judged by (a pass
 * that targets {@code MatMul} must leave fewer of them). Operator types are counted by name
 * whatever their domain ({@code MatMulIntegerToFloat} is ONNX Runtime's {@code com.microsoft}).
 *
 * <pre>{@code
 * OpCounts c = OpCounts.of(model);
 * int matMuls = c.count("MatMul");
 * }</pre>
 *
 * @param byOp nodes per operator type, sorted by type
 */
public record OpCounts(Map<String, Integer> byOp) {
  public OpCounts {
    byOp = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(byOp));
  }

  public static OpCounts of(ModelProto model) {
    Map<String, Integer> m = new TreeMap<>();
    for (NodeProto n : model.getGraph().getNodeList()) {
      m.merge(n.getOpType(), 1, Integer::sum);
    }
    return new OpCounts(m);
  }

  /** The counts of several graphs together (the encoders before they are fused into one). */
  public static OpCounts sum(Collection<ModelProto> models) {
    Map<String, Integer> m = new TreeMap<>();
    for (ModelProto model : models) {
      of(model).byOp().forEach((k, v) -> m.merge(k, v, Integer::sum));
    }
    return new OpCounts(m);
  }

  /** Nodes of this operator type, 0 when there are none. */
  public int count(String opType) {
    return byOp.getOrDefault(opType, 0);
  }

  /** All nodes. */
  public int total() {
    return byOp.values().stream().mapToInt(Integer::intValue).sum();
  }
}
