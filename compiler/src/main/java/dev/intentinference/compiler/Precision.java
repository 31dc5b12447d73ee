package dev.intentinference.compiler;

import dev.intentinference.core.IntentException;
import java.util.Arrays;
import java.util.Locale;

/** Numeric precision of the compiled graph's weights ({@code --precision}). */
public enum Precision {
  /** Weights as the source has them (an int8 source encoder stays int8). */
  FP32,
  /** Dynamic int8 quantization of every constant-weight MatMul/Gemm ({@link DynamicQuantizer}). */
  INT8,
  /** Half-precision weights and arithmetic, for GPU targets ({@link HalfPrecision}). */
  FP16;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Precision parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IntentException("--precision: unknown precision '" + value + "' (expected one of "
          + Arrays.stream(values()).map(Precision::id).toList() + ")");
    }
  }
}
