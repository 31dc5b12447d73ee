package dev.intentinference.core.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ExitGuard;

/** Creates ONNX Runtime sessions with explicit settings. */
public final class OrtSessions {
  private OrtSessions() {}

  /** A session over an in-memory ONNX graph; the caller closes it ({@link #close}). */
  public static OrtSession create(byte[] onnx, SessionSettings settings) {
    try {
      // Loading and optimizing a graph is where an exit most often caught ONNX Runtime (ExitGuard).
      // The options are made inside too: the process's first ones unpack and load the library,
      // which an exit should find loaded or not started, to remove its unpacked copy.
      return ExitGuard.process().call(() -> {
        try (OrtSession.SessionOptions options = options(settings)) {
          return OrtEnvironment.getEnvironment().createSession(onnx, options);
        }
      });
    } catch (OrtException e) {
      throw new IntentException("ONNX Runtime cannot load the graph: " + firstLine(e.getMessage()), e);
    }
  }

  /** Closes {@code session} through {@link ExitGuard}: releasing it is native code too. */
  public static void close(OrtSession session) throws OrtException {
    ExitGuard.process().run(session::close);
  }

  public static OrtSession.SessionOptions options(SessionSettings settings) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(settings.intraOpThreads());
    options.setInterOpNumThreads(settings.interOpThreads());
    options.setOptimizationLevel(
        settings.optimizeGraph()
            ? OrtSession.SessionOptions.OptLevel.ALL_OPT
            : OrtSession.SessionOptions.OptLevel.NO_OPT);
    return options;
  }

  static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
