package dev.intentinference.core.model;

import dev.intentinference.core.onnx.SessionSettings;

/**
 * How to open a model for prediction.
 *
 * @param session ONNX Runtime thread counts and optimization
 * @param topK intents listed per prediction, at least 1
 * @param allowCpuFallback run a GPU-targeted artifact on the CPU when no GPU provider is
 *     available, instead of failing
 */
public record LoadOptions(SessionSettings session, int topK, boolean allowCpuFallback) {
  public static final int DEFAULT_TOP_K = 3;

  public LoadOptions {
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be at least 1, was " + topK);
    }
  }

  public static LoadOptions defaults() {
    return new LoadOptions(SessionSettings.allCores(), DEFAULT_TOP_K, false);
  }

  public LoadOptions withSession(SessionSettings s) {
    return new LoadOptions(s, topK, allowCpuFallback);
  }

  public LoadOptions withTopK(int k) {
    return new LoadOptions(session, k, allowCpuFallback);
  }

  public LoadOptions withAllowCpuFallback(boolean allow) {
    return new LoadOptions(session, topK, allow);
  }
}
