package dev.intentinference.server;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ClosedSessionException;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.logging.RequestLogProperty;
import com.linecorp.armeria.common.stream.AbortedStreamException;
import com.linecorp.armeria.common.stream.CancelledSubscriptionException;
import com.linecorp.armeria.common.stream.ClosedStreamException;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.RequestTimeoutException;
import com.linecorp.armeria.common.ResponseCompleteException;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every HTTP failure as {@code {"error": "..."}} with its status, including those Armeria raises
 * itself (unknown path 404, wrong method 405, body over {@code --max-body} 413, request timeout
 * 503). Retryable failures carry {@code Retry-After}. Each is counted in
 * {@code intent_errors_total{cause}}.
 *
 * <pre>{@code
 * sb.errorHandler(new HttpErrors(metrics, config));
 * return errors.response(new ApiException(ErrorCause.EMPTY_TEXT, "text is empty"));
 * }</pre>
 */
final class HttpErrors implements ServerErrorHandler {
  private static final Logger LOG = Logger.getLogger(HttpErrors.class.getName());
  /** Seconds a refused client should wait: one queue's worth of work clears well within it. */
  static final String RETRY_AFTER_SECONDS = "1";

  private final ServerMetrics metrics;
  private final long maxBodyBytes;

  HttpErrors(ServerMetrics metrics, long maxBodyBytes) {
    this.metrics = metrics;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The response for a failure of any kind; unexpected ones are logged and sent as 500. */
  HttpResponse response(Throwable failure) {
    Throwable root = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (root instanceof ResponseCompleteException) {
      // Armeria already answered (e.g. 413 while the body was still arriving): nothing to send or count.
      return HttpResponse.of(HttpStatus.INTERNAL_SERVER_ERROR);
    }
    ApiException api = toApi(failure);
    return aggregated(api.errorCause(), api.getMessage()).toHttpResponse();
  }

  ApiException toApi(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApiException api) {
      return api;
    }
    if (t instanceof com.linecorp.armeria.common.ShuttingDownException) {
      return new ShuttingDownException();
    }
    if (t instanceof HttpStatusException hse) {
      if (hse.getCause() instanceof ContentTooLargeException) {
        t = hse.getCause();
      } else {
        return new ApiException(causeOf(hse.httpStatus()), hse.httpStatus().reasonPhrase());
      }
    }
    if (t instanceof ContentTooLargeException) {
      return new ApiException(ErrorCause.BODY_TOO_LARGE, "request body is larger than the limit of " + maxBodyBytes + " bytes (--max-body)");
    }
    if (t instanceof RequestTimeoutException) {
      return new ApiException(ErrorCause.TIMEOUT, "request timed out; retry later");
    }
    if (clientWentAway(t)) {
      // Not the server's failure: no warning and no count as internal, which an alert watches.
      return new ApiException(ErrorCause.CLIENT_CLOSED, "the client closed the connection before its answer");
    }
    LOG.log(Level.WARNING, "request failed", t);
    return new ApiException(ErrorCause.INTERNAL, "internal error: " + (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage()));
  }

  /** A connection closed, or a stream reset or cancelled, by the other side while its request was read or answered. */
  private static boolean clientWentAway(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ClosedSessionException || c instanceof ClosedStreamException || c instanceof AbortedStreamException
          || c instanceof CancelledSubscriptionException || resetByPeer(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The socket errors of writing to a client that is gone (Netty's native transport reports them
   * as {@code NativeIoException: sendAddress(..) failed: Connection reset by peer} or {@code Broken
   * pipe}): during floods of large requests they were counted as internal errors.
   */
  private static boolean resetByPeer(Throwable t) {
    String m = t.getMessage();
    return t instanceof java.io.IOException && m != null && (m.contains("Connection reset by peer") || m.contains("Broken pipe"));
  }

  AggregatedHttpResponse aggregated(ErrorCause cause, String message) {
    metrics.error(cause);
    var headers = ResponseHeaders.builder(HttpStatus.valueOf(cause.httpStatus())).contentType(MediaType.JSON_UTF_8);
    if (cause.retryable()) {
      headers.set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
    }
    if (cause == ErrorCause.UNAUTHORIZED) {
      headers.set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
    }
    return AggregatedHttpResponse.of(headers.build(), com.linecorp.armeria.common.HttpData.wrap(body(message)));
  }

  static byte[] body(String message) {
    StringBuilder sb = new StringBuilder(message.length() + 16).append("{\"error\":\"");
    JsonStringEncoder.getInstance().quoteAsString(message, sb);
    return sb.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
    if (cause instanceof ResponseCompleteException) {
      return null; // the response was already sent; nothing failed
    }
    return response(ctx, cause);
  }

  /**
   * As {@link #response(Throwable)}, but a request that timed out while its body was still
   * arriving is the client's incomplete body (408), not a busy server (503 and a retry).
   */
  HttpResponse response(ServiceRequestContext ctx, Throwable failure) {
    Throwable root = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (root instanceof RequestTimeoutException && !ctx.log().isAvailable(RequestLogProperty.REQUEST_END_TIME)) {
      return aggregated(ErrorCause.BODY_INCOMPLETE,
          "the request body stopped before its end; send the whole body, as long as its Content-Length says").toHttpResponse();
    }
    MediaType type = ctx.request().contentType();
    if (isGrpc(type) && !(root instanceof ResponseCompleteException)) {
      ApiException api = toApi(failure);
      return grpc(type, api.errorCause(), api.getMessage()).toHttpResponse();
    }
    return response(failure);
  }

  private static ErrorCause causeOf(HttpStatus status) {
    return switch (status.code()) {
      case 404 -> ErrorCause.NOT_FOUND;
      case 405 -> ErrorCause.METHOD_NOT_ALLOWED;
      case 413 -> ErrorCause.BODY_TOO_LARGE;
      case 415 -> ErrorCause.UNSUPPORTED_MEDIA_TYPE;
      case 503 -> ErrorCause.TIMEOUT;
      default -> status.isServerError() ? ErrorCause.INTERNAL : ErrorCause.BAD_REQUEST;
    };
  }

  @Override
  public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config, RequestHeaders headers,
      HttpStatus status, String description, Throwable cause) {
    ErrorCause c = causeOf(status);
    String message = switch (status.code()) {
      case 404 -> "no such endpoint: " + (headers == null ? "" : headers.path());
      case 405 -> "method " + (headers == null ? "" : headers.method()) + " not allowed on " + (headers == null ? "" : headers.path());
      case 413 -> "request body is larger than the limit of " + maxBodyBytes + " bytes (--max-body)";
      default -> description != null ? description : status.reasonPhrase();
    };
    if (headers != null && isGrpc(headers.contentType())) {
      return grpc(headers.contentType(), c, message);
    }
    return aggregated(c, message);
  }

  private static boolean isGrpc(MediaType type) {
    return type != null && type.subtype().startsWith("grpc");
  }

  /**
   * A gRPC call refused before the gRPC service saw it (a body over --max-body): a gRPC client reads
   * a status from trailers, not a JSON body, and reported an unknown transport error.
   */
  private AggregatedHttpResponse grpc(MediaType type, ErrorCause c, String message) {
    metrics.error(c);
    return AggregatedHttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(type)
        .add("grpc-status", Integer.toString(c.grpcCode().value()))
        .add("grpc-message", java.net.URLEncoder.encode(message, StandardCharsets.UTF_8).replace("+", "%20"))
        .build());
  }
}
