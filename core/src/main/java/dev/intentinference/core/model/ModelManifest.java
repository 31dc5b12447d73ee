package dev.intentinference.core.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json}: what a model is and how it was made (its provenance). The same record
 * describes a trained model directory ({@link #KIND_MODEL}) and a compiled artifact
 * ({@link #KIND_ARTIFACT}); fields added in later versions are optional, and unknown fields are
 * ignored, so older manifests keep loading.
 *
 * @param formatVersion manifest format, currently {@value #FORMAT_VERSION}
 * @param kind {@code model} (encoder + head files) or {@code artifact} (one fused graph)
 * @param name model name, e.g. {@code clinc150}
 * @param version model version, e.g. {@code 1}
 * @param labels intent labels in logit order
 * @param encoders encoders whose embeddings are concatenated to form the head's input
 * @param threshold the out-of-scope rule
 * @param head the classification head (models only)
 * @param training hyperparameters, seed, dataset hashes and sizes
 * @param metrics validation metrics recorded at training time
 * @param compile how the artifact was compiled (artifacts only)
 * @param files SHA-256 of every other file of the model or artifact, by name
 * @param build when, where and with what it was made
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(
    @JsonProperty("format_version") int formatVersion,
    String kind,
    String name,
    String version,
    List<String> labels,
    List<EncoderRef> encoders,
    ThresholdInfo threshold,
    HeadInfo head,
    Map<String, Object> training,
    Map<String, Object> metrics,
    Map<String, Object> compile,
    Map<String, String> files,
    BuildInfo build) {

  public static final int FORMAT_VERSION = 1;
  /**
   * The format of manifests whose threshold applies to a score other than the best probability:
   * builds that read only format 1 would apply it to the best probability, silently deciding
   * out-of-scope wrongly, so they must refuse such a model instead.
   */
  public static final int SCORED_THRESHOLD_FORMAT_VERSION = 2;
  /** The newest format this build reads. */
  public static final int MAX_FORMAT_VERSION = SCORED_THRESHOLD_FORMAT_VERSION;

  /** The format a manifest with this out-of-scope rule is written in: the oldest that can carry it. */
  public static int formatFor(ThresholdInfo threshold) {
    return threshold == null || threshold.confidenceScore() == ConfidenceScore.MAX_PROBABILITY
        ? FORMAT_VERSION : SCORED_THRESHOLD_FORMAT_VERSION;
  }
  public static final String KIND_MODEL = "model";
  public static final String KIND_ARTIFACT = "artifact";
  public static final String FILE_NAME = "manifest.json";

  public ModelManifest {
    // A loop, not contains(null), which immutable lists refuse: List.copyOf's bare NullPointerException said nothing.
    for (String label : labels == null ? List.<String>of() : labels) {
      if (label == null) {
        throw new IllegalArgumentException("manifest labels hold a null");
      }
    }
    labels = labels == null ? List.of() : List.copyOf(labels);
    encoders = encoders == null ? List.of() : List.copyOf(encoders);
  }

  /** The maximum tokens per text the model accepts (the smallest of its encoders'). */
  public int maxLength() {
    return encoders.stream().mapToInt(EncoderRef::maxLength).min().orElse(512);
  }

  /** The same manifest with {@code files} (name to SHA-256) and {@code kind} set. */
  public ModelManifest withFiles(Map<String, String> fileHashes, String newKind) {
    return new ModelManifest(formatVersion, newKind, name, version, labels, encoders, threshold, head,
        training, metrics, compile, fileHashes, build);
  }

  /** The same manifest under another name and version (null keeps the current one). */
  public ModelManifest withIdentity(String newName, String newVersion) {
    return new ModelManifest(formatVersion, kind, newName == null ? name : newName, newVersion == null ? version : newVersion,
        labels, encoders, threshold, head, training, metrics, compile, files, build);
  }

  /** The same manifest with another compile record. */
  public ModelManifest withCompile(Map<String, Object> newCompile) {
    return new ModelManifest(formatVersion, kind, name, version, labels, encoders, threshold, head,
        training, metrics, newCompile, files, build);
  }

  public ModelManifest withBuild(BuildInfo newBuild) {
    return new ModelManifest(formatVersion, kind, name, version, labels, encoders, threshold, head,
        training, metrics, compile, files, newBuild);
  }
}
