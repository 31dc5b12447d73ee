package dev.intentinference.server;

/** The server is shutting down and takes no new work. */
public final class ShuttingDownException extends ApiException {
  private static final long serialVersionUID = 1L;

  public ShuttingDownException() {
    super(ErrorCause.SHUTTING_DOWN, "the server is shutting down");
  }
}
