package dev.intentinference.core;

/**
 * A problem caused by the caller's input (a bad file, an unknown name, an invalid option), as
 * opposed to a failure of the machine or a bug. The CLI turns it into a one-line message and exit
 * code 2; the server turns it into a 4xx response.
 *
 * <pre>{@code
 * throw new IntentException("data.csv:12: empty text");
 * }</pre>
 */
public class IntentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public IntentException(String message) {
    super(message);
  }

  public IntentException(String message, Throwable cause) {
    super(message, cause);
  }
}
