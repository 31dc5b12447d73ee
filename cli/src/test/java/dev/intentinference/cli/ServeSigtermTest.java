package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on a real {@code intent serve} process under load from several clients: readiness turns
 * false while the process still runs and liveness stays true; every request it took is answered
 * 200; after the signal new ones get 503 + Retry-After, or a refused connection once the port has
 * closed; nothing else (no 500, no reset) is seen; the exit code is 143 (128 + SIGTERM).
 */
class ServeSigtermTest {
  @TempDir Path tmp;

  /** One request's fate, on the test's clock. */
  record Outcome(long startNanos, long endNanos, int status, String retryAfter, String body, Throwable failure) {}

  /** One readiness and liveness observation. */
  record Probe(long nanos, int ready, int live) {}

  @Test
  void sigtermUnderLoadLosesNoAcceptedRequest() throws Exception {
    TinyModel.write(tmp.resolve("repo/demo/1"), "demo", "1");
    // One worker taking one text at a time and long texts: requests queue up behind each other,
    // so some are waiting when the signal comes.
    try (ServeProcess serve = ServeProcess.start(tmp, "--repository", tmp.resolve("repo").toString(), "--port", "0",
        "--poll", "0", "--upgrade", "false", "--instances", "1", "--threads", "1", "--max-batch", "1",
        "--timeout", "60000", "--drain", "2", "--shutdown-grace", "60")) {
      URI base = serve.baseUri();
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      assertThat(get(client, base, "/v2/health/ready")).isEqualTo(200);

      List<Outcome> outcomes = new CopyOnWriteArrayList<>();
      List<Probe> probes = new CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      String body = "{\"text\":\"" + "please change the address on my account to the new one ".repeat(40) + "\"}";
      List<Thread> clients = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        Thread t = new Thread(() -> {
          HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
          while (!stop.get()) {
            long start = System.nanoTime();
            try {
              HttpResponse<String> r = own.send(HttpRequest.newBuilder(base.resolve("/v1/models/demo/predict"))
                  .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                  HttpResponse.BodyHandlers.ofString());
              outcomes.add(new Outcome(start, System.nanoTime(), r.statusCode(),
                  r.headers().firstValue("retry-after").orElse(null), r.body(), null));
            } catch (Exception e) {
              outcomes.add(new Outcome(start, System.nanoTime(), -1, null, null, e));
              if (e instanceof ConnectException) {
                return; // the port is closed: the server is gone
              }
            }
          }
        }, "client-" + i);
        clients.add(t);
      }
      Thread prober = new Thread(() -> {
        while (!stop.get()) {
          try {
            int ready = get(client, base, "/v2/health/ready");
            // When readiness answered, not when it was asked: a probe asked just before the signal
            // may rightly be answered 503 just after it.
            long at = System.nanoTime();
            probes.add(new Probe(at, ready, get(client, base, "/v2/health/live")));
            Thread.sleep(10);
          } catch (Exception e) {
            return;
          }
        }
      }, "prober");
      clients.forEach(Thread::start);
      prober.start();
      while (outcomes.stream().filter(o -> o.status() == 200).count() < 12) {
        Thread.sleep(5);
      }

      long signal = System.nanoTime();
      serve.process().destroy(); // SIGTERM
      assertThat(serve.process().waitFor(2, TimeUnit.MINUTES)).as("exited").isTrue();
      int exit = serve.process().exitValue();
      stop.set(true);
      for (Thread t : clients) {
        t.join();
      }
      prober.join();

      String log = serve.output();
      assertThat(exit).as(log).isEqualTo(143);
      assertThat(log).contains("intent: draining: not ready, new inference requests get 503").contains("intent: stopped");

      // Readiness: true before the signal, false after it while the process was still up, liveness true throughout.
      assertThat(probes.stream().filter(p -> p.nanos() < signal)).allMatch(p -> p.ready() == 200 && p.live() == 200);
      List<Probe> unready = probes.stream().filter(p -> p.ready() == 503).toList();
      assertThat(unready).as("readiness went false before exit").isNotEmpty();
      assertThat(unready).allMatch(p -> p.nanos() > signal).allMatch(p -> p.live() == 200);
      long firstUnready = unready.get(0).nanos();

      for (Outcome o : outcomes) {
        String what = o.status() + " " + o.body() + " " + o.failure() + " started " + (o.startNanos() - signal) / 1_000_000
            + " ms after the signal";
        if (o.failure() != null) {
          assertThat(o.startNanos()).as(what).isGreaterThan(signal);
          // When the port closes (--drain 2 s after the signal) a connection the listener took an
          // instant before may be closed before its request is read: like a refusal, nothing was
          // accepted. Before that moment only refusals are allowed, never a cut answer.
          if (o.startNanos() < signal + PORT_CLOSES_NANOS) {
            assertThat(o.failure()).as("only a refused connection, never a reset: " + what).isInstanceOf(ConnectException.class);
          }
        } else if (o.status() == 503) {
          assertThat(o.endNanos()).as("503 only after the signal: " + what).isGreaterThan(signal);
          assertThat(o.retryAfter()).as(what).isEqualTo("1");
          assertThat(o.body()).isEqualTo("{\"error\":\"the server is shutting down\"}");
        } else {
          assertThat(o.status()).as(what).isEqualTo(200);
          assertThat(o.body()).contains("\"intent\":\"update_address\"");
        }
      }
      assertThat(outcomes).as("new requests refused while draining").anyMatch(o -> o.status() == 503);
      assertThat(outcomes).as("requests taken before the signal were answered while draining")
          .anyMatch(o -> o.status() == 200 && o.startNanos() < signal && o.endNanos() > firstUnready);
    }
  }

  /** --drain 2: the port closes 2 s after the signal; 100 ms less for the signal's own delivery. */
  private static final long PORT_CLOSES_NANOS = TimeUnit.MILLISECONDS.toNanos(1_900);

  private static int get(HttpClient client, URI base, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
