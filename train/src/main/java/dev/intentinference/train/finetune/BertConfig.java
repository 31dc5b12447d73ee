package dev.intentinference.train.finetune;

/**
 * The shape of a BERT encoder as read from its ONNX export.
 *
 * @param layers transformer layers in the graph
 * @param hidden width of every hidden state
 * @param heads attention heads per layer
 * @param intermediate width of the feed-forward layer
 * @param layerNormEpsilon epsilon of every layer norm
 * @param maskValue what the graph adds to attention scores of padding tokens
 */
public record BertConfig(int layers, int hidden, int heads, int intermediate, float layerNormEpsilon, float maskValue) {
  public BertConfig {
    if (layers < 1 || hidden < 1 || heads < 1 || intermediate < 1 || hidden % heads != 0) {
      throw new IllegalArgumentException("not a BERT shape: " + layers + " layers, hidden " + hidden + ", heads "
          + heads + ", intermediate " + intermediate);
    }
  }

  public int headSize() {
    return hidden / heads;
  }
}
