package dev.intentinference.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether the server takes inference requests, and what draining does to connections. Once
 * {@link #stop()} is called, {@link #gate} answers new inference requests with 503 + {@code
 * Retry-After} at once, and every inference answer sent from then on, including those of requests
 * taken before, closes its connection (HTTP/1 {@code Connection: close}, HTTP/2 GOAWAY): a client
 * that reused it when the port closes would see it cut without an answer.
 *
 * <pre>{@code
 * Admission admission = new Admission();
 * HttpService infer = admission.gate(new InferService(registry, json, endpoint), errors);
 * admission.stop(); // draining: infer answers 503, answers in flight close their connections
 * }</pre>
 *
 * <p>Answers in flight are checked in the completion step the JSON services already run
 * ({@link #answered}): one volatile read per request, and a wrapper around the answer's headers
 * only while draining. Wrapping every response, as before, cost each request an extra stream stage
 * to act only during the few seconds of a drain.
 *
 * <p>It also counts the requests taken and not yet answered, so that closing can wait for them
 * ({@link #awaitAnswered}): Armeria's own graceful shutdown needs a quiet period, which clients
 * still sending (each answered 503) keep restarting, and without one it gives requests in flight
 * about a second before it cuts their connections.
 */
final class Admission {
  private static final AttributeKey<Boolean> TAKEN = AttributeKey.valueOf(Admission.class, "TAKEN");
  private static final int STOPPED = 1 << 30;
  // One word for both, so that taking a request and checking that the server still takes requests
  // are one step: a request counted is never refused, and close() waits for every one counted.
  // Bit 30: stopped; below it: requests taken and not yet answered.
  private final AtomicInteger state = new AtomicInteger();
  private final Object answeredAll = new Object();

  /** Whether new inference requests are taken. */
  boolean accepting() {
    return (state.get() & STOPPED) == 0;
  }

  /** Starts draining; true only for the call that changed the state. */
  boolean stop() {
    return (state.getAndUpdate(s -> s | STOPPED) & STOPPED) == 0;
  }

  /** {@code inference} while accepting; once draining, 503 + {@code Retry-After} and the connection closes. */
  HttpService gate(HttpService inference, HttpErrors errors) {
    return (ctx, req) -> {
      if (!take(ctx)) {
        ctx.initiateConnectionShutdown();
        return errors.response(new ShuttingDownException());
      }
      return inference.serve(ctx, req);
    };
  }

  /**
   * {@code service}'s requests counted until answered, for services that refuse on their own
   * (gRPC answers in its own status codes): whether a call was taken is decided here, on arrival,
   * as for the other routes, and read back with {@link #taken}.
   */
  HttpService counted(HttpService service) {
    return (ctx, req) -> {
      ctx.setAttr(TAKEN, take(ctx));
      return service.serve(ctx, req);
    };
  }

  /** Whether the call of {@code ctx}, passed through {@link #counted}, was taken on arrival. */
  static boolean taken(ServiceRequestContext ctx) {
    return Boolean.TRUE.equals(ctx.attr(TAKEN));
  }

  /** Requests taken and not yet answered. */
  int unanswered() {
    return state.get() & ~STOPPED;
  }

  /** Counts the request until it is answered, unless the server has stopped taking requests. */
  private boolean take(ServiceRequestContext ctx) {
    int s;
    do {
      s = state.get();
      if ((s & STOPPED) != 0) {
        return false;
      }
    } while (!state.compareAndSet(s, s + 1));
    // The log completes once the answer is sent, or the exchange failed: every count is undone.
    ctx.log().whenComplete().thenRun(this::release);
    return true;
  }

  private void release() {
    if ((state.decrementAndGet() & ~STOPPED) == 0) {
      synchronized (answeredAll) {
        answeredAll.notifyAll();
      }
    }
  }

  /**
   * Waits until every request taken has been answered, at most {@code grace}; returns how many are
   * still unanswered (0 unless the grace ran out).
   */
  int awaitAnswered(Duration grace) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    synchronized (answeredAll) {
      int left;
      while ((left = unanswered()) > 0) {
        long wait = deadline - System.nanoTime();
        if (wait <= 0) {
          return left;
        }
        TimeUnit.NANOSECONDS.timedWait(answeredAll, wait);
      }
      return 0;
    }
  }

  /**
   * A request's answer, ready but not yet sent; once draining, its connection closes after it.
   * The shutdown starts as its headers go out on the event loop, so that HTTP/1 gets {@code
   * Connection: close} on this answer, not a close racing with it from the worker thread.
   */
  HttpResponse answered(ServiceRequestContext ctx, HttpResponse answer) {
    if (accepting()) {
      return answer;
    }
    return answer.mapHeaders(headers -> {
      ctx.initiateConnectionShutdown();
      return headers;
    });
  }
}
