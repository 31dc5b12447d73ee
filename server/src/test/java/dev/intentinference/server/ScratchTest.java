package dev.intentinference.server;

import dev.intentinference.core.onnx.SentenceEncoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchTest {
  @TempDir Path tmp;

  @Test
  void print() throws Exception {
    Map<String, List<String>> ex = new LinkedHashMap<>();
    ex.put("balance", List.of("what is my balance", "how much money do i have", "show account balance"));
    ex.put("weather", List.of("will it rain today", "what's the weather like", "temperature outside"));
    ex.put("transfer", List.of("send money to my savings", "transfer 100 dollars to john", "move money between accounts"));
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, tmp, "clinc150", "1", ex);
    }
    try (InferenceServer s = InferenceServer.start(ServerConfig.builder(tmp).port(0).threads(1).pollInterval(Duration.ZERO)
        .corsOrigin("http://127.0.0.1:9999").build(), RepositoryBootstrapper.NONE)) {
      Http h = new Http(s.baseUri());
      for (String body : List.of("{\"text\":\"what is my balance\"}", "{\"texts\":[\"what is my balance\",\"will it rain today\"]}",
          "{\"text\":\"\"}", "{\"text\":\"book a table for two at an italian restaurant\"}", "{\"txt\":\"x\"}")) {
        var r = h.postJson("/v1/models/clinc150/predict", body);
        System.out.println("PREDICT " + r.statusCode() + " " + r.headers().map() + " " + r.body());
      }
      var r = h.postJson("/v2/models/clinc150/infer", Http.infer("what is my balance"));
      System.out.println("INFER " + r.statusCode() + " " + r.body());
      r = h.postJson("/v2/models/clinc150/infer", "{\"inputs\":[{\"name\":\"txt\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"a\"]}]}");
      System.out.println("INFER " + r.statusCode() + " " + r.body());
      for (String p : List.of("/v2", "/v2/health/ready", "/v2/models/clinc150", "/v2/models/nope", "/v2/models/clinc150/ready", "/v1/stats", "/v1/reports", "/web/intent-chat.js", "/")) {
        r = h.get(p);
        System.out.println("GET " + p + " " + r.statusCode() + " " + r.headers().map() + " " + r.body().substring(0, Math.min(600, r.body().length())));
      }
      r = h.postJson("/v2/repository/index", "");
      System.out.println("INDEX " + r.statusCode() + " " + r.body());
      var client = java.net.http.HttpClient.newHttpClient();
      for (String origin : List.of("http://127.0.0.1:9999", "http://evil.example")) {
        var pre = client.send(java.net.http.HttpRequest.newBuilder(s.baseUri().resolve("/v1/models/clinc150/predict"))
            .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody()).header("Origin", origin)
            .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "content-type").build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        System.out.println("PREFLIGHT " + origin + " " + pre.statusCode() + " " + pre.headers().map());
      }
    }
  }
}
