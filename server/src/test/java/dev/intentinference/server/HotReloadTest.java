package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.intentinference.core.onnx.SentenceEncoder;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** New versions are swapped in under load with no failed request; bad ones are refused and the old one keeps serving. */
class HotReloadTest {
  @TempDir static Path tmp;
  static SentenceEncoder encoder;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void load() {
    encoder = TestModels.encoder();
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  static Map<String, List<String>> withGreeting() {
    Map<String, List<String>> examples = new LinkedHashMap<>(TestModels.bankingExamples());
    examples.put("greeting", List.of("hello there", "hi", "good morning"));
    return examples;
  }

  @Test
  void newVersionIsSwappedInUnderLoadAndBadOnesAreRefused() throws Exception {
    Path repo = tmp.resolve("repo");
    TestModels.write(encoder, repo, "demo", "1", TestModels.bankingExamples());
    try (InferenceServer server = InferenceServer.start(
        ServerConfig.builder(repo).port(0).threads(1).pollInterval(Duration.ZERO).build(), RepositoryBootstrapper.NONE)) {
      Http http = new Http(server.baseUri());
      assertThat(server.servingVersion("demo")).isEqualTo("1");

      // Clients keep asking while version 2 is written, loaded, warmed up and swapped in.
      AtomicBoolean swapped = new AtomicBoolean();
      AtomicInteger afterSwap = new AtomicInteger();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> versions = new ConcurrentLinkedQueue<>();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        Thread t = new Thread(() -> {
          while (afterSwap.get() < 30) {
            try {
              HttpResponse<String> r = http.postJson("/v1/models/demo/predict", "{\"text\":\"hello, what is my balance\"}");
              if (r.statusCode() != 200) {
                failures.add(r.statusCode() + " " + r.body());
              } else {
                versions.add(JSON.readTree(r.body()).get("model_version").asText());
              }
            } catch (Exception e) {
              failures.add(e.toString());
            }
            if (swapped.get()) {
              afterSwap.incrementAndGet();
            }
          }
        });
        t.start();
        clients.add(t);
      }
      TestModels.write(encoder, repo, "demo", "2", withGreeting());
      server.reloadNow();
      swapped.set(true);
      for (Thread t : clients) {
        t.join();
      }
      assertThat(server.servingVersion("demo")).isEqualTo("2");
      assertThat(failures).as("requests failed during the swap").isEmpty();
      assertThat(versions).contains("1", "2");
      JsonNode p = JSON.readTree(http.postJson("/v1/models/demo/predict", "{\"text\":\"good morning\"}").body());
      assertThat(p.get("intent").asText()).isEqualTo("greeting");
      assertThat(p.get("model_version").asText()).isEqualTo("2");
      assertThat(http.get("/metrics").body()).contains("intent_model_loaded{model=\"demo\",version=\"2\"} 1")
          .doesNotContain("intent_model_loaded{model=\"demo\",version=\"1\"}");

      // A damaged artifact: refused with a reason, version 2 keeps serving.
      Files.createDirectories(repo.resolve("demo/3"));
      Files.write(repo.resolve("demo/3/demo.intent"), new byte[] {'P', 'K', 1, 2, 3});
      server.reloadNow();
      assertThat(server.servingVersion("demo")).isEqualTo("2");
      assertThat(server.lastRejection("demo")).contains("demo version 3 rejected").contains("demo.intent");
      assertThat(http.postJson("/v1/models/demo/predict", "{\"text\":\"hi\"}").statusCode()).isEqualTo(200);

      // A model directory whose head no longer matches its manifest hash: refused too.
      Path v4 = Files.createDirectories(repo.resolve("demo/4"));
      try (Stream<Path> files = Files.list(repo.resolve("demo/2"))) {
        for (Path f : files.toList()) {
          Files.copy(f, v4.resolve(f.getFileName()));
        }
      }
      byte[] head = Files.readAllBytes(v4.resolve("head.safetensors"));
      head[head.length - 1] ^= 0x55;
      Files.write(v4.resolve("head.safetensors"), head);
      server.reloadNow();
      assertThat(server.servingVersion("demo")).isEqualTo("2");
      assertThat(server.lastRejection("demo")).contains("version 4 rejected").contains("SHA-256");
      assertThat(http.get("/metrics").body()).contains("intent_model_load_failures_total{model=\"demo\"} 2.0");
      // Refused files are not retried on every poll.
      server.reloadNow();
      assertThat(http.get("/metrics").body()).contains("intent_model_load_failures_total{model=\"demo\"} 2.0");
    }
  }

