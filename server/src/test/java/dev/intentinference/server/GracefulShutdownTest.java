package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.onnx.SentenceEncoder;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing the server answers every request already accepted, then refuses new connections. */
class GracefulShutdownTest {
  @TempDir Path repo;

  @Test
  void inFlightAndQueuedRequestsAreAnsweredBeforeExit() throws Exception {
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, repo, "demo", "1", TestModels.bankingExamples());
    }
    // One text per batch and long texts: the requests below are queued behind each other.
    ServerConfig config = ServerConfig.builder(repo).port(0).threads(1).batch(new BatchPolicy(1, 0, 64))
        .pollInterval(Duration.ZERO).timeout(Duration.ofSeconds(60)).shutdownGrace(Duration.ofSeconds(60)).build();
    InferenceServer server = InferenceServer.start(config, RepositoryBootstrapper.NONE);
    Http http = new Http(server.baseUri());
    String text = "please change the address on my account ".repeat(50);
    List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      pending.add(http.postJsonAsync("/v1/models/demo/predict", "{\"text\":\"" + text + i + "\"}"));
    }
    // Wait (without timing anything) until the server has taken all six: closing refuses requests
    // still on their way (503), and this test is about those already taken.
    while (server.metrics().registry().get("armeria.server.all.requests").tag("state", "active").gauges().stream()
        .mapToDouble(g -> g.value()).sum() + pending.stream().filter(CompletableFuture::isDone).count() < 6) {
      Thread.sleep(1);
    }
    server.close();
    int answered = 0;
    for (CompletableFuture<HttpResponse<String>> f : pending) {
      HttpResponse<String> r = f.join();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      answered++;
    }
    assertThat(answered).isEqualTo(6);
    assertThat(http.postJsonAsync("/v1/models/demo/predict", "{\"text\":\"hi\"}").handle((r, t) -> t).join())
        .as("no longer listening").isNotNull();
  }
}
