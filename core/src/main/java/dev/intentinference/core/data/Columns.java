package dev.intentinference.core.data;

/**
 * Names of the text and label columns in CSV/TSV headers and JSON-lines objects.
 *
 * @param text the column holding the message, default {@code text}
 * @param label the column holding the intent, default {@code intent}
 */
public record Columns(String text, String label) {
  public static final Columns DEFAULT = new Columns("text", "intent");
}
