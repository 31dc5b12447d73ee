package dev.intentinference.compiler;

import dev.intentinference.core.IntentException;
import java.util.Arrays;
import java.util.Locale;

/** Where the artifact will run ({@code --target}); decides the offline optimization and provider. */
public enum Target {
  /** ONNX Runtime's CPU provider: extended graph optimizations are applied and stored offline. */
  CPU,
  /** NVIDIA GPU through ONNX Runtime's CUDA provider. */
  CUDA,
  /** NVIDIA TensorRT through ONNX Runtime's TensorRT provider (CUDA for unsupported nodes). */
  TENSORRT;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isGpu() {
    return this != CPU;
  }

  public static Target parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IntentException("--target: unknown target '" + value + "' (expected one of "
          + Arrays.stream(values()).map(Target::id).toList() + ")");
    }
  }
}
