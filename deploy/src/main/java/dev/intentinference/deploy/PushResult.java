package dev.intentinference.deploy;

/**
 * What {@code intent push} did.
 *
 * @param url the artifact's address ({@code s3://bucket/prefix/model/version/file.intent})
 * @param model the model's name (from the artifact's manifest)
 * @param version the version's name (from the artifact's manifest)
 * @param size bytes uploaded (0 when nothing was uploaded)
 * @param sha256 the whole file's SHA-256
 * @param outcome whether it was uploaded, replaced an existing version, or was already there
 */
public record PushResult(String url, String model, String version, long size, String sha256, Outcome outcome) {
  public enum Outcome { UPLOADED, REPLACED, ALREADY_THERE }
}
