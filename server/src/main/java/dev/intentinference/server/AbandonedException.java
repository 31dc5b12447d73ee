package dev.intentinference.server;

/**
 * A queued text dropped unrun because nobody waits for its answer: its client left, or another
 * text of its request already failed and the request was answered with that failure.
 */
final class AbandonedException extends ApiException {
  private static final long serialVersionUID = 1L;

  AbandonedException() {
    super(ErrorCause.CLIENT_CLOSED, "the request was given up before this text ran");
  }
}
