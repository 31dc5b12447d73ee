package dev.intentinference.server;

/** The model's batching queue is at capacity: the request was refused at once (503, retry later). */
public final class QueueFullException extends ApiException {
  private static final long serialVersionUID = 1L;

  public QueueFullException(String model, int capacity) {
    super(ErrorCause.QUEUE_FULL, "model '" + model + "' is overloaded: its queue holds " + capacity
        + " waiting requests; retry later");
  }
}
