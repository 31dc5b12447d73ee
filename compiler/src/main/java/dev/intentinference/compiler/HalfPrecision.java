package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.onnx.OnnxTensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;

/**
 * Converts a float32 graph to float16 for GPU targets: every float initializer and
 * {@code Constant} becomes float16 (clamped to ±65504 so "minus infinity" mask constants stay
 * finite), every {@code Cast} to float casts to float16, and each graph output gets a final
 * {@code Cast} back to float32 so callers keep reading float32 {@code logits} and
 * {@code probabilities}. Graphs holding quantized operators are refused: their scales must stay
 * float32.
 */
public final class HalfPrecision {
  private static final Set<String> QUANTIZED_OPS = Set.of("DynamicQuantizeLinear", "QuantizeLinear", "DequantizeLinear",
      "MatMulInteger", "ConvInteger", "QLinearMatMul", "MatMulIntegerToFloat", "DynamicQuantizeMatMul");
  private static final float HALF_MAX = 65504f;

  private HalfPrecision() {}

  /**
   * @param model the float16 graph
   * @param emulation the float32 graph with float16-rounded weights, for verifying on a CPU
   * @param converted tensors converted (initializers and constants)
   */
  public record Result(ModelProto model, ModelProto emulation, int converted) {}

  public static Result convert(ModelProto model) {
    GraphProto g = model.getGraph();
    for (NodeProto n : g.getNodeList()) {
      if (QUANTIZED_OPS.contains(n.getOpType())) {
        throw new IntentException("--precision fp16: the model's graph is already quantized (" + n.getOpType()
            + "); compile an fp32 encoder (e.g. bge-small-en-v1.5) to fp16, or use --precision fp32/int8");
      }
    }
    GraphProto.Builder half = g.toBuilder().clearInitializer().clearNode().clearValueInfo().clearOutput();
    GraphProto.Builder emu = g.toBuilder().clearInitializer();
    int converted = 0;
    for (TensorProto t : g.getInitializerList()) {
      if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
        float[] v = OnnxTensors.floatValues(t);
        half.addInitializer(toHalf(t, v));
        emu.addInitializer(roundTrip(t, v));
        converted++;
      } else {
        half.addInitializer(t);
        emu.addInitializer(t);
      }
    }
    java.util.Map<String, String> renamedOutputs = new java.util.HashMap<>();
    for (ValueInfoProto o : g.getOutputList()) {
      renamedOutputs.put(o.getName(), o.getName() + "_fp16");
    }
    for (NodeProto n : g.getNodeList()) {
      NodeProto.Builder nb = n.toBuilder();
      for (int i = 0; i < nb.getOutputCount(); i++) {
        String r = renamedOutputs.get(nb.getOutput(i));
        if (r != null) {
          nb.setOutput(i, r);
        }
      }
      for (int i = 0; i < nb.getInputCount(); i++) {
        String r = renamedOutputs.get(nb.getInput(i));
        if (r != null) {
          nb.setInput(i, r);
        }
      }
      for (int i = 0; i < nb.getAttributeCount(); i++) {
        AttributeProto a = nb.getAttribute(i);
        if (n.getOpType().equals("Cast") && a.getName().equals("to") && a.getI() == TensorProto.DataType.FLOAT_VALUE) {
          nb.setAttribute(i, a.toBuilder().setI(TensorProto.DataType.FLOAT16_VALUE));
        } else if (a.hasT() && a.getT().getDataType() == TensorProto.DataType.FLOAT_VALUE) {
          nb.setAttribute(i, a.toBuilder().setT(toHalf(a.getT(), OnnxTensors.floatValues(a.getT()))));
          converted++;
        }
      }
      half.addNode(nb);
    }
    for (ValueInfoProto o : g.getOutputList()) {
      half.addNode(OnnxNodes.node("Cast", "fp16/cast_" + o.getName(), List.of(renamedOutputs.get(o.getName())),
          List.of(o.getName()), OnnxNodes.intAttr("to", TensorProto.DataType.FLOAT_VALUE)));
      half.addOutput(o);
    }
    return new Result(model.toBuilder().setGraph(half).build(), model.toBuilder().setGraph(emu).build(), converted);
  }

  private static TensorProto toHalf(TensorProto t, float[] v) {
    ByteBuffer buf = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      buf.putShort(floatToHalf(Math.max(-HALF_MAX, Math.min(HALF_MAX, x))));
    }
    return t.toBuilder().clearFloatData().setDataType(TensorProto.DataType.FLOAT16_VALUE)
        .setRawData(ByteString.copyFrom(buf.array())).build();
  }

  private static TensorProto roundTrip(TensorProto t, float[] v) {
    float[] r = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = halfToFloat(floatToHalf(Math.max(-HALF_MAX, Math.min(HALF_MAX, v[i]))));
    }
    long[] dims = OnnxTensors.dims(t);
    return OnnxNodes.floats(t.getName(), dims, r);
  }

  /** IEEE 754 binary16, round to nearest even (Java 17 has no Float.floatToFloat16). */
  static short floatToHalf(float f) {
    int bits = Float.floatToIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      mant |= 0x800000;
      int shift = 14 - e;
      int half = mant >> shift;
      int rem = mant & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rem > mid || (rem == mid && (half & 1) == 1)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >> 13);
    int rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1) == 1)) {
      half++;
    }
    return (short) (sign | half);
  }

  static float halfToFloat(short h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant / 1024f * (float) Math.pow(2, -14);
      return sign != 0 ? -v : v;
    }
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }
}
