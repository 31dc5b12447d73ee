package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.intentinference.core.onnx.SentenceEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST APIs against a real server on a loopback port, with a real tiny model. */
class ServerApiTest {
  @TempDir static Path repo;
  static InferenceServer server;
  static Http http;
  static final ObjectMapper JSON = new ObjectMapper();
  static final String LONG_TEXT = "please change my address ".repeat(140);

  @BeforeAll
  static void start() {
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, repo, "demo", "1", TestModels.bankingExamples());
    }
    server = InferenceServer.start(config().build(), RepositoryBootstrapper.NONE);
    http = new Http(server.baseUri());
  }

  static ServerConfig.Builder config() {
    return ServerConfig.builder(repo).port(0).threads(1).maxBodyBytes(64 * 1024).maxBatchRequest(4)
        .pollInterval(Duration.ZERO).timeout(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  static void assertError(HttpResponse<String> r, int status, String messagePart) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode body = json(r);
    assertThat(body.size()).isEqualTo(1);
    assertThat(body.get("error").asText()).contains(messagePart);
  }

  @Test
  void healthAndServerMetadata() throws Exception {
    assertThat(http.get("/v2/health/live").statusCode()).isEqualTo(200);
    assertThat(http.get("/v2/health/ready").statusCode()).isEqualTo(200);
    JsonNode meta = json(http.get("/v2"));
    assertThat(meta.get("name").asText()).isEqualTo("intent-inference");
    // the repository extension answers only with an admin token (AdminApiTest): without one it is not offered
    assertThat(meta.get("extensions").toString()).doesNotContain("model_repository");
  }

  @Test
  void modelMetadataDescribesTheTensorsAndReadiness() throws Exception {
    JsonNode m = json(http.get("/v2/models/demo"));
    assertThat(m.get("name").asText()).isEqualTo("demo");
    assertThat(m.get("versions").toString()).isEqualTo("[\"1\"]");
    assertThat(m.get("inputs").get(0).toString()).isEqualTo("{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[-1]}");
    assertThat(m.get("outputs").get(3).toString()).isEqualTo("{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[-1,3]}");
    assertThat(m.get("parameters").get("input_shapes").asText()).contains("[n]").contains("[n, 1]");
    assertThat(m.get("labels").toString()).isEqualTo("[\"update_address\",\"balance\",\"weather\"]");
    assertThat(m.get("manifest").get("name").asText()).isEqualTo("demo");
    assertThat(m.get("parameters").get("label_count").asInt()).isEqualTo(3);
    // The protocol's parameters are scalars: strict clients refuse lists and objects there.
    m.get("parameters").fields().forEachRemaining(f -> assertThat(f.getValue().isValueNode()).as(f.getKey()).isTrue());
    assertThat(json(http.get("/v2/models/demo/versions/1")).get("name").asText()).isEqualTo("demo");
    assertThat(http.get("/v2/models/demo/ready").statusCode()).isEqualTo(200);
    assertThat(http.get("/v2/models/demo/versions/1/ready").statusCode()).isEqualTo(200);
    assertError(http.get("/v2/models/nope/ready"), 404, "unknown model 'nope'");
    assertError(http.get("/v2/models/demo/versions/9"), 404, "no version '9'");
    // The repository index is admin API: disabled without a token (AdminApiTest covers it with one).
    assertError(http.postJson("/v2/repository/index", ""), 403, "admin API is disabled");
  }

  @Test
  void inferReturnsLabelsAndProbabilities() throws Exception {
    HttpResponse<String> r = http.postJson("/v2/models/demo/infer", Http.infer("i need to change my address", "is it going to rain"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = json(r);
    assertThat(body.get("model_name").asText()).isEqualTo("demo");
    assertThat(body.get("model_version").asText()).isEqualTo("1");
    assertThat(body.get("id").asText()).isEqualTo("r1");
    JsonNode label = body.get("outputs").get(0);
    assertThat(label.get("name").asText()).isEqualTo("label");
    assertThat(label.get("datatype").asText()).isEqualTo("BYTES");
    assertThat(label.get("shape").toString()).isEqualTo("[2]");
    assertThat(label.get("data").toString()).isEqualTo("[\"update_address\",\"weather\"]");
    JsonNode p = body.get("outputs").get(1);
    assertThat(p.get("name").asText()).isEqualTo("probability");
    assertThat(p.get("datatype").asText()).isEqualTo("FP32");
    assertThat(p.get("data").get(0).asDouble()).isBetween(0.5, 1.0);
  }

  @Test
  void inferAcceptsShapeNBy1NestedDataAndRequestedOutputs() throws Exception {
    String req = "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[2,1],\"data\":[[\"what is my balance\"],[\"hello there\"]]}],"
        + "\"outputs\":[{\"name\":\"probabilities\"},{\"name\":\"logits\"},{\"name\":\"label\"}]}";
    HttpResponse<String> r = http.postJson("/v2/models/demo/versions/1/infer", req);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode outs = json(r).get("outputs");
    assertThat(outs.get(0).get("name").asText()).isEqualTo("probabilities");
    assertThat(outs.get(0).get("shape").toString()).isEqualTo("[2,3]");
    double sum = 0;
    for (int i = 0; i < 3; i++) {
      sum += outs.get(0).get("data").get(i).asDouble();
    }
    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(outs.get(1).get("name").asText()).isEqualTo("logits");
    assertThat(outs.get(1).get("data").size()).isEqualTo(6);
    assertThat(outs.get(2).get("data").get(0).asText()).isEqualTo("balance");
    assertThat(json(r).has("id")).isFalse();
  }

  @Test
  void plainJsonPredictGivesTheCorePredictionShape() throws Exception {
    HttpResponse<String> r = http.postJson("/v1/models/demo/predict", "{\"text\":\"how much money is in my account\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode p = json(r);
    assertThat(p.get("text").asText()).isEqualTo("how much money is in my account");
    assertThat(p.get("intent").asText()).isEqualTo("balance");
    assertThat(p.get("confidence").asDouble()).isBetween(0.0, 1.0);
    assertThat(p.get("out_of_scope").isBoolean()).isTrue();
    assertThat(p.get("top")).hasSize(3);
    assertThat(p.get("top").get(0).get("intent").asText()).isEqualTo("balance");
    assertThat(p.get("model_version").asText()).isEqualTo("1");
    assertThat(p.has("truncated")).isFalse();

    JsonNode many = json(http.postJson("/v1/models/demo/predict", "{\"texts\":[\"edit my home address\",\"sunny tomorrow?\"]}"));
    assertThat(many.get("predictions")).hasSize(2);
    assertThat(many.get("predictions").get(0).get("intent").asText()).isEqualTo("update_address");
    assertThat(many.get("predictions").get(1).get("intent").asText()).isEqualTo("weather");
  }

  @Test
  void tooLongTextIsTruncatedAndSaysSo() throws Exception {
    HttpResponse<String> r = http.postJson("/v1/models/demo/predict", "{\"text\":\"" + LONG_TEXT + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("truncated").asBoolean()).isTrue();
    JsonNode v2 = json(http.postJson("/v2/models/demo/infer", Http.infer("hello", LONG_TEXT)));
    assertThat(v2.get("parameters").get("truncated").asText()).isEqualTo("1");
  }

  @Test
  void aLargeBatchIsTokenizedOffTheEventLoopAndAnswered() throws Exception {
    String longText = "what is the balance of my checking account ".repeat(150); // 3 x 6450 chars: over 16 KiB
    HttpResponse<String> r = http.postJson("/v2/models/demo/infer", Http.infer(longText, longText, "hello", longText));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = json(r);
    assertThat(body.get("parameters").get("truncated").asText()).isEqualTo("0,1,3");
    assertThat(body.get("outputs").get(0).get("data").get(0).asText()).isEqualTo("balance");
  }

  @Test
  void malformedJsonIs400() throws Exception {
    assertError(http.postJson("/v2/models/demo/infer", "{\"inputs\": [ {\"name\": "), 400, "malformed JSON");
    assertError(http.postJson("/v1/models/demo/predict", "not json"), 400, "malformed JSON");
    assertError(http.postJson("/v1/models/demo/predict", "[1,2]"), 400, "must be a JSON object");
    assertError(http.postJson("/v1/models/demo/predict", ""), 400, "body is empty");
  }

  @Test
  void aBodyWithNoContentTypeIsJsonUnlessABrowserSentIt() throws Exception {
    // tritonclient's HTTP client posts its JSON with no content type.
    HttpResponse<String> infer = http.post("/v2/models/demo/infer", null, Http.infer("what is my balance").getBytes(StandardCharsets.UTF_8));
    assertThat(infer.statusCode()).as(infer.body()).isEqualTo(200);
    assertThat(json(infer).get("outputs").findValues("data").toString()).contains("\"balance\"");
    assertThat(http.post("/v1/models/demo/predict", null, "{\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8)).statusCode())
        .isEqualTo(200);
    // A page of another origin can send a body with no content type without a CORS preflight: refused.
    HttpResponse<String> fromPage = http.send(java.net.http.HttpRequest.newBuilder(server.baseUri().resolve("/v1/models/demo/predict"))
        .header("origin", "https://elsewhere.example").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")).build());
    assertError(fromPage, 415, "content type must be application/json, was none");
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    assertError(http.post("/v2/models/demo/infer", "text/plain", Http.infer("hi").getBytes(StandardCharsets.UTF_8)), 415,
        "content type must be application/json, was text/plain");
    // A charset Java does not know is the client's mistake too, not a server error.
    assertError(http.post("/v1/models/demo/predict", "application/json; charset=bogus", "{\"text\":\"hi\"}".getBytes(StandardCharsets.UTF_8)),
        415, "charset must be utf-8, was bogus");
    assertError(http.post("/v2/models/demo/infer", "application/json; charset=latin1", Http.infer("hi").getBytes(StandardCharsets.UTF_8)),
        415, "charset must be utf-8, was ISO-8859-1");
  }

  @Test
  void aClientThatHangsUpMidBodyIsNotAServerError() throws Exception {
    double internalBefore = errors("internal");
    double closedBefore = errors("client_closed");
    try (java.net.Socket socket = new java.net.Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
      String head = "POST /v1/models/demo/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100\r\n\r\n{\"text\":\"lost";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      Thread.sleep(200);
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (errors("client_closed") == closedBefore && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(errors("client_closed")).isEqualTo(closedBefore + 1);
    assertThat(errors("internal")).isEqualTo(internalBefore);
    assertThat(http.postJson("/v1/models/demo/predict", "{\"text\":\"hi\"}").statusCode()).isEqualTo(200);
  }

  /** A body shorter than its Content-Length, the connection left open: 408 naming it, not 503 and a retry. */
  @Test
  void aBodyThatStopsShortIs408() throws Exception {
    ServerConfig quick = ServerConfig.builder(repo).port(0).threads(1).pollInterval(Duration.ZERO).timeout(Duration.ofMillis(100)).build();
    try (InferenceServer s = InferenceServer.start(quick, RepositoryBootstrapper.NONE);
        java.net.Socket socket = new java.net.Socket(s.baseUri().getHost(), s.baseUri().getPort())) {
      socket.setSoTimeout(30_000);
      String head = "POST /v1/models/demo/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100\r\n\r\n{\"text\":\"lost";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      StringBuilder answer = new StringBuilder();
      byte[] chunk = new byte[512];
      // Until the JSON body's end: the connection itself stays open after the answer.
      for (int n; answer.indexOf("\"}") < 0 && (n = socket.getInputStream().read(chunk)) > 0; ) {
        answer.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
      }
      assertThat(answer.toString()).startsWith("HTTP/1.1 408").doesNotContainIgnoringCase("retry-after")
          .contains("{\"error\":\"the request body stopped before its end");
    }
  }

  @Test
  void aRequestedOutputWithoutANameIs400() throws Exception {
    assertError(http.postJson("/v2/models/demo/infer", "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],"
        + "\"data\":[\"a\"]}],\"outputs\":[{\"parameters\":{}}]}"), 400, "each requested output needs a 'name'");
  }

  @Test
  void trailingContentAndACompressedBodyAreRefused() throws Exception {
    assertError(http.postJson("/v1/models/demo/predict", "{\"text\":\"hi\"} {\"text\":\"again\"}"), 400,
        "unexpected content after the request's JSON object");
    assertError(http.postJson("/v2/models/demo/infer", Http.infer("hi") + " trailing"), 400, "malformed JSON");
    HttpResponse<String> gzip = http.send(java.net.http.HttpRequest.newBuilder(server.baseUri().resolve("/v1/models/demo/predict"))
        .header("content-type", "application/json").header("content-encoding", "gzip")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[] {31, (byte) 139, 8, 0})).build());
    assertError(gzip, 415, "content-encoding 'gzip' is not supported");
  }

  /** {@code intent_errors_total} for one cause, 0 before its first. */
  static double errors(String cause) throws Exception {
    String prefix = "intent_errors_total{cause=\"" + cause + "\"} ";
    return http.get("/metrics").body().lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst().orElse(0);
  }

  @Test
  void bodyOverMaxBodyIs413() throws Exception {
    String big = "{\"text\":\"" + "a".repeat(70_000) + "\"}";
    assertError(http.postJson("/v1/models/demo/predict", big), 413, "larger than the limit of 65536 bytes (--max-body)");
  }

  @Test
  void emptyTextIs400() throws Exception {
    assertError(http.postJson("/v1/models/demo/predict", "{\"text\":\"\"}"), 400, "text is empty");
    assertError(http.postJson("/v2/models/demo/infer", Http.infer("fine", "   ")), 400, "text 1 is empty");
    // Invisible characters only (zero-width space, byte-order mark, NUL, no-break space, lone accents) read as nothing.
    assertError(http.postJson("/v1/models/demo/predict", "{\"text\":\"\\u200b\\ufeff\\u0000\\u00a0\\u0301\"}"), 400, "text is empty");
    assertError(http.postJson("/v1/models/demo/predict", "{\"texts\":[]}"), 400, "no texts");
  }

  @Test
  void invalidUtf8Is400() throws Exception {
    byte[] body = "{\"text\":\"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8);
    byte[] bad = new byte[body.length];
    System.arraycopy(body, 0, bad, 0, body.length);
    bad[12] = (byte) 0xC3;
    bad[13] = (byte) 0x28; // a lead byte followed by a non-continuation byte
    assertError(http.post("/v1/models/demo/predict", "application/json", bad), 400, "not valid UTF-8 (bad byte at offset 12)");
  }

  @Test
  void wrongTensorDatatypeOrShapeIs400() throws Exception {
    assertError(http.postJson("/v2/models/demo/infer",
        "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1.5]}]}"), 400,
        "input 'text' must have datatype BYTES, was FP32");
    assertError(http.postJson("/v2/models/demo/infer",
        "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[3],\"data\":[\"a\",\"b\"]}]}"), 400,
        "has shape [3] but 2 elements");
    assertError(http.postJson("/v2/models/demo/infer",
        "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1,2],\"data\":[\"a\",\"b\"]}]}"), 400,
        "expected [2] or [2, 1]");
    assertError(http.postJson("/v2/models/demo/infer",
        "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"a\"]}]}"), 400, "unknown input 'image'");
    assertError(http.postJson("/v2/models/demo/infer",
        "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[7]}]}"), 400, "must hold strings, found a number");
    assertError(http.postJson("/v2/models/demo/infer",
        "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"a\"]}],\"outputs\":[{\"name\":\"embedding\"}]}"),
        400, "unknown output 'embedding'");
    assertError(http.postJson("/v1/models/demo/predict", "{\"text\":42}"), 400, "'text' must be a string, found a number");
  }

  @Test
  void unknownModelVersionOrPathIs404() throws Exception {
    assertError(http.postJson("/v2/models/nope/infer", Http.infer("hi")), 404, "unknown model 'nope'; serving [demo]");
    assertError(http.postJson("/v2/models/demo/versions/7/infer", Http.infer("hi")), 404, "no version '7'");
    assertError(http.postJson("/v1/models/nope/predict", "{\"text\":\"hi\"}"), 404, "unknown model 'nope'");
    assertError(http.get("/v3/whatever"), 404, "no such endpoint: /v3/whatever");
    // Names of models never served share one series, so such requests cannot grow /metrics without end.
    assertThat(http.get("/metrics").body()).contains("intent_requests_total{api=\"v2_infer\",model=\"(not served)\"}")
        .doesNotContain("model=\"nope\"");
    assertError(http.get("/v2/models/demo/infer"), 405, "method GET not allowed");
  }

  @Test
  void aGrpcCallOverMaxBodyGetsAGrpcStatusNotAJsonBody() throws Exception {
    HttpResponse<String> r = http.post("/inference.GRPCInferenceService/ModelInfer", "application/grpc", new byte[100 * 1024]);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("grpc-status")).hasValue("8"); // RESOURCE_EXHAUSTED
    assertThat(java.net.URLDecoder.decode(r.headers().firstValue("grpc-message").orElse(""), StandardCharsets.UTF_8))
        .isEqualTo("request body is larger than the limit of 65536 bytes (--max-body)");
  }

  @Test
  void batchOverMaxBatchRequestIs400() throws Exception {
    assertError(http.postJson("/v2/models/demo/infer", Http.infer("a", "b", "c", "d", "e")), 400,
        "5 texts in one request; at most 4 allowed (--max-batch-request)");
  }

  @Test
  void serverKeepsAnsweringAfterBadInput() throws Exception {
    http.postJson("/v2/models/demo/infer", "{{{{");
    http.post("/v1/models/demo/predict", "application/json", new byte[] {(byte) 0xFF, (byte) 0xFE});
    assertThat(http.postJson("/v1/models/demo/predict", "{\"text\":\"what is my balance\"}").statusCode()).isEqualTo(200);
  }

  @Test
  void metricsAreExposedInPrometheusFormat() throws Exception {
    http.postJson("/v2/models/demo/infer", Http.infer("what is my balance"));
    http.postJson("/v1/models/demo/predict", "oops");
    HttpResponse<String> r = http.get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("intent_requests_total{api=\"v2_infer\",model=\"demo\"}")
        .contains("intent_errors_total{cause=\"malformed_json\"}")
        .contains("intent_queue_seconds_bucket")
        .contains("intent_batch_seconds_bucket")
        .contains("intent_inference_seconds_bucket")
        .contains("intent_request_seconds_bucket{api=\"v2_infer\"")
        .contains("intent_batch_size_bucket")
        .contains("intent_queue_depth{model=\"demo\"}")
        .contains("intent_model_loaded{model=\"demo\",version=\"1\"} 1");
  }

  @Test
  void tooLongTextIs422WhenTruncationIsOff() throws Exception {
    try (InferenceServer strict = InferenceServer.start(config().truncate(false).build(), RepositoryBootstrapper.NONE)) {
      Http h = new Http(strict.baseUri());
      assertError(h.postJson("/v1/models/demo/predict", "{\"text\":\"" + LONG_TEXT + "\"}"), 422,
          "longer than the model's maximum of 512 tokens (truncation is off)");
      assertThat(h.postJson("/v1/models/demo/predict", "{\"text\":\"what is my balance\"}").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void textsOfAClientThatHungUpAreDroppedNotRun() throws Exception {
    // One text per batch on one worker: 48 long texts take a while, and the client leaves early.
    ServerConfig one = config().instances(1).threads(1).batch(new BatchPolicy(1, 0, 256)).maxBatchRequest(64)
        .maxBodyBytes(1 << 20).build();
    try (InferenceServer s = InferenceServer.start(one, RepositoryBootstrapper.NONE)) {
      Http h = new Http(s.baseUri());
      String[] texts = new String[48];
      java.util.Arrays.fill(texts, LONG_TEXT.substring(0, 1500));
      byte[] body = Http.infer(texts).getBytes(StandardCharsets.UTF_8);
      try (java.net.Socket socket = new java.net.Socket(s.baseUri().getHost(), s.baseUri().getPort())) {
        java.io.OutputStream out = socket.getOutputStream();
        out.write(("POST /v2/models/demo/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        Thread.sleep(200);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String metrics = h.get("/metrics").body();
      while (!metrics.contains("intent_errors_total{cause=\"client_closed\"}") && System.nanoTime() < deadline) {
        Thread.sleep(50);
        metrics = h.get("/metrics").body();
      }
      assertThat(metrics).contains("intent_errors_total{cause=\"client_closed\"} 1.0");
      java.util.regex.Matcher ran = java.util.regex.Pattern.compile("(?m)^intent_batch_size_sum (\\S+)").matcher(metrics);
      assertThat(ran.find()).isTrue();
      assertThat(Double.parseDouble(ran.group(1))).as("texts run for a client that had gone").isLessThan(48);
    }
  }

  @Test
  void requestsStillQueuedAtTheirDeadlineGet503AndAreNotRun() throws Exception {
    // A 1 ms deadline and one text per batch: a burst cannot all start within 1 ms of arriving.
    ServerConfig strict = config().instances(1).batch(new BatchPolicy(1, 0, 256)).timeout(Duration.ofMillis(1)).build();
    try (InferenceServer s = InferenceServer.start(strict, RepositoryBootstrapper.NONE)) {
      Http h = new Http(s.baseUri());
      List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        burst.add(h.postJsonAsync("/v1/models/demo/predict", "{\"text\":\"" + LONG_TEXT.substring(0, 1500) + i + "\"}"));
      }
      int timedOut = 0;
      for (CompletableFuture<HttpResponse<String>> f : burst) {
        HttpResponse<String> r = f.join();
        if (r.statusCode() != 200) {
          assertError(r, 503, "timed out after waiting");
          assertThat(r.headers().firstValue("retry-after")).hasValue("1");
          timedOut++;
        }
      }
      assertThat(timedOut).isPositive();
      String metrics = h.get("/metrics").body();
      assertThat(metrics).contains("intent_errors_total{cause=\"timeout\"} " + timedOut + ".0");
    }
  }

  @Test
  void overloadGets503WithRetryAfterAndTheServerRecovers() throws Exception {
    ServerConfig tiny = config().batch(new BatchPolicy(1, 0, 1)).maxBodyBytes(1 << 20).build();
    try (InferenceServer small = InferenceServer.start(tiny, RepositoryBootstrapper.NONE)) {
      Http h = new Http(small.baseUri());
      List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < 48; i++) {
        burst.add(h.postJsonAsync("/v1/models/demo/predict", "{\"text\":\"" + LONG_TEXT.substring(0, 1000) + i + "\"}"));
      }
      int ok = 0;
      int refused = 0;
      for (CompletableFuture<HttpResponse<String>> f : burst) {
        HttpResponse<String> r = f.join();
        if (r.statusCode() == 200) {
          ok++;
        } else {
          assertError(r, 503, "overloaded");
          assertThat(r.headers().firstValue("retry-after")).hasValue("1");
          refused++;
        }
      }
      assertThat(ok).isPositive();
      assertThat(refused).as("a queue of 1 cannot hold a burst of 48").isPositive();
      assertThat(h.postJson("/v1/models/demo/predict", "{\"text\":\"what is my balance\"}").statusCode()).isEqualTo(200);
      assertThat(h.get("/metrics").body()).contains("intent_errors_total{cause=\"queue_full\"}");
      // More texts than the queue holds could never be queued: 400, not a 503 that asks for retries.
      assertError(h.postJson("/v2/models/demo/infer", Http.infer("a", "b")), 400,
          "2 texts in one request; at most 1 fit in the model's queue (--queue-capacity)");
    }
  }
}
