package dev.intentinference.bench;

/**
 * What a target said about itself when probed, copied into the run summary.
 *
 * @param target the target as given, e.g. {@code http://127.0.0.1:8000}
 * @param model the model name requests are sent to ({@code null} for health-endpoint runs)
 * @param modelVersion the model version when known
 * @param manifestSha256 SHA-256 of the model's manifest when known, so a report says exactly
 *     which model was measured
 * @param platform what runs the model: {@code inproc model dir}, {@code inproc artifact}, or the
 *     server's {@code platform} field
 */
public record TargetInfo(String target, String model, String modelVersion, String manifestSha256, String platform) {}
