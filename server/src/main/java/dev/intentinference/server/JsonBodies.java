package dev.intentinference.server;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.logging.RequestLogProperty;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Request and response bodies of the JSON APIs: a request must say {@code application/json}
 * (415 otherwise; a request with no content type at all is read as JSON unless a browser sent it,
 * see {@link #read}), stay under {@code --max-body} (413, enforced by Armeria while reading) and be
 * valid UTF-8 (400), before any parsing.
 *
 * <pre>{@code
 * JsonBodies.read(req).thenApply(bytes -> json.readInfer(bytes));
 * }</pre>
 */
final class JsonBodies {
  private JsonBodies() {}

  static CompletableFuture<byte[]> read(HttpRequest req) {
    MediaType type = req.contentType();
    if (type == null && !req.headers().contains(HttpHeaderNames.ORIGIN)) {
      // Open Inference Protocol clients such as tritonclient's HTTP client post JSON with no content
      // type. A browser's cross-origin POST with none skips the CORS preflight, so it still gets 415.
      type = MediaType.JSON;
    }
    if (type == null || !type.is(MediaType.JSON)) {
      return CompletableFuture.failedFuture(new ApiException(ErrorCause.UNSUPPORTED_MEDIA_TYPE,
          "content type must be application/json, was " + (type == null ? "none" : type.toString())));
    }
    String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
    if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
      return CompletableFuture.failedFuture(new ApiException(ErrorCause.UNSUPPORTED_MEDIA_TYPE,
          "content-encoding '" + encoding + "' is not supported; send the body uncompressed"));
    }
    String charset = charsetOf(type);
    if (charset != null && !charset.equals("UTF-8")) {
      return CompletableFuture.failedFuture(new ApiException(ErrorCause.UNSUPPORTED_MEDIA_TYPE,
          "charset must be utf-8, was " + charset));
    }
    return req.aggregate().thenApply(agg -> {
      byte[] body = agg.content().array();
      int bad = Utf8.firstInvalid(body, 0, body.length);
      if (bad >= 0) {
        throw new ApiException(ErrorCause.INVALID_UTF8, "request body is not valid UTF-8 (bad byte at offset " + bad + ")");
      }
      return body;
    });
  }

  /** The canonical name of the type's charset, the name as sent when Java knows no such charset, or null. */
  private static String charsetOf(MediaType type) {
    try {
      java.nio.charset.Charset charset = type.charset();
      return charset == null ? null : charset.name();
    } catch (IllegalArgumentException unknownToJava) {
      return String.join(",", type.parameters().getOrDefault("charset", java.util.List.of("?")));
    }
  }

  /**
   * A flag set when the client goes away before its answer (it closed the connection, or reset its
   * HTTP/2 stream): the request's texts still queued are then dropped, not run for nobody. Only
   * requests of several texts are watched; the usual one-text request is left as light as it was.
   */
  static AtomicBoolean abandonedWhenGone(ServiceRequestContext ctx, int texts) {
    AtomicBoolean abandoned = new AtomicBoolean();
    if (texts > 1) {
      ctx.whenRequestCancelling().thenRun(() -> abandoned.set(true));
      // An HTTP/1 client that closes its connection does not cancel the request: the connection's
      // closing is watched instead.
      if (ctx.log().isAvailable(RequestLogProperty.SESSION)) {
        ChannelFuture closed =
            ctx.log().ensureAvailable(RequestLogProperty.SESSION).channel().closeFuture();
        ChannelFutureListener gone = f -> abandoned.set(true);
        closed.addListener(gone);
        // A kept-alive connection serves many requests: each one's listener goes when it is answered.
        ctx.log().whenComplete().thenRun(() -> closed.removeListener(gone));
      }
    }
    return abandoned;
  }

  /** Bodies larger than this are parsed and tokenized off the event loop. */
  static final int LARGE_BODY_BYTES = 16 * 1024;

  /**
   * Runs {@code work} (parse, validate, tokenize, queue) on the event loop for the usual small
   * request, and on the {@link LargeBodyPool} for a large one, so that tokenizing a big batch
   * does not hold up every other connection on the same event loop.
   */
  static <T> CompletableFuture<T> offloadIfLarge(byte[] body, LargeBodyPool large, Supplier<CompletableFuture<T>> work) {
    if (body.length <= LARGE_BODY_BYTES) {
      return work.get();
    }
    return large.run(work);
  }

  /**
   * One JSON inference request from end to end: check and read the body, run {@code work} on it
   * ({@link #offloadIfLarge}) for the JSON of a 200 answer, answer any failure as JSON through
   * {@code errors}, time the whole request under {@code api}, and tell {@code admission} the answer
   * is ready (a drain closes the connection after it).
   */
  static HttpResponse serve(ServiceRequestContext ctx, HttpRequest req, HttpErrors errors, ServerMetrics metrics,
      Admission admission, LargeBodyPool large, String api, String model, Function<byte[], CompletableFuture<byte[]>> work) {
    long start = System.nanoTime();
    CompletableFuture<HttpResponse> res = read(req)
        .thenCompose(body -> offloadIfLarge(body, large, () -> work.apply(body)))
        .handle((json, failure) -> {
          long nanos = System.nanoTime() - start;
          metrics.request(api, model, nanos, failure == null);
          String timing = serverTiming(nanos);
          // The usual answer gets its headers built once, Server-Timing included; a failure's
          // headers come from errors and get it added.
          return admission.answered(ctx, failure == null ? ok(json, timing)
              : errors.response(ctx, failure).mapHeaders(h -> h.toBuilder().add(CorsOrigins.SERVER_TIMING, timing).build()));
        });
    return HttpResponse.of(res);
  }

  /**
   * {@code Server-Timing: app;dur=<ms>}: the time from the request's arrival to its answer, which
   * the chat component shows as the server-side latency (network time excluded). Written by hand:
   * {@code String.format("%.3f")} looked up the locale's decimal symbols on every request, a
   * tenth of the server's allocation per request.
   */
  static String serverTiming(long nanos) {
    long micros = Math.max(0, (nanos + 500) / 1000);
    long frac = micros % 1000;
    StringBuilder sb = new StringBuilder(20).append("app;dur=").append(micros / 1000).append('.');
    if (frac < 100) {
      sb.append(frac < 10 ? "00" : "0");
    }
    return sb.append(frac).toString();
  }

  static HttpResponse ok(byte[] json, String serverTiming) {
    return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.JSON_UTF_8)
        .contentLength(json.length).add(CorsOrigins.SERVER_TIMING, serverTiming).build(), HttpData.wrap(json));
  }

  static HttpResponse ok(byte[] json) {
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, HttpData.wrap(json));
  }
}
