package dev.intentinference.compiler;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ExitGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs ONNX Runtime's graph optimizer ahead of time and keeps the optimized graph, so the serving
 * machine loads a graph that is already fused.
 *
 * <p>For {@link Target#CPU} the extended level is used (node fusions such as attention, GELU,
 * LayerNorm and {@code MatMulIntegerToFloat}, some of them ONNX Runtime contrib operators). The
 * layout level is deliberately not stored: ONNX Runtime documents it as specific to the CPU
 * that ran it. For GPU targets only the basic, provider-independent level (constant folding,
 * redundant-node removal) can be applied on a machine without the GPU; the remaining fusions
 * happen when the GPU session loads the graph.
 */
public final class OfflineOptimizer {
  private OfflineOptimizer() {}

  /**
   * @param model optimized graph bytes
   * @param level ONNX Runtime optimization level applied
   * @param providerOptions what the serving session should be created with
   */
  public record Result(byte[] model, String level, Map<String, Object> providerOptions) {}

  public static Result optimize(byte[] onnx, Target target, int threads) {
    OrtSession.SessionOptions.OptLevel level = target == Target.CPU
        ? OrtSession.SessionOptions.OptLevel.EXTENDED_OPT
        : OrtSession.SessionOptions.OptLevel.BASIC_OPT;
    Path tmp = null;
    try {
      tmp = Files.createTempFile("intent-optimized-", ".onnx");
      // Ctrl-C during the optimization ends the process with this thread held in ONNX Runtime's
      // call (ExitGuard), so the finally below never runs: the JVM's exit deletes the file instead.
      tmp.toFile().deleteOnExit();
      Path optimizedFile = tmp;
      // Native code the exit must not race (ExitGuard): the options, the session and their release.
      ExitGuard.process().run(() -> {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
          so.setIntraOpNumThreads(threads);
          so.setInterOpNumThreads(1);
          so.setOptimizationLevel(level);
          so.setOptimizedModelFilePath(optimizedFile.toString());
          // Creating the session writes the optimized graph to the file.
          OrtEnvironment.getEnvironment().createSession(onnx, so).close();
        }
      });
      byte[] optimized = Files.readAllBytes(tmp);
      if (optimized.length == 0) {
        throw new IllegalStateException("ONNX Runtime wrote an empty optimized graph");
      }
      return new Result(optimized, level.name().toLowerCase(java.util.Locale.ROOT), providerOptions(target, threads));
    } catch (OrtException e) {
      throw new IntentException("ONNX Runtime rejects the graph: " + firstLine(e.getMessage()), e);
    } catch (IOException e) {
      throw new UncheckedIOException("optimizing graph", e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // a leftover temp file is harmless
        }
      }
    }
  }

  /** The providers (in order) and options the artifact is meant to be loaded with. */
  static Map<String, Object> providerOptions(Target target, int threads) {
    Map<String, Object> p = new LinkedHashMap<>();
    switch (target) {
      case CPU -> p.put("providers", java.util.List.of("CPUExecutionProvider"));
      case CUDA -> {
        p.put("providers", java.util.List.of("CUDAExecutionProvider", "CPUExecutionProvider"));
        p.put("CUDAExecutionProvider", Map.of("device_id", 0));
      }
      case TENSORRT -> {
        p.put("providers", java.util.List.of("TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"));
        p.put("TensorrtExecutionProvider", Map.of("device_id", 0));
        p.put("CUDAExecutionProvider", Map.of("device_id", 0));
      }
      default -> throw new IllegalStateException();
    }
    p.put("graph_optimization_level_at_load", "all");
    p.put("intra_op_threads_at_compile", threads);
    return p;
  }

  static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
