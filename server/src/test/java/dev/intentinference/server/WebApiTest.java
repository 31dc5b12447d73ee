package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.onnx.SentenceEncoder;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web face without a browser, against a real server: the stats endpoint, the reports folder
 * (read-only, no way out of it), CORS, the static files' self-containment and the home page.
 */
class WebApiTest {
  static final String ALLOWED = "http://127.0.0.1:8123";
  static final String SECRET = "top secret: must never be served";
  @TempDir static Path tmp;
  static InferenceServer server;
  static Http http;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    Path repo = tmp.resolve("repo");
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, repo, "clinc150", "1", TestModels.supportExamples(), 0.9);
    }
    Path reports = Files.createDirectories(tmp.resolve("reports"));
    Files.writeString(tmp.resolve("secret.txt"), SECRET);
    Files.createDirectories(reports.resolve("run 1"));
    Files.writeString(reports.resolve("run 1/index.html"), "<html><body>report one</body></html>");
    Files.createDirectories(reports.resolve("sweeps/inf1"));
    Files.writeString(reports.resolve("sweeps/inf1/index.html"), "<html><body>report two</body></html>");
    Files.writeString(reports.resolve("notes.txt"), "not a report");
    server = InferenceServer.start(ServerConfig.builder(repo).port(0).threads(1).pollInterval(Duration.ZERO)
        .corsOrigin(ALLOWED).reports(reports).build(), RepositoryBootstrapper.NONE);
    http = new Http(server.baseUri());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void statsCountRequestsErrorsBatchesAndLatencyAndListTheModels() throws Exception {
    JsonNode before = JSON.readTree(http.get("/v1/stats").body());
    for (int i = 0; i < 3; i++) {
      assertThat(http.postJson("/v1/models/clinc150/predict", "{\"text\":\"what is my balance\"}").statusCode()).isEqualTo(200);
    }
    assertThat(http.postJson("/v1/models/clinc150/predict", "{\"text\":\"\"}").statusCode()).isEqualTo(400);
    HttpResponse<String> r = http.get("/v1/stats");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    JsonNode s = JSON.readTree(r.body());
    assertThat(s.at("/requests/total").asDouble() - before.at("/requests/total").asDouble()).isEqualTo(4);
    assertThat(s.at("/requests/by_api/v1_predict").asDouble()).isGreaterThanOrEqualTo(4);
    assertThat(s.at("/errors/by_cause/empty_text").asDouble() - before.at("/errors/by_cause/empty_text").asDouble(0))
        .isEqualTo(1);
    assertThat(s.at("/errors/unavailable").asDouble()).isZero();
    JsonNode lat = s.get("latency_seconds");
    assertThat(lat.get("le").size()).isEqualTo(lat.get("counts").size()).isPositive();
    assertThat(lat.get("count").asLong() - before.at("/latency_seconds/count").asLong(0))
        .as("the answers' latencies: not the refused empty text's").isEqualTo(3);
    // cumulative buckets never decrease and never exceed the count
    long prev = 0;
    for (JsonNode c : lat.get("counts")) {
      assertThat(c.asLong()).isGreaterThanOrEqualTo(prev).isLessThanOrEqualTo(lat.get("count").asLong());
      prev = c.asLong();
    }
    assertThat(s.at("/batch_size/sum").asDouble() - before.at("/batch_size/sum").asDouble(0)).isEqualTo(3);
    assertThat(s.at("/queue_depth/clinc150").asDouble()).isZero();
    assertThat(s.at("/models/0/name").asText()).isEqualTo("clinc150");
    assertThat(s.at("/models/0/serving_version").asText()).isEqualTo("1");
    assertThat(s.get("reports").asBoolean()).isTrue();
  }

  @Test
  void answersCarryTheServerSideLatency() throws Exception {
    HttpResponse<String> r = http.postJson("/v1/models/clinc150/predict", "{\"text\":\"will it rain today\"}");
    assertThat(r.headers().firstValue("server-timing")).hasValueSatisfying(v -> assertThat(v).matches("app;dur=\\d+\\.\\d{3}"));
    r = http.postJson("/v2/models/clinc150/infer", Http.infer("will it rain today"));
    assertThat(r.headers().firstValue("server-timing")).isPresent();
  }

  @Test
  void reportsAreListedNewestFirstAndServedReadOnly() throws Exception {
    Files.setLastModifiedTime(tmp.resolve("reports/run 1/index.html"), java.nio.file.attribute.FileTime.fromMillis(1_000_000));
    JsonNode list = JSON.readTree(http.get("/v1/reports").body()).get("reports");
    assertThat(list).hasSize(2);
    assertThat(list.get(0).get("name").asText()).isEqualTo("sweeps/inf1");
    assertThat(list.get(0).get("url").asText()).isEqualTo("/reports/sweeps/inf1/index.html");
    assertThat(list.get(1).get("url").asText()).isEqualTo("/reports/run%201/index.html");
    HttpResponse<String> page = http.get(list.get(1).get("url").asText());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("report one");
    assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");
    assertThat(http.get("/reports/notes.txt").body()).isEqualTo("not a report");
    assertThat(http.post("/reports/notes.txt", "text/plain", new byte[] {1}).statusCode()).isEqualTo(405);
    assertThat(http.get("/reports/").statusCode()).as("no directory listing").isEqualTo(404);
  }

  @Test
  void noPathLeavesTheReportsFolder() throws Exception {
    for (String path : List.of("/reports/../secret.txt", "/reports/%2e%2e/secret.txt", "/reports/%2E%2E%2Fsecret.txt",
        "/reports/..%2fsecret.txt", "/reports/..%5csecret.txt", "/reports/run%201/../../secret.txt",
        "/reports/run%201/%2e%2e/%2e%2e/secret.txt", "/reports/%2f" + tmp.resolve("secret.txt").toString().substring(1),
        "/reports//" + tmp.resolve("secret.txt"), "/reports/.%2e/secret.txt", "/reports/%252e%252e/secret.txt",
        "/reports/..;/secret.txt", "/reports/%c0%ae%c0%ae/secret.txt")) {
      String answer = raw(path);
      assertThat(answer).as(path).doesNotContain(SECRET);
      assertThat(answer).as(path).matches("(?s)HTTP/1\\.1 4\\d\\d .*");
    }
  }

  @Test
  void aReportsFolderThatIsNotADirectoryIsRefusedAtStart() {
    assertThatThrownBy(() -> InferenceServer.start(ServerConfig.builder(tmp.resolve("repo")).port(0)
        .reports(tmp.resolve("secret.txt")).build(), RepositoryBootstrapper.NONE))
        .isInstanceOf(IntentException.class).hasMessageContaining("--reports").hasMessageContaining("not a readable directory");
  }

  @Test
  void corsAllowsOnlyTheListedOrigins() throws Exception {
    HttpResponse<String> ok = preflight(ALLOWED);
    assertThat(ok.headers().firstValue("access-control-allow-origin")).hasValue(ALLOWED);
    assertThat(ok.headers().firstValue("access-control-allow-methods").orElse("")).contains("POST");
    HttpResponse<String> refused = preflight("http://127.0.0.1:8124");
    assertThat(refused.headers().firstValue("access-control-allow-origin")).isEmpty();
    HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        server.baseUri().resolve("/v1/models/clinc150/predict")).header("origin", ALLOWED)
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.headers().firstValue("access-control-allow-origin")).hasValue(ALLOWED);
    assertThat(answer.headers().firstValue("access-control-expose-headers").orElse("")).contains("server-timing");
  }

  @Test
  void withoutCorsOriginsNoOriginIsAllowed() throws Exception {
    try (InferenceServer plain = InferenceServer.start(ServerConfig.builder(tmp.resolve("repo")).port(0).threads(1)
        .pollInterval(Duration.ZERO).build(), RepositoryBootstrapper.NONE)) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          plain.baseUri().resolve("/v1/models/clinc150/predict")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
          .header("origin", ALLOWED).header("access-control-request-method", "POST").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.headers().firstValue("access-control-allow-origin")).isEmpty();
      assertThat(JSON.readTree(new Http(plain.baseUri()).get("/v1/reports").body()).get("reports")).isEmpty();
    }
  }

  @Test
  void badCorsOriginsAreRefusedWithTheExpectedForm() {
    for (String bad : List.of("127.0.0.1:8000", "ftp://example.com", "https://example.com/", "https://example.com/chat", "")) {
      assertThatThrownBy(() -> ServerConfig.builder(tmp).corsOrigin(bad).build()).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--cors-origin must be");
    }
    assertThat(ServerConfig.builder(tmp).corsOrigin("*").corsOrigin("https://shop.example.com:8443").build().corsOrigins())
        .hasSize(2);
  }

  @Test
  void theHomePageAndItsFilesComeFromThisServerOnly() throws Exception {
    HttpResponse<String> home = http.get("/");
    assertThat(home.statusCode()).isEqualTo(200);
    assertThat(home.headers().firstValue("content-security-policy").orElse("")).contains("default-src 'self'")
        .doesNotContain("unsafe-inline");
    assertThat(home.body()).contains("<intent-chat").contains("/web/dashboard.js");
    for (String file : List.of("index.html", "api.html", "intent-chat.js", "dashboard.js", "charts.js", "api.js", "style.css")) {
      // comments may show how another site embeds the component; code may not load anything from elsewhere
      String text = new String(WebRoutes.resource(file), StandardCharsets.UTF_8).replaceAll("(?m)^\\s*(//|\\*).*$", "");
      assertThat(text).as(file).doesNotContainPattern("(src|href)=\"(https?:)?//").doesNotContainPattern("import .* from \"(https?:)?//")
          .doesNotContainPattern("url\\((https?:)?//").doesNotContainPattern("fetch\\(\"(https?:)?//").doesNotContain("<script>");
      HttpResponse<String> served = http.get("/web/" + file);
      assertThat(served.statusCode()).as(file).isEqualTo(200);
      assertThat(served.headers().firstValue("content-security-policy")).as(file).hasValue(WebRoutes.CSP);
    }
    assertThat(http.get("/web/").headers().firstValue("content-security-policy")).as("the page as a folder's index")
        .hasValue(WebRoutes.CSP);
    HttpResponse<String> js = http.get("/web/intent-chat.js");
    assertThat(js.headers().firstValue("content-type").orElse("")).contains("javascript");
    assertThat(js.headers().firstValue("access-control-allow-origin")).as("the component is public").hasValue("*");
    assertThat(http.get("/api").body()).contains("/web/api.js");
    assertThat(http.get("/web/../openapi.json").statusCode()).isIn(400, 404);
  }

  static HttpResponse<String> preflight(String origin) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.baseUri().resolve("/v1/models/clinc150/predict"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("origin", origin)
        .header("access-control-request-method", "POST").header("access-control-request-headers", "content-type").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Sends {@code path} byte for byte (no client normalises it) and returns the whole answer. */
  static String raw(String path) throws Exception {
    URI base = server.baseUri();
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      return all.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
