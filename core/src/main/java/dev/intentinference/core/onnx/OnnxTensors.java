package dev.intentinference.core.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Float values in and out of ONNX tensors, for the modules that edit graphs (compiler, train). */
public final class OnnxTensors {
  private OnnxTensors() {}

  /** A float tensor's values, whether stored as raw bytes or in {@code float_data}. */
  public static float[] floatValues(TensorProto t) {
    if (t.getDataType() != TensorProto.DataType.FLOAT.getNumber()) {
      throw new IllegalArgumentException("tensor " + t.getName() + " is not float32");
    }
    if (!t.getRawData().isEmpty()) {
      ByteBuffer buf = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      float[] out = new float[buf.remaining() / Float.BYTES];
      buf.asFloatBuffer().get(out);
      return out;
    }
    float[] out = new float[t.getFloatDataCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = t.getFloatData(i);
    }
    return out;
  }

  /** {@code t} (name, shape, type kept) holding {@code values} as raw little-endian bytes. */
  public static TensorProto withFloatValues(TensorProto t, float[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    return t.toBuilder().clearFloatData().setRawData(com.google.protobuf.ByteString.copyFrom(raw.array())).build();
  }
}
