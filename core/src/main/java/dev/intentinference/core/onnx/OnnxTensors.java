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
    return rawFloats(t.toBuilder(), values).build();
  }

  /** {@code t} (name and type kept) reshaped to {@code dims}, holding {@code values}. */
  public static TensorProto withFloatValues(TensorProto t, long[] dims, float[] values) {
    TensorProto.Builder b = t.toBuilder().clearDims();
    for (long d : dims) {
      b.addDims(d);
    }
    return rawFloats(b, values).build();
  }

  /** A tensor's dimensions. */
  public static long[] dims(TensorProto t) {
    return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
  }

  private static TensorProto.Builder rawFloats(TensorProto.Builder b, float[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    return b.clearFloatData().setRawData(com.google.protobuf.ByteString.copyFrom(raw.array()));
  }
}
