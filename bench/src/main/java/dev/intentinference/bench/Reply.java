package dev.intentinference.bench;

/**
 * The outcome of one request: success (optionally with the predicted label, for accuracy runs)
 * or a failure with its cause. Failures never enter the latency percentiles.
 *
 * @param label the predicted intent ({@code oos} when rejected) when asked for, else {@code null}
 * @param failure a short cause such as {@code http 503} or {@code timeout}; {@code null} on success
 */
public record Reply(String label, String failure) {
  /** A success without a label: shared so the timing hot path allocates nothing for it. */
  public static final Reply OK = new Reply(null, null);

  public static Reply failed(String cause) {
    return new Reply(null, cause);
  }

  public static Reply labeled(String label) {
    return new Reply(label, null);
  }

  public boolean ok() {
    return failure == null;
  }
}
