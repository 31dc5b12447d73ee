package dev.intentinference.server;

/**
 * Why a request failed: its HTTP status, the gRPC status code clients of the other protocol see,
 * and the {@code cause} tag of the {@code intent_errors_total} metric.
 *
 * <p>Example: {@code ErrorCause.QUEUE_FULL} is sent as 503 with {@code Retry-After} over HTTP and
 * as {@code RESOURCE_EXHAUSTED} over gRPC.
 */
public enum ErrorCause {
  MALFORMED_JSON(400, io.grpc.Status.Code.INVALID_ARGUMENT, "malformed_json"),
  INVALID_UTF8(400, io.grpc.Status.Code.INVALID_ARGUMENT, "invalid_utf8"),
  BAD_REQUEST(400, io.grpc.Status.Code.INVALID_ARGUMENT, "bad_request"),
  EMPTY_TEXT(400, io.grpc.Status.Code.INVALID_ARGUMENT, "empty_text"),
  BATCH_TOO_LARGE(400, io.grpc.Status.Code.INVALID_ARGUMENT, "batch_too_large"),
  INVALID_NAME(400, io.grpc.Status.Code.INVALID_ARGUMENT, "invalid_name"),
  UNAUTHORIZED(401, io.grpc.Status.Code.UNAUTHENTICATED, "unauthorized"),
  FORBIDDEN(403, io.grpc.Status.Code.PERMISSION_DENIED, "forbidden"),
  NOT_FOUND(404, io.grpc.Status.Code.NOT_FOUND, "not_found"),
  METHOD_NOT_ALLOWED(405, io.grpc.Status.Code.UNIMPLEMENTED, "method_not_allowed"),
  /** The request's body stopped arriving before its end (fewer bytes than its Content-Length said). */
  BODY_INCOMPLETE(408, io.grpc.Status.Code.INVALID_ARGUMENT, "body_incomplete"),
  LOAD_FAILED(409, io.grpc.Status.Code.FAILED_PRECONDITION, "load_failed"),
  BODY_TOO_LARGE(413, io.grpc.Status.Code.RESOURCE_EXHAUSTED, "body_too_large"),
  UNSUPPORTED_MEDIA_TYPE(415, io.grpc.Status.Code.INVALID_ARGUMENT, "content_type"),
  TEXT_TOO_LONG(422, io.grpc.Status.Code.INVALID_ARGUMENT, "text_too_long"),
  /** The client closed the connection or stream before its answer: nobody reads this status (nginx's 499). */
  CLIENT_CLOSED(499, io.grpc.Status.Code.CANCELLED, "client_closed"),
  QUEUE_FULL(503, io.grpc.Status.Code.RESOURCE_EXHAUSTED, "queue_full"),
  TIMEOUT(503, io.grpc.Status.Code.DEADLINE_EXCEEDED, "timeout"),
  SHUTTING_DOWN(503, io.grpc.Status.Code.UNAVAILABLE, "shutting_down"),
  INTERNAL(500, io.grpc.Status.Code.INTERNAL, "internal");

  private final int httpStatus;
  private final io.grpc.Status.Code grpcCode;
  private final String tag;

  ErrorCause(int httpStatus, io.grpc.Status.Code grpcCode, String tag) {
    this.httpStatus = httpStatus;
    this.grpcCode = grpcCode;
    this.tag = tag;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public io.grpc.Status.Code grpcCode() {
    return grpcCode;
  }

  /** The metric tag, e.g. {@code queue_full}. */
  public String tag() {
    return tag;
  }

  /** Whether a client may simply retry later (sent with {@code Retry-After}). */
  public boolean retryable() {
    return httpStatus == 503;
  }
}
