package dev.intentinference.core.model;

/**
 * What the out-of-scope threshold is compared with. Both scores lie in [0, 1]; a message is out of
 * scope when its score is below the threshold.
 *
 * <ul>
 *   <li>{@link #MAX_PROBABILITY}: the best in-scope intent's probability (the rule of Larson et
 *       al.'s oos-threshold baseline).
 *   <li>{@link #CERTAINTY}: one minus the entropy of the whole distribution, divided by its largest
 *       possible value {@code ln(labels)}. It also sees how the rest of the probability is spread:
 *       an in-scope message torn between two related intents keeps a high certainty, while an
 *       out-of-scope one spreads its probability over many intents.
 * </ul>
 *
 * Training measures both on validation data and keeps the one that gets more validation queries
 * right ({@code ValidationOutcome}); models written before this choice existed use the first.
 *
 * <pre>{@code
 * double s = ConfidenceScore.CERTAINTY.of(probs, decoder.bestInScope(probs));
 * }</pre>
 */
public enum ConfidenceScore {
  MAX_PROBABILITY("max_probability"),
  CERTAINTY("certainty");

  private final String id;

  ConfidenceScore(String id) {
    this.id = id;
  }

  /** The name manifests record. */
  public String id() {
    return id;
  }

  /** The score named {@code id}; {@code null} (manifests written before the choice) is {@link #MAX_PROBABILITY}. */
  public static ConfidenceScore of(String id) {
    if (id == null) {
      return MAX_PROBABILITY;
    }
    for (ConfidenceScore s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown confidence score '" + id + "' (known: max_probability, certainty)");
  }

  /**
   * @param probs one row of probabilities (summing to 1)
   * @param best index of the best in-scope label
   */
  public double of(float[] probs, int best) {
    if (this == MAX_PROBABILITY) {
      return probs[best];
    }
    if (probs.length < 2) {
      return 1;
    }
    double entropy = 0;
    for (float p : probs) {
      if (p > 0) {
        entropy -= p * Math.log(p);
      }
    }
    return Math.max(0, Math.min(1, 1 - entropy / Math.log(probs.length)));
  }
}
