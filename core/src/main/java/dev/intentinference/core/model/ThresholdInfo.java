package dev.intentinference.core.model;

/**
 * The out-of-scope rule: a message is out of scope when its highest in-scope probability is
 * below {@code value}.
 *
 * @param value probability threshold in [0, 1]; 0 never rejects
 * @param method how it was chosen, e.g. {@code val+oos_val: max accuracy on in-scope and out-of-scope}
 * @param note anything a user should know, e.g. that no out-of-scope validation data existed
 */
public record ThresholdInfo(double value, String method, String note) {
  public ThresholdInfo {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException("threshold must be in [0, 1], was " + value);
    }
  }
}
