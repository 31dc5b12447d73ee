package dev.intentinference.core.model;

import java.time.Instant;

/**
 * Where and with what a model or artifact was made. Kept because floating-point results can
 * differ across JVMs, CPUs and ONNX Runtime builds, so a surprising number can be traced.
 */
public record BuildInfo(
    String createdAt,
    String toolVersion,
    String gitCommit,
    String java,
    String os,
    String arch,
    String onnxRuntime,
    int cores) {

  /** This process's facts; {@code gitCommit} as given (may be null). */
  public static BuildInfo current(String toolVersion, String gitCommit, String onnxRuntimeVersion) {
    return new BuildInfo(
        Instant.now().toString(),
        toolVersion,
        gitCommit,
        System.getProperty("java.vendor") + " " + System.getProperty("java.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        System.getProperty("os.arch"),
        onnxRuntimeVersion,
        Runtime.getRuntime().availableProcessors());
  }
}
