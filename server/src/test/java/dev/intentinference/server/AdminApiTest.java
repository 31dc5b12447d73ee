package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.intentinference.core.model.PinFile;
import dev.intentinference.core.oip.GRPCInferenceServiceGrpc;
import dev.intentinference.core.oip.InferTensorContents;
import dev.intentinference.core.oip.ModelInferRequest;
import dev.intentinference.core.oip.ModelMetadataRequest;
import dev.intentinference.core.onnx.SentenceEncoder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API (repository extension) and name checks against a real server on a loopback port:
 * tokens, index, load (a pin) and unload, versions served side by side, pins from --pin and the
 * pin file, and invalid names on every route.
 */
class AdminApiTest {
  static final String TOKEN = "test-admin-token-0123";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir static Path tmp;
  static Path template;

  /** demo/1 knows three intents; demo/2 adds a greeting. */
  @BeforeAll
  static void models() {
    template = tmp.resolve("template");
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, template, "demo", "1", TestModels.bankingExamples());
      TestModels.write(enc, template, "demo", "2", HotReloadTest.withGreeting());
    }
  }

  static Path repo(String name) throws Exception {
    Path repo = tmp.resolve(name);
    try (Stream<Path> files = Files.walk(template)) {
      for (Path f : files.toList()) {
        Path to = repo.resolve(template.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    }
    return repo;
  }

  static ServerConfig.Builder config(Path repo) {
    return ServerConfig.builder(repo).port(0).threads(1).pollInterval(Duration.ZERO).timeout(Duration.ofSeconds(30));
  }

  static HttpResponse<String> post(InferenceServer s, String path, String auth, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.baseUri() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json");
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> admin(InferenceServer s, String path, String body) throws Exception {
    return post(s, path, "Bearer " + TOKEN, body);
  }

  static HttpResponse<String> get(InferenceServer s, String path) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(s.baseUri() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertError(HttpResponse<String> r, int status, String... parts) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.size()).as(r.body()).isEqualTo(1);
    for (String p : parts) {
      assertThat(body.get("error").asText()).contains(p);
    }
  }

  static String predictVersion(InferenceServer s, String text) throws Exception {
    HttpResponse<String> r = post(s, "/v1/models/demo/predict", null, "{\"text\":\"" + text + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("model_version").asText();
  }

  static String inferVersion(InferenceServer s, String path) throws Exception {
    HttpResponse<String> r = post(s, path, null, Http.infer("hello there"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("model_version").asText();
  }

  static List<String> index(InferenceServer s) throws Exception {
    HttpResponse<String> r = admin(s, "/v2/repository/index", "");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> rows = new ArrayList<>();
    for (JsonNode e : JSON.readTree(r.body())) {
      rows.add(e.get("name").asText() + "/" + e.get("version").asText() + " " + e.get("state").asText() + " " + e.get("reason").asText());
    }
    return rows;
  }

  @Test
  void withoutATokenTheAdminApiIsDisabledAndAWrongOneIsRefused() throws Exception {
    try (InferenceServer s = InferenceServer.start(config(repo("disabled")).build(), RepositoryBootstrapper.NONE)) {
      for (String path : List.of("/v2/repository/index", "/v2/repository/models/demo/load", "/v2/repository/models/demo/unload")) {
        assertError(post(s, path, "Bearer anything", ""), 403, "admin API is disabled", "--admin-token", "INTENT_ADMIN_TOKEN");
      }
      assertThat(predictVersion(s, "hi")).isEqualTo("2");
    }
    try (InferenceServer s = InferenceServer.start(config(repo("guarded")).adminToken(TOKEN).build(), RepositoryBootstrapper.NONE)) {
      for (String path : List.of("/v2/repository/index", "/v2/repository/models/demo/load", "/v2/repository/models/demo/unload")) {
        HttpResponse<String> none = post(s, path, null, "");
        assertError(none, 401, "Authorization: Bearer");
        assertThat(none.headers().firstValue("www-authenticate")).contains("Bearer");
        assertError(post(s, path, "Basic dXNlcjpwYXNz", ""), 401, "Authorization: Bearer");
        assertError(post(s, path, "Bearer " + TOKEN + "x", ""), 403, "admin token is wrong");
        assertError(post(s, path, "Bearer " + TOKEN.substring(1), ""), 403, "admin token is wrong");
      }
      assertThat(s.servingVersion("demo")).as("nothing was unloaded or loaded").isEqualTo("2");
      assertThat(post(s, "/v2/repository/index", "bearer " + TOKEN, "").statusCode()).isEqualTo(200);
      assertThat(get(s, "/v2").body()).as("the extension is offered when it answers").contains("model_repository");
      // The inference API stays open.
      assertThat(predictVersion(s, "hi")).isEqualTo("2");
    }
  }

  @Test
  void loadPinsAnOlderVersionUnderLoadAndUnloadStopsTheModelUntilTheNextLoad() throws Exception {
    try (InferenceServer s = InferenceServer.start(config(repo("admin")).adminToken(TOKEN).build(), RepositoryBootstrapper.NONE)) {
      assertThat(index(s)).containsExactly("demo/2 READY serving", "demo/1 UNAVAILABLE not loaded");

      // Clients keep asking, over /v1 and /v2, while version 1 is loaded, warmed up and pinned.
      AtomicBoolean loaded = new AtomicBoolean();
      AtomicInteger afterLoad = new AtomicInteger();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> versions = new ConcurrentLinkedQueue<>();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        boolean v1 = c % 2 == 0;
        Thread t = new Thread(() -> {
          while (afterLoad.get() < 30) {
            try {
              versions.add(v1 ? predictVersion(s, "what is my balance") : inferVersion(s, "/v2/models/demo/infer"));
            } catch (Throwable e) {
              failures.add(e.toString());
            }
            if (loaded.get()) {
              afterLoad.incrementAndGet();
            }
          }
        });
        t.start();
        clients.add(t);
      }
      HttpResponse<String> load = admin(s, "/v2/repository/models/demo/load", "{\"parameters\":{\"version\":\"1\"}}");
      loaded.set(true);
      for (Thread t : clients) {
        t.join();
      }
      assertThat(load.statusCode()).as(load.body()).isEqualTo(200);
      assertThat(load.body()).isEqualTo("{\"name\":\"demo\",\"version\":\"1\",\"state\":\"READY\"}");
      assertThat(failures).as("requests failed during the load").isEmpty();
      assertThat(versions).contains("1", "2");
      assertThat(predictVersion(s, "hi")).isEqualTo("1");
      assertThat(inferVersion(s, "/v2/models/demo/infer")).isEqualTo("1");

      // The version it replaced stays loaded: both answer by name, the metadata lists both.
      assertThat(inferVersion(s, "/v2/models/demo/versions/2/infer")).isEqualTo("2");
      assertThat(inferVersion(s, "/v2/models/demo/versions/1/infer")).isEqualTo("1");
      JsonNode meta = JSON.readTree(get(s, "/v2/models/demo").body());
      assertThat(meta.get("versions").toString()).isEqualTo("[\"2\",\"1\"]");
      assertThat(meta.get("parameters").get("serving_version").asText()).isEqualTo("1");
      assertThat(JSON.readTree(get(s, "/v2/models/demo/versions/2").body()).get("labels").toString())
          .contains("greeting");
      assertThat(get(s, "/v2/models/demo/versions/2/ready").statusCode()).isEqualTo(200);
      assertError(post(s, "/v2/models/demo/versions/7/infer", null, Http.infer("hi")), 404,
          "no version '7' loaded", "loaded versions: [2, 1]", "serving version 1");
      assertThat(index(s)).containsExactly("demo/2 READY loaded, not serving (serving version 1)",
          "demo/1 READY serving (pinned by --pin or the admin API)");

      // The pin holds across polls; a load without a version drops it: the newest serves again.
      s.reloadNow();
      assertThat(s.servingVersion("demo")).isEqualTo("1");
      assertThat(admin(s, "/v2/repository/models/demo/load", "").statusCode()).isEqualTo(200);
      assertThat(predictVersion(s, "hi")).isEqualTo("2");

      // Bad loads: unknown model, unknown version, invalid names, bad body.
      assertError(admin(s, "/v2/repository/models/nope/load", ""), 404, "unknown model 'nope'", "[demo]");
      assertError(admin(s, "/v2/repository/models/demo/load", "{\"parameters\":{\"version\":\"9\"}}"), 404,
          "no version '9' in the repository", "versions: [2, 1]");
      assertError(admin(s, "/v2/repository/models/demo/load", "{\"parameters\":{\"version\":\"../1\"}}"), 400,
          "invalid version '../1'");
      assertError(admin(s, "/v2/repository/models/demo/load", "{\"parameters\":"), 400, "malformed JSON");
      // Armeria refuses a path that decodes to a traversal itself; what reaches us is checked by name.
      assertError(admin(s, "/v2/repository/models/..%2F..%2Fetc/load", ""), 400, "Invalid request path");
      assertError(admin(s, "/v2/repository/models/%2Fetc/load", ""), 400, "invalid model name '/etc'");
      assertError(admin(s, "/v2/repository/models/nope/unload", ""), 404, "unknown model 'nope'");
      assertError(admin(s, "/v2/repository/models/a%2Fb/unload", ""), 400, "invalid model name 'a/b'");
      assertThat(s.servingVersion("demo")).isEqualTo("2");

      // Unload: 404 everywhere, the index says so, and a poll does not bring it back.
      HttpResponse<String> unload = admin(s, "/v2/repository/models/demo/unload", "");
      assertThat(unload.statusCode()).as(unload.body()).isEqualTo(200);
      assertError(post(s, "/v1/models/demo/predict", null, "{\"text\":\"hi\"}"), 404, "unknown model 'demo'", "unloaded");
      assertError(post(s, "/v2/models/demo/infer", null, Http.infer("hi")), 404, "unknown model 'demo'");
      assertThat(get(s, "/v2/models/demo").statusCode()).isEqualTo(404);
      assertThat(index(s)).containsExactly("demo/2 UNAVAILABLE unloaded", "demo/1 UNAVAILABLE unloaded");
      s.reloadNow();
      assertThat(post(s, "/v1/models/demo/predict", null, "{\"text\":\"hi\"}").statusCode()).isEqualTo(404);
      assertThat(get(s, "/metrics").body()).doesNotContain("intent_model_loaded{model=\"demo\"");

      assertThat(admin(s, "/v2/repository/models/demo/load", "").statusCode()).isEqualTo(200);
      assertThat(predictVersion(s, "hi")).isEqualTo("2");
      assertThat(index(s)).containsExactly("demo/2 READY serving", "demo/1 UNAVAILABLE not loaded");
    }
  }

  @Test
  void aDamagedVersionIsRefusedByLoadAndTheServingOneStays() throws Exception {
    Path repo = repo("damaged");
    Files.createDirectories(repo.resolve("demo/3"));
    Files.write(repo.resolve("demo/3/demo.intent"), new byte[] {'P', 'K', 1, 2, 3});
    try (InferenceServer s = InferenceServer.start(config(repo).adminToken(TOKEN).build(), RepositoryBootstrapper.NONE)) {
      assertThat(s.servingVersion("demo")).isEqualTo("2");
      assertError(admin(s, "/v2/repository/models/demo/load", "{\"parameters\":{\"version\":\"3\"}}"), 409,
          "could not load model 'demo' version '3'", "demo.intent", "still serving version 2");
      assertThat(predictVersion(s, "hi")).isEqualTo("2");
      s.reloadNow();
      assertThat(s.servingVersion("demo")).as("the failed load left no pin behind").isEqualTo("2");
      assertThat(index(s)).contains("demo/2 READY serving").anyMatch(r -> r.startsWith("demo/3 UNAVAILABLE demo version 3 rejected"));
    }
  }

  @Test
  void thePinFileIsHonouredOnPollAndAMissingPinnedVersionKeepsTheServingOne() throws Exception {
    Path repo = repo("pinfile");
    try (InferenceServer s = InferenceServer.start(config(repo).build(), RepositoryBootstrapper.NONE)) {
      assertThat(s.servingVersion("demo")).isEqualTo("2");
      PinFile.write(repo, "demo", "1");
      s.reloadNow();
      assertThat(predictVersion(s, "hi")).isEqualTo("1");
      PinFile.write(repo, "demo", "9");
      s.reloadNow();
      assertThat(s.servingVersion("demo")).isEqualTo("1");
      assertThat(s.lastRejection("demo")).contains("pinned to version 9").contains("versions: [2, 1]")
          .contains("still serving version 1");
      Files.writeString(PinFile.path(repo, "demo"), "../2\n");
      s.reloadNow();
      assertThat(s.servingVersion("demo")).isEqualTo("1");
      assertThat(s.lastRejection("demo")).contains(".pinned-version: invalid version '../2'");
      PinFile.clear(repo, "demo");
      s.reloadNow();
      assertThat(predictVersion(s, "hi")).isEqualTo("2");
    }
  }

  @Test
  void pinOptionWinsOverThePinFileAndAMissingOneFallsBackAtStart() throws Exception {
    Path repo = repo("pinned");
    PinFile.write(repo, "demo", "2");
    try (InferenceServer s = InferenceServer.start(config(repo).pin("demo", "1").build(), RepositoryBootstrapper.NONE)) {
      assertThat(predictVersion(s, "hi")).isEqualTo("1");
      s.reloadNow();
      assertThat(s.servingVersion("demo")).isEqualTo("1");
    }
    try (InferenceServer s = InferenceServer.start(config(repo).pin("demo", "9").build(), RepositoryBootstrapper.NONE)) {
      assertThat(s.servingVersion("demo")).as("nothing else to serve at start: the newest").isEqualTo("2");
      assertThat(s.lastRejection("demo")).contains("pinned to version 9 (--pin or the admin API)");
    }
    assertThatThrownBy(() -> config(repo).pin("../x", "1").build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--pin ../x=1: invalid model name '../x'");
  }

  @Test
  void invalidNamesAreRefusedOnEveryRouteAndInvalidDirectoriesAreNeverLoaded() throws Exception {
    Path repo = repo("names");
    // Directories that break the naming rule: skipped, never served.
    Path badModel = Files.createDirectories(repo.resolve("bad name"));
    Files.createDirectories(repo.resolve("demo/v 3"));
    try (Stream<Path> files = Files.list(repo.resolve("demo/2"))) {
      for (Path f : files.toList()) {
        Files.copy(f, Files.createDirectories(badModel.resolve("1")).resolve(f.getFileName()));
        Files.copy(f, repo.resolve("demo/v 3").resolve(f.getFileName()));
      }
    }
    try (InferenceServer s = InferenceServer.start(config(repo).adminToken(TOKEN).build(), RepositoryBootstrapper.NONE)) {
      assertThat(s.models()).containsExactly("demo");
      assertThat(s.servingVersion("demo")).isEqualTo("2");
      assertThat(index(s)).containsExactly("demo/2 READY serving", "demo/1 UNAVAILABLE not loaded");

      String tooLong = "a".repeat(129);
      for (String bad : List.of("..%2F..", "..", "a%2Fb", "%2Fetc%2Fpasswd", "a%5Cb", "-x", ".hidden", "a%00b", tooLong)) {
        String decoded = java.net.URLDecoder.decode(bad, java.nio.charset.StandardCharsets.UTF_8);
        String shown = decoded.length() > 48 ? decoded.substring(0, 48) : decoded;
        // Armeria refuses paths that decode to '..' segments or hold NUL itself (400 "Invalid request path").
        boolean armeria = decoded.contains("..") || decoded.contains("\0");
        String model = armeria ? "Invalid request path" : "invalid model name '" + shown;
        String version = armeria ? "Invalid request path" : "invalid version '" + shown;
        String modelAny = armeria ? "Invalid request path" : "invalid model name";
        String versionAny = armeria ? "Invalid request path" : "invalid version";
        assertError(get(s, "/v2/models/" + bad), 400, model);
        assertError(get(s, "/v2/models/" + bad + "/ready"), 400, modelAny);
        assertError(get(s, "/v2/models/" + bad + "/versions/1"), 400, modelAny);
        assertError(post(s, "/v2/models/" + bad + "/infer", null, Http.infer("hi")), 400, modelAny);
        assertError(post(s, "/v2/models/" + bad + "/versions/1/infer", null, Http.infer("hi")), 400, modelAny);
        assertError(post(s, "/v1/models/" + bad + "/predict", null, "{\"text\":\"hi\"}"), 400, modelAny);
        assertError(admin(s, "/v2/repository/models/" + bad + "/load", ""), 400, modelAny);
        assertError(admin(s, "/v2/repository/models/" + bad + "/unload", ""), 400, modelAny);
        assertError(get(s, "/v2/models/demo/versions/" + bad), 400, version);
        assertError(get(s, "/v2/models/demo/versions/" + bad + "/ready"), 400, versionAny);
        assertError(post(s, "/v2/models/demo/versions/" + bad + "/infer", null, Http.infer("hi")), 400, versionAny);
      }
      assertThat(get(s, "/metrics").body()).as("bad names are not metric tags").doesNotContain("etc").doesNotContain(tooLong);
      // An empty name is no route at all (Armeria folds '//'): a 4xx JSON error, never an answer.
      for (HttpResponse<String> r : List.of(post(s, "/v2/models/demo/versions//infer", null, Http.infer("hi")),
          post(s, "/v1/models//predict", null, "{\"text\":\"hi\"}"), get(s, "/v2/models//ready"),
          admin(s, "/v2/repository/models//load", ""))) {
        assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isNotEmpty();
      }
      assertThat(predictVersion(s, "hi")).isEqualTo("2");

      GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub = GrpcClients.newClient(
          "http://127.0.0.1:" + s.port() + "/", GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub.class);
      ModelInferRequest.InferInputTensor text = ModelInferRequest.InferInputTensor.newBuilder().setName("text")
          .setDatatype("BYTES").addShape(1).setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("hi"))).build();
      assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("../demo").addInputs(text).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("invalid model name '../demo'");
          });
      assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("demo").setModelVersion("a/b").addInputs(text).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("invalid version 'a/b'");
          });
      assertThatThrownBy(() -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
      assertThat(stub.modelInfer(ModelInferRequest.newBuilder().setModelName("demo").setModelVersion("2").addInputs(text).build())
          .getModelVersion()).isEqualTo("2");
    }
  }
}
