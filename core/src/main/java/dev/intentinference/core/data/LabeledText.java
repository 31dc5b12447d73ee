package dev.intentinference.core.data;

/**
 * One utterance and its intent. Out-of-scope examples carry {@link #OUT_OF_SCOPE}.
 *
 * @param text the user's message, never blank
 * @param intent the intent label, never blank
 * @param source where it came from, {@code file:line} or {@code file#split[i]}, for error messages
 */
public record LabeledText(String text, String intent, String source) {
  /** The label CLINC150 uses for out-of-scope queries. */
  public static final String OUT_OF_SCOPE = "oos";

  public boolean isOutOfScope() {
    return OUT_OF_SCOPE.equals(intent);
  }
}
