package dev.intentinference.core.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.onnx.OrtSessions;
import java.util.Locale;

/**
 * Builds the ONNX Runtime session for an artifact's target. {@code cpu} needs nothing;
 * {@code cuda} and {@code tensorrt} need the GPU build of ONNX Runtime and a GPU, and fail with a
 * clear message without them unless CPU fallback was asked for.
 */
public final class ArtifactSessionFactory {
  private ArtifactSessionFactory() {}

  public static String targetOf(ModelManifest m) {
    Object t = m.compile() == null ? null : m.compile().get("target");
    return t == null ? "cpu" : t.toString().toLowerCase(Locale.ROOT);
  }

  public static OrtSession create(IntentArtifact artifact, LoadOptions options) {
    String target = targetOf(artifact.manifest());
    byte[] onnx = artifact.entry(IntentArtifact.MODEL_ENTRY);
    if (target.equals("cpu")) {
      return OrtSessions.create(onnx, options.session());
    }
    try (OrtSession.SessionOptions so = OrtSessions.options(options.session())) {
      try {
        switch (target) {
          case "cuda" -> so.addCUDA(0);
          case "tensorrt" -> {
            so.addTensorrt(0);
            so.addCUDA(0);
          }
          default -> throw new IntentException("artifact target '" + target + "' is unknown (expected cpu, cuda or tensorrt)");
        }
      } catch (OrtException | UnsatisfiedLinkError | IllegalArgumentException e) {
        if (!options.allowCpuFallback()) {
          throw new IntentException("artifact is compiled for " + target + " but this machine cannot run it ("
              + firstLine(e.getMessage()) + "); use a GPU machine with the onnxruntime_gpu build, or allow CPU fallback", e);
        }
        return OrtSessions.create(onnx, options.session());
      }
      return ExitGuard.process().call(() -> OrtEnvironment.getEnvironment().createSession(onnx, so));
    } catch (OrtException e) {
      throw new IntentException("ONNX Runtime cannot load the artifact for " + target + ": " + firstLine(e.getMessage()), e);
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "provider unavailable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
