package dev.intentinference.core.model;

import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.encoder.Pooling;

/**
 * Which pretrained encoder a model was built on, recorded so a model can be checked against the
 * encoder found at load time.
 *
 * @param id registry id, e.g. {@code bge-small-en-v1.5-q}
 * @param mavenCoordinates the jar the encoder came from
 * @param onnxSha256 SHA-256 of the encoder's ONNX file
 * @param tokenizerSha256 SHA-256 of its {@code tokenizer.json}
 * @param pooling how token vectors were pooled
 * @param normalize whether embeddings were L2-normalised
 * @param maxLength maximum tokens per text
 * @param dimension embedding size
 */
public record EncoderRef(
    String id,
    String mavenCoordinates,
    String onnxSha256,
    String tokenizerSha256,
    Pooling pooling,
    boolean normalize,
    int maxLength,
    int dimension) {

  public static EncoderRef of(EncoderSpec spec, String tokenizerSha256) {
    return new EncoderRef(spec.id(), spec.mavenCoordinates(), spec.onnxSha256(), tokenizerSha256,
        spec.pooling(), spec.normalize(), spec.maxLength(), spec.dimension());
  }
}
