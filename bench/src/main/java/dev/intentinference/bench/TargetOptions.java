package dev.intentinference.bench;

import dev.intentinference.core.IntentException;
import java.time.Duration;

/**
 * How to talk to a target. Built and checked before a run starts.
 *
 * @param model model name for network targets ({@code null}: ask the server and use its only
 *     model)
 * @param endpoint {@code null} to send inference requests; a path such as {@code /v2/health/live}
 *     to send {@code GET}s to it instead, for measuring the harness itself
 * @param httpProtocol {@code auto} (HTTP/2 when the server speaks it, else HTTP/1.1), {@code h1}
 *     or {@code h2}
 * @param clientThreads event-loop threads of the HTTP client, 1..64
 * @param timeout per-request timeout; a request that takes longer counts as a {@code timeout}
 *     failure
 * @param workers in-process targets: requests computed in parallel (threads), 1..1024
 * @param intraOpThreads in-process targets: ONNX Runtime threads per request, 1..256
 * @param padTo in-process targets: pad every message to at least this many tokens (0: no
 *     padding); 512 reproduces the reference team's fixed-shape deployment
 * @param batch in-process targets: most concurrent messages scored in one call, 1..1024 (1: each
 *     message on its own, the reference's batch size 1)
 */
public record TargetOptions(
    String model,
    String endpoint,
    String httpProtocol,
    int clientThreads,
    Duration timeout,
    int workers,
    int intraOpThreads,
    int padTo,
    int batch) {

  public TargetOptions {
    if (endpoint != null && !endpoint.startsWith("/")) {
      throw new IntentException("--endpoint: '" + endpoint + "' must be a path starting with /, e.g. /v2/health/live");
    }
    if (!httpProtocol.equals("auto") && !httpProtocol.equals("h1") && !httpProtocol.equals("h2")) {
      throw new IntentException("--http: '" + httpProtocol + "' is not one of auto, h1, h2");
    }
    if (clientThreads < 1 || clientThreads > 64) {
      throw new IntentException("--client-threads: " + clientThreads + " is outside 1..64");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IntentException("--timeout: " + timeout + " must be positive");
    }
    if (workers < 1 || workers > 1024) {
      throw new IntentException("--concurrency: " + workers + " in-process workers is outside 1..1024");
    }
    if (intraOpThreads < 1 || intraOpThreads > 256) {
      throw new IntentException("--intra-op-threads: " + intraOpThreads + " is outside 1..256");
    }
    if (padTo < 0 || padTo > 8192) {
      throw new IntentException("--pad-to: " + padTo + " is outside 0..8192");
    }
    if (batch < 1 || batch > 1024) {
      throw new IntentException("--inproc-batch: " + batch + " is outside 1..1024");
    }
  }

  /** Options without in-process batching (the form before {@code batch} existed). */
  public TargetOptions(String model, String endpoint, String httpProtocol, int clientThreads, Duration timeout, int workers,
      int intraOpThreads, int padTo) {
    this(model, endpoint, httpProtocol, clientThreads, timeout, workers, intraOpThreads, padTo, 1);
  }

  /** Defaults: infer requests, automatic HTTP version, one client thread, 30 s timeout. */
  public static TargetOptions defaults() {
    return new TargetOptions(null, null, "auto", 1, Duration.ofSeconds(30), 1, 1, 0);
  }

  public TargetOptions withModel(String m) {
    return new TargetOptions(m, endpoint, httpProtocol, clientThreads, timeout, workers, intraOpThreads, padTo, batch);
  }

  public TargetOptions withWorkers(int w) {
    return new TargetOptions(model, endpoint, httpProtocol, clientThreads, timeout, w, intraOpThreads, padTo, batch);
  }

  public TargetOptions withPadTo(int p) {
    return new TargetOptions(model, endpoint, httpProtocol, clientThreads, timeout, workers, intraOpThreads, p, batch);
  }

  public TargetOptions withBatch(int b) {
    return new TargetOptions(model, endpoint, httpProtocol, clientThreads, timeout, workers, intraOpThreads, padTo, b);
  }

  public TargetOptions withIntraOpThreads(int t) {
    return new TargetOptions(model, endpoint, httpProtocol, clientThreads, timeout, workers, t, padTo, batch);
  }
}
