package dev.intentinference.server;

/**
 * A request that cannot be answered, with a message for the client that names the problem. The
 * HTTP layer sends it as {@code {"error": "..."}} with {@link ErrorCause#httpStatus()}; the gRPC
 * layer as a status with {@link ErrorCause#grpcCode()}.
 *
 * <pre>{@code
 * throw new ApiException(ErrorCause.EMPTY_TEXT, "input 'text' element 2 is empty");
 * }</pre>
 */
public class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCause cause;

  public ApiException(ErrorCause cause, String message) {
    super(message, null, false, false); // expected on bad input: no stack trace to fill
    this.cause = cause;
  }

  public ErrorCause errorCause() {
    return cause;
  }
}
