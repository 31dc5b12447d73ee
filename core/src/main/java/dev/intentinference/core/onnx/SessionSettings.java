package dev.intentinference.core.onnx;

/**
 * How an ONNX Runtime session uses threads and optimizes its graph.
 *
 * <p>Thread counts are always set explicitly: ONNX Runtime's default of one intra-op thread per
 * core oversubscribes a 2-core machine as soon as two sessions (or a session and the request
 * threads) run together.
 *
 * @param intraOpThreads threads used inside one operator, 1..256
 * @param interOpThreads threads running independent operators in parallel, 1..256
 * @param optimizeGraph whether to apply ONNX Runtime's full graph optimizations on load
 */
public record SessionSettings(int intraOpThreads, int interOpThreads, boolean optimizeGraph) {
  public SessionSettings {
    if (intraOpThreads < 1 || intraOpThreads > 256) {
      throw new IllegalArgumentException("intraOpThreads must be in 1..256, was " + intraOpThreads);
    }
    if (interOpThreads < 1 || interOpThreads > 256) {
      throw new IllegalArgumentException("interOpThreads must be in 1..256, was " + interOpThreads);
    }
  }

  /** One session using every core: bulk embedding and evaluation. */
  public static SessionSettings allCores() {
    return new SessionSettings(Runtime.getRuntime().availableProcessors(), 1, true);
  }

  /** A single-threaded session: one of several serving instances, or latency at batch size 1. */
  public static SessionSettings singleThread() {
    return new SessionSettings(1, 1, true);
  }
}
