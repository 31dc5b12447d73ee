package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.intentinference.core.IntentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes ONNX {@link ModelProto}s. Parsing raises protobuf's size limit explicitly:
 * the fp32 encoders are 90-133 MB and a model must never be rejected for size below the format's
 * 2 GB protobuf ceiling.
 *
 * <pre>{@code
 * ModelProto m = OnnxModels.parse(Files.readAllBytes(Path.of("model.onnx")), "model.onnx");
 * }</pre>
 */
public final class OnnxModels {
  /** Protobuf's hard ceiling for one message; larger models need external data, unsupported here. */
  private static final int SIZE_LIMIT = Integer.MAX_VALUE;

  private OnnxModels() {}

  /**
   * Parses a serialized model and checks that it has a graph with at least one node.
   *
   * @param where file name for error messages
   * @throws IntentException if the bytes are not a valid ONNX model (corrupt, truncated, empty)
   */
  public static ModelProto parse(byte[] bytes, String where) {
    if (bytes.length == 0) {
      throw new IntentException(where + ": not a valid ONNX model (empty file)");
    }
    ModelProto model;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.setSizeLimit(SIZE_LIMIT);
      in.setRecursionLimit(256);
      model = ModelProto.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new IntentException(where + ": not a valid ONNX model (corrupt or truncated: " + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new IntentException(where + ": cannot read: " + e.getMessage(), e);
    }
    if (!model.hasGraph() || model.getGraph().getNodeCount() == 0 || model.getOpsetImportCount() == 0) {
      throw new IntentException(where + ": not a valid ONNX model (no graph, nodes or opset)");
    }
    for (TensorProto t : model.getGraph().getInitializerList()) {
      if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
        throw new IntentException(where + ": initializer " + t.getName()
            + " keeps its data in an external file; re-export the model as one self-contained .onnx file");
      }
    }
    return model;
  }

  public static ModelProto read(Path file) {
    try {
      return parse(Files.readAllBytes(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new IntentException(file + ": no such file", e);
    } catch (IOException e) {
      throw new IntentException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** The default-domain opset the model imports, or -1 when it imports none. */
  public static long defaultOpset(ModelProto model) {
    return model.getOpsetImportList().stream()
        .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
        .mapToLong(o -> o.getVersion())
        .findFirst()
        .orElse(-1);
  }

  public static Set<String> inputNames(GraphProto graph) {
    Set<String> inits = new HashSet<>();
    graph.getInitializerList().forEach(t -> inits.add(t.getName()));
    Set<String> names = new java.util.LinkedHashSet<>();
    for (ValueInfoProto v : graph.getInputList()) {
      if (!inits.contains(v.getName())) {
        names.add(v.getName());
      }
    }
    return names;
  }

  public static List<String> outputNames(GraphProto graph) {
    return graph.getOutputList().stream().map(ValueInfoProto::getName).toList();
  }

  /** Every tensor name used anywhere in the graph, to pick names that cannot collide. */
  public static Set<String> tensorNames(GraphProto graph) {
    Set<String> names = new HashSet<>();
    graph.getInputList().forEach(v -> names.add(v.getName()));
    graph.getOutputList().forEach(v -> names.add(v.getName()));
    graph.getInitializerList().forEach(t -> names.add(t.getName()));
    graph.getNodeList().forEach(n -> {
      names.addAll(n.getInputList());
      names.addAll(n.getOutputList());
      names.add(n.getName());
    });
    return names;
  }
}
