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

  /**
   * Scores any number of texts in batches of {@code batchSize}, texts of similar length together
   * (a batch is padded to its longest text), and returns the probabilities in input order.
   */
  default float[][] scoreAll(List<String> texts, int batchSize) {
    Integer[] order = new Integer[texts.size()];
    java.util.Arrays.setAll(order, i -> i);
    java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> texts.get(i).length()));
    float[][] out = new float[texts.size()][];
    for (int from = 0; from < order.length; from += batchSize) {
      int to = Math.min(order.length, from + batchSize);
      List<String> batch = new java.util.ArrayList<>(to - from);
      for (int k = from; k < to; k++) {
        batch.add(texts.get(order[k]));
      }
      float[][] p = score(batch).probabilities();
      for (int k = from; k < to; k++) {
        out[order[k]] = p[k - from];
      }
    }
    return out;
  }

  @Override
  void close();
}
