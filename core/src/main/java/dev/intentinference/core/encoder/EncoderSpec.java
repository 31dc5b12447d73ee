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
 * @param layers transformer layers in the shipped graph
 * @param selection which hidden states are pooled, or null for the shipped graph's output
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
    String onnxSha256,
    int layers,
    LayerSelection selection) {

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
    if (layers < 1) {
      throw new IllegalArgumentException("layers must be positive, was " + layers);
    }
    if (selection != null && selection.last() > layers) {
      throw new IllegalArgumentException(id + " has " + layers + " layers; cannot select " + selection);
    }
  }

  /**
   * This encoder cut down to the hidden states of {@code selection}: the graph runs only up to
   * its last layer, and the pooled vector is the concatenation of the selected states (so the
   * dimension grows with their count). The id gets the selection as a suffix, e.g.
   * {@code all-minilm-l6-v2-q@0-3}.
   */
  public EncoderSpec select(LayerSelection selection) {
    if (this.selection != null) {
      throw new IllegalStateException(id + " already selects layers");
    }
    return new EncoderSpec(id + "@" + selection, mavenCoordinates, onnxResource, tokenizerResource, pooling, normalize,
        maxLength, dimension * selection.count(), precision, onnxSha256, layers, selection);
  }

  /** Transformer layers that run for one text: all of them unless a selection stops earlier. */
  public int layersRun() {
    return selection == null ? layers : selection.last();
  }
}
