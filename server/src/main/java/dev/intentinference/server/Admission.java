package dev.intentinference.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the server takes inference requests, and what draining does to connections. Once
 * {@link #stop()} is called, {@link #gate} answers new inference requests with 503 + {@code
 * Retry-After} at once, and every inference answer sent from then on, including those of requests
 * taken before, closes its connection (HTTP/1 {@code Connection: close}, HTTP/2 GOAWAY): a client
 * that reused it when the port closes would see it cut without an answer.
 *
 * <pre>{@code
 * Admission admission = new Admission();
 * HttpService infer = admission.gate(new InferService(registry, json, errors, metrics, admission), errors);
 * admission.stop(); // draining: infer answers 503, answers in flight close their connections
 * }</pre>
 *
 * <p>Answers in flight are checked in the completion step the JSON services already run
 * ({@link #answered}): one volatile read per request, and a wrapper around the answer's headers
 * only while draining. Wrapping every response, as before, cost each request an extra stream stage
 * to act only during the few seconds of a drain.
 */
final class Admission {
  private final AtomicBoolean accepting = new AtomicBoolean(true);

  /** Whether new inference requests are taken. */
  boolean accepting() {
    return accepting.get();
  }

  /** Starts draining; true only for the call that changed the state. */
  boolean stop() {
    return accepting.getAndSet(false);
  }

  /** {@code inference} while accepting; once draining, 503 + {@code Retry-After} and the connection closes. */
  HttpService gate(HttpService inference, HttpErrors errors) {
    return (ctx, req) -> {
      if (!accepting.get()) {
        ctx.initiateConnectionShutdown();
        return errors.response(new ShuttingDownException());
      }
      return inference.serve(ctx, req);
    };
  }

  /**
   * A request's answer, ready but not yet sent; once draining, its connection closes after it.
   * The shutdown starts as its headers go out on the event loop, so that HTTP/1 gets {@code
   * Connection: close} on this answer, not a close racing with it from the worker thread.
   */
  HttpResponse answered(ServiceRequestContext ctx, HttpResponse answer) {
    if (accepting.get()) {
      return answer;
    }
    return answer.mapHeaders(headers -> {
      ctx.initiateConnectionShutdown();
      return headers;
    });
  }
}
