package dev.intentinference.core.model;

/**
 * The out-of-scope rule: a message is out of scope when its confidence score ({@link
 * ConfidenceScore}, by default the highest in-scope probability) is below {@code value}.
 *
 * @param value threshold in [0, 1]; 0 never rejects
 * @param method how it was chosen, e.g. {@code val+oos_val: max accuracy on in-scope and out-of-scope}
 * @param note anything a user should know, e.g. that no out-of-scope validation data existed
 * @param score the {@link ConfidenceScore} id compared with {@code value}; {@code null} (and so
 *     every manifest written before scores could be chosen) means {@code max_probability}
 */
public record ThresholdInfo(double value, String method, String note, String score) {
  public ThresholdInfo {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException("threshold must be in [0, 1], was " + value);
    }
    ConfidenceScore.of(score);
  }

  /** A threshold on the best in-scope probability. */
  public ThresholdInfo(double value, String method, String note) {
    this(value, method, note, null);
  }

  /** The score this threshold applies to. */
  public ConfidenceScore confidenceScore() {
    return ConfidenceScore.of(score);
  }
}
