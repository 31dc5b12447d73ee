package dev.intentinference.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param file the model directory's own ONNX file for this encoder (a fine-tuned encoder), or
 *     null when the graph is the one shipped in the encoder's jar; {@code onnxSha256} is then
 *     this file's hash
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EncoderRef(
    String id,
    String mavenCoordinates,
    String onnxSha256,
    String tokenizerSha256,
    Pooling pooling,
    boolean normalize,
    int maxLength,
    int dimension,
    String file) {

  public static EncoderRef of(EncoderSpec spec, String tokenizerSha256) {
    return new EncoderRef(spec.id(), spec.mavenCoordinates(), spec.onnxSha256(), tokenizerSha256,
        spec.pooling(), spec.normalize(), spec.maxLength(), spec.dimension(), null);
  }

  /** A reference to a fine-tuned copy of {@code spec}'s graph, kept in the model directory as {@code file}. */
  public static EncoderRef fineTuned(EncoderSpec spec, String tokenizerSha256, String file, String fileSha256) {
    return new EncoderRef(spec.id(), spec.mavenCoordinates(), fileSha256, tokenizerSha256,
        spec.pooling(), spec.normalize(), spec.maxLength(), spec.dimension(), file);
  }

  /** As recorded in a compiled artifact: at most {@code length} tokens, and no file of its own (the graph is fused). */
  public EncoderRef compiled(int length) {
    return new EncoderRef(id, mavenCoordinates, onnxSha256, tokenizerSha256, pooling, normalize,
        Math.min(maxLength, length), dimension, null);
  }
}
