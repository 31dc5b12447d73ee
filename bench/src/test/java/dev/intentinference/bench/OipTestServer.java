package dev.intentinference.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.IntentPrediction;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.Manifests;
import java.util.List;

/**
 * A minimal Open Inference Protocol server for the harness's tests (the project's real server
 * lives in another module, which bench must not depend on). Serves one real model, health
 * endpoints, a model named {@code flaky} that always answers 503 and one named {@code slow} that
 * answers {@code balance} after {@link #SLOW_MILLIS}.
 *
 * <p>{@link #main} starts it without a model, for measuring the harness against
 * {@code /v2/health/live}: {@code java -cp ... dev.intentinference.bench.OipTestServer 8777}.
 */
final class OipTestServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final long SLOW_MILLIS = 300;
  private final Server server;

  /** @param predictor the model to serve as {@code name}, or {@code null} for health endpoints only */
  OipTestServer(int port, String name, IntentPredictor predictor, int eventLoops) {
    var b = Server.builder().http(port)
        .workerGroup(eventLoops)
        .service("/v2/health/live", (ctx, req) -> HttpResponse.of(HttpStatus.OK))
        .service("/v2/health/ready", (ctx, req) -> HttpResponse.of(HttpStatus.OK))
        .service("/v2/models/flaky", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{\"name\":\"flaky\",\"versions\":[\"1\"]}"))
        .service("/v2/models/flaky/infer", (ctx, req) -> HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.JSON_UTF_8, "{\"error\":\"overloaded\"}"))
        .service("/v2/models/slow", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{\"name\":\"slow\",\"versions\":[\"1\"]}"))
        .service("/v2/models/slow/infer", (ctx, req) -> HttpResponse.delayed(HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8,
            "{\"model_name\":\"slow\",\"outputs\":[{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"balance\"]}]}"),
            java.time.Duration.ofMillis(SLOW_MILLIS)));
    if (predictor != null) {
      String hash = Hashes.sha256(Manifests.toJson(predictor.manifest()));
      ObjectNode meta = JSON.createObjectNode().put("name", name).put("platform", "test-oip");
      meta.putArray("versions").add(predictor.manifest().version());
      meta.putObject("parameters").put("manifest_sha256", hash);
      b.service("/v2/models/" + name, (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, meta.toString()));
      b.service("/v2/models/" + name + "/infer", (ctx, req) -> HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
        try {
          JsonNode in = JSON.readTree(agg.contentUtf8()).path("inputs").get(0);
          String text = in.path("data").get(0).asText();
          IntentPrediction p = predictor.predict(text);
          ObjectNode out = JSON.createObjectNode().put("model_name", name).put("model_version", p.modelVersion());
          ArrayNode outputs = out.putArray("outputs");
          ObjectNode label = outputs.addObject().put("name", "label").put("datatype", "BYTES");
          label.putArray("shape").add(1);
          label.putArray("data").add(p.outOfScope() ? LabeledText.OUT_OF_SCOPE : p.intent());
          ObjectNode prob = outputs.addObject().put("name", "probability").put("datatype", "FP32");
          prob.putArray("shape").add(1);
          prob.putArray("data").add(p.confidence());
          return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, out.toString());
        } catch (Exception e) {
          return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.JSON_UTF_8, "{\"error\":\"bad request\"}");
        }
      }, ctx.blockingTaskExecutor())));
      b.service("/v2/repository/index", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8,
          "[{\"name\":\"" + name + "\",\"state\":\"READY\"}]"));
    }
    server = b.build();
    server.start().join();
  }

  int port() {
    return server.activeLocalPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  @Override
  public void close() {
    server.stop().join();
  }

  /** Serves only the health endpoints on the given port (default 8777) until killed. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8777;
    int loops = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    OipTestServer s = new OipTestServer(port, null, null, loops);
    System.out.println("listening on " + s.url() + " with " + loops + " event loop(s)");
    Thread.currentThread().join();
  }

  static List<String> texts(List<LabeledText> rows) {
    return rows.stream().map(LabeledText::text).toList();
  }
}
