package dev.intentinference.core.encoder;

import java.util.Objects;

/**
 * A pretrained sentence encoder shipped in a Maven jar: where its files are on the classpath and
 * how its token vectors become a sentence embedding.
 *
 * @param id short stable name used on the command line and in manifests, e.g. {@code bge-small-en-v1.5-q}
 * @param mavenCoordinates the jar the files come from, {@code group:artifact:version}
 * @param onnxResource classpath name of the ONNX graph
 * @param tokenizerResource classpath name of the Hugging Face {@code tokenizer.json}
 * @param pooling how to pool token vectors
 * @param normalize whether the pooled vector is scaled to unit L2 norm
 * @param maxLength maximum tokens per text including special tokens (1..512)
 * @param dimension size of the embedding
 * @param precision weight precision of the shipped graph, {@code int8} or {@code fp32}
 * @param onnxSha256 SHA-256 of the ONNX file, checked when the encoder is loaded
 */
public record EncoderSpec(
    String id,
    String mavenCoordinates,
    String onnxResource,
    String tokenizerResource,
    Pooling pooling,
    boolean normalize,
    int maxLength,
    int dimension,
    String precision,
    String onnxSha256) {

  public EncoderSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(onnxResource, "onnxResource");
    Objects.requireNonNull(tokenizerResource, "tokenizerResource");
    Objects.requireNonNull(pooling, "pooling");
    if (maxLength < 1 || maxLength > 512) {
      throw new IllegalArgumentException("maxLength must be in 1..512, was " + maxLength);
    }
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be positive, was " + dimension);
    }
  }
}
