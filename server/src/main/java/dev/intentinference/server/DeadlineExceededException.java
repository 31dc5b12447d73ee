package dev.intentinference.server;

/** A request waited in the queue past its deadline ({@code --timeout}) and was dropped unrun. */
public final class DeadlineExceededException extends ApiException {
  private static final long serialVersionUID = 1L;

  public DeadlineExceededException(long waitedMicros) {
    super(ErrorCause.TIMEOUT, "request timed out after waiting " + waitedMicros / 1000 + " ms in the queue; retry later");
  }
}