  @Test
  void atStartABadNewestVersionFallsBackToAnOlderOne() throws Exception {
    Path repo = tmp.resolve("fallback");
    TestModels.write(encoder, repo, "demo", "9", TestModels.bankingExamples());
    Files.createDirectories(repo.resolve("demo/10"));
    Files.writeString(repo.resolve("demo/10/manifest.json"), "{ not a manifest");
    try (InferenceServer server = InferenceServer.start(
        ServerConfig.builder(repo).port(0).threads(1).pollInterval(Duration.ZERO).build(), RepositoryBootstrapper.NONE)) {
      assertThat(server.servingVersion("demo")).isEqualTo("9");
      assertThat(server.lastRejection("demo")).contains("version 10 rejected");
    }
  }

  @Test
  void aVersionHoldingTwoArtifactsIsRefusedAloneAndOnce() throws Exception {
    Path repo = tmp.resolve("two-artifacts");
    TestModels.write(encoder, repo, "demo", "1", TestModels.bankingExamples());
    Path v2 = Files.createDirectories(repo.resolve("demo/2"));
    Files.write(v2.resolve("a.intent"), new byte[] {'P', 'K'});
    Files.write(v2.resolve("b.intent"), new byte[] {'P', 'K'});
    try (InferenceServer server = InferenceServer.start(
        ServerConfig.builder(repo).port(0).threads(1).pollInterval(Duration.ZERO).build(), RepositoryBootstrapper.NONE)) {
      Http http = new Http(server.baseUri());
      assertThat(server.servingVersion("demo")).isEqualTo("1");
      assertThat(server.lastRejection("demo")).contains("demo version 2 rejected")
          .contains("holds 2 .intent files ([a.intent, b.intent]); expected one");
      server.reloadNow();
      server.reloadNow();
      assertThat(http.get("/metrics").body()).contains("intent_model_load_failures_total{model=\"demo\"} 1.0");
      // A newer good version is not held up by the refused one.
      TestModels.write(encoder, repo, "demo", "3", withGreeting());
      server.reloadNow();
      assertThat(server.servingVersion("demo")).isEqualTo("3");
    }
  }

  @Test
  void anEmptyRepositoryIsFilledByTheBootstrapperFirst() {
    Path repo = tmp.resolve("empty");
    AtomicInteger calls = new AtomicInteger();
    RepositoryBootstrapper bootstrapper = r -> {
      calls.incrementAndGet();
      TestModels.write(encoder, r, "default", "1", TestModels.bankingExamples());
    };
    try (InferenceServer server = InferenceServer.start(
        ServerConfig.builder(repo).port(0).threads(1).pollInterval(Duration.ZERO).build(), bootstrapper)) {
      assertThat(server.models()).containsExactly("default");
    }
    assertThat(calls).hasValue(1);
    // Not empty any more: the second start does not build again.
    try (InferenceServer server = InferenceServer.start(
        ServerConfig.builder(repo).port(0).threads(1).pollInterval(Duration.ZERO).build(), bootstrapper)) {
      assertThat(server.models()).containsExactly("default");
    }
    assertThat(calls).hasValue(1);
  }

  @Test
  void nothingToServeIsAClearError() {
    Path repo = tmp.resolve("nothing");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> InferenceServer.start(
        ServerConfig.builder(repo).port(0).threads(1).pollInterval(Duration.ZERO).build(), RepositoryBootstrapper.NONE))
        .isInstanceOf(dev.intentinference.core.IntentException.class)
        .hasMessageContaining("no model to serve in " + repo);
  }

  @Test
  void aRepositoryThatIsAFileOrAHostThatDoesNotResolveIsAClearError() throws Exception {
    Path file = Files.writeString(tmp.resolve("models.csv"), "text,intent\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> InferenceServer.start(
        ServerConfig.builder(file).port(0).threads(1).pollInterval(Duration.ZERO).build(), RepositoryBootstrapper.NONE))
        .isInstanceOf(dev.intentinference.core.IntentException.class)
        .hasMessage("model repository " + file + " is a file, not a directory");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> InferenceServer.start(
        ServerConfig.builder(tmp.resolve("nothing-yet")).host("999.1.1.1").port(0).threads(1).pollInterval(Duration.ZERO).build(),
        RepositoryBootstrapper.NONE))
        .isInstanceOf(dev.intentinference.core.IntentException.class)
        .hasMessage("--host 999.1.1.1: no such address (it does not resolve)");
  }
}
