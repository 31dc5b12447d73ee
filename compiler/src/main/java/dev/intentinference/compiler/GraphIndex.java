package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.intentinference.core.onnx.OnnxTensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Read-only questions about one ONNX graph, answered from indexes built once: which node makes a
 * tensor, which nodes read it, which constant it is. Pattern-matching passes ask these many times
 * per block; the graph itself is never changed here.
 *
 * <pre>{@code
 * GraphIndex index = new GraphIndex(model.getGraph());
 * NodeProto softmaxInput = index.producerOf(softmax.getInput(0), "Add");
 * }</pre>
 */
final class GraphIndex {
  private final List<NodeProto> nodes;
  private final Map<String, Integer> producer = new HashMap<>();
  private final Map<String, List<Integer>> consumers = new HashMap<>();
  private final Map<String, TensorProto> inits = new HashMap<>();

  GraphIndex(GraphProto g) {
    this.nodes = g.getNodeList();
    for (int i = 0; i < nodes.size(); i++) {
      for (String out : nodes.get(i).getOutputList()) {
        producer.put(out, i);
      }
      for (String in : nodes.get(i).getInputList()) {
        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
      }
    }
    g.getInitializerList().forEach(t -> inits.put(t.getName(), t));
  }

  List<NodeProto> nodes() {
    return nodes;
  }

  Set<String> initializerNames() {
    return inits.keySet();
  }

  TensorProto initializer(String tensor) {
    return inits.get(tensor);
  }

  boolean hasProducer(String tensor) {
    return producer.containsKey(tensor);
  }

  /** The index of the node that makes {@code tensor}, or null for inputs and initializers. */
  Integer producer(String tensor) {
    return producer.get(tensor);
  }

  /** The indexes of the nodes that read {@code tensor}. */
  List<Integer> consumers(String tensor) {
    return consumers.getOrDefault(tensor, List.of());
  }

  /** A shape tensor's values: a constant, or a Concat of constants and dynamic one-element parts (-1). */
  long[] shapeOf(String tensor) {
    long[] c = constantLongs(tensor);
    if (c != null) {
      return c;
    }
    NodeProto concat = producerOf(tensor, "Concat");
    if (concat == null) {
      return null;
    }
    List<Long> out = new ArrayList<>();
    for (String in : concat.getInputList()) {
      long[] part = constantLongs(in);
      if (part != null) {
        for (long v : part) {
          out.add(v);
        }
      } else if (producerOf(in, "Unsqueeze") != null) {
        out.add(-1L);
      } else {
        return null;
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  TensorProto constant(String tensor) {
    TensorProto t = inits.get(tensor);
    if (t != null) {
      return t;
    }
    NodeProto c = producerOf(tensor, "Constant");
    if (c == null) {
      return null;
    }
    for (AttributeProto a : c.getAttributeList()) {
      if (a.getName().equals("value") && a.hasT()) {
        return a.getT();
      }
    }
    return null;
  }

  float[] constantFloats(String tensor) {
    TensorProto t = constant(tensor);
    return t == null || t.getDataType() != TensorProto.DataType.FLOAT_VALUE ? null : OnnxTensors.floatValues(t);
  }

  long[] constantLongs(String tensor) {
    TensorProto t = constant(tensor);
    if (t == null || t.getDataType() != TensorProto.DataType.INT64_VALUE) {
      return null;
    }
    if (!t.getRawData().isEmpty()) {
      ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      long[] out = new long[b.remaining() / Long.BYTES];
      b.asLongBuffer().get(out);
      return out;
    }
    return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
  }

  static boolean hasBytes(TensorProto t) {
    return !t.getRawData().isEmpty() || t.getInt32DataCount() > 0;
  }

  /** An 8-bit tensor's bytes (raw, or one value per {@code int32_data} entry), null if it has neither. */
  static byte[] bytes(TensorProto t) {
    ByteString raw = t.getRawData();
    if (!raw.isEmpty()) {
      return raw.toByteArray();
    }
    if (t.getInt32DataCount() == 0) {
      return null;
    }
    byte[] out = new byte[t.getInt32DataCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) t.getInt32Data(i);
    }
    return out;
  }

  NodeProto producerOf(String tensor, String op) {
    Integer p = producer.get(tensor);
    return p != null && isOp(nodes.get(p), op) ? nodes.get(p) : null;
  }

  Integer onlyConsumer(String tensor, String op) {
    List<Integer> users = consumers.getOrDefault(tensor, List.of());
    return users.size() == 1 && isOp(nodes.get(users.get(0)), op) ? users.get(0) : null;
  }

  static boolean isOp(NodeProto n, String op) {
    return n.getOpType().equals(op) && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"));
  }

  static int[] perm(NodeProto transpose) {
    long[] p = intsAttr(transpose, "perm");
    return p == null ? null : Arrays.stream(p).mapToInt(x -> (int) x).toArray();
  }

  static long[] intsAttr(NodeProto n, String name) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
      }
    }
    return null;
  }

}
