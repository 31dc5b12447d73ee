package dev.intentinference.core.model;

import dev.intentinference.core.text.TextTokenizer;
import java.util.List;

/**
 * Texts in, label probabilities out: the model itself, without any decision rule. Implemented by
 * a trained model directory (encoder + head) and by a compiled artifact (one fused graph).
 * Implementations are thread-safe.
 */
public interface IntentScorer extends AutoCloseable {
  ModelManifest manifest();

  /** The tokenizer, for callers that group texts by token length. */
  TextTokenizer tokenizer();

  /**
   * Scores texts as one batch.
   *
   * @param padTo pad every text to at least this many tokens (0 pads only to the batch's longest);
   *     reproduces fixed-shape deployments
   */
  Scores score(List<String> texts, int padTo);

  default Scores score(List<String> texts) {
    return score(texts, 0);
  }

  @Override
  void close();
}
