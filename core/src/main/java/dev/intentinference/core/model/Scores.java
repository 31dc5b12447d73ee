package dev.intentinference.core.model;

/**
 * Label probabilities for a batch of texts.
 *
 * @param probabilities {@code [texts][labels]}, each row summing to 1
 * @param truncated per text, whether it was cut to the maximum length
 */
public record Scores(float[][] probabilities, boolean[] truncated) {
  public int size() {
    return probabilities.length;
  }
}
