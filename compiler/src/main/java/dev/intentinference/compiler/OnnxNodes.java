package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Small factories for ONNX nodes, attributes, tensors and value infos. Everything emitted uses
 * opset-11 forms (axes as attributes), the opset of the encoders we ship, so the fused graph keeps
 * one consistent opset.
 */
final class OnnxNodes {
  private OnnxNodes() {}

  static NodeProto node(String opType, String name, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
    NodeProto.Builder b = NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(inputs).addAllOutput(outputs);
    for (AttributeProto a : attrs) {
      b.addAttribute(a);
    }
    return b.build();
  }

  static AttributeProto intAttr(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  static AttributeProto floatAttr(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
  }

  static AttributeProto intsAttr(String name, long... values) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      b.addInts(v);
    }
    return b.build();
  }

  /** A float tensor stored as raw little-endian bytes, as exporters write weights. */
  static TensorProto floats(String name, long[] dims, float[] values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return raw(name, TensorProto.DataType.FLOAT, dims, buf.array());
  }

  static TensorProto int8s(String name, long[] dims, byte[] values) {
    return raw(name, TensorProto.DataType.INT8, dims, values);
  }

  static TensorProto longs(String name, long[] dims, long... values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    buf.asLongBuffer().put(values);
    return raw(name, TensorProto.DataType.INT64, dims, buf.array());
  }

  static TensorProto raw(String name, TensorProto.DataType type, long[] dims, byte[] bytes) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).setRawData(ByteString.copyFrom(bytes));
    for (long d : dims) {
      b.addDims(d);
    }
    return b.build();
  }

  /** {@code [batch_size, width]} float (or other type) tensor value info; width may be 0 = unknown. */
  static ValueInfoProto matrixInfo(String name, TensorProto.DataType type, String batchDim, long width) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(batchDim));
    shape.addDim(width > 0
        ? TensorShapeProto.Dimension.newBuilder().setDimValue(width)
        : TensorShapeProto.Dimension.newBuilder().setDimParam("labels"));
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(TypeProto.newBuilder().setTensorType(
            TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
        .build();
  }
}
