package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.intentinference.core.onnx.SentenceEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /openapi.json} against the real server: every response example is the answer to the
 * request example of the same name (path parameters from {@code parameters[].examples[name]} or
 * their {@code example}). Strings and booleans must match, numbers by type, objects by the keys
 * the example shows, arrays element by element; keys listed in the media type's {@code x-varies}
 * by type only.
 */
class OpenApiExamplesTest {
  @TempDir Path tmp;
  final ObjectMapper json = new ObjectMapper();

  record Example(String method, String path, String name, JsonNode request, int status, JsonNode response, Set<String> varies) {}

  @Test
  void everyExampleIsWhatTheServerAnswers() throws Exception {
    Path repo = tmp.resolve("repo");
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, repo, "clinc150", "1", TestModels.supportExamples(), 0.9);
    }
    try (InferenceServer server = InferenceServer.start(ServerConfig.builder(repo).port(0).threads(1)
        .pollInterval(Duration.ZERO).build(), RepositoryBootstrapper.NONE)) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      JsonNode spec = json.readTree(client.send(HttpRequest.newBuilder(server.baseUri().resolve("/openapi.json")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      assertThat(spec.get("openapi").asText()).startsWith("3.");
      List<Example> examples = examples(spec);
      assertThat(examples).extracting(Example::path).contains("/v1/models/clinc150/predict", "/v2/models/clinc150/infer",
          "/v1/stats", "/v2", "/v2/models/nope");
      assertThat(examples).hasSizeGreaterThanOrEqualTo(12);
      for (Example e : examples) {
        HttpRequest.Builder req = HttpRequest.newBuilder(server.baseUri().resolve(e.path()));
        if (e.method().equals("post")) {
          req.header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
              e.request() == null ? "" : json.writeValueAsString(e.request())));
        }
        HttpResponse<String> res = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
        String what = e.method().toUpperCase() + " " + e.path() + " (example " + e.name() + ") answered " + res.body();
        assertThat(res.statusCode()).as(what).isEqualTo(e.status());
        if (e.response() != null) {
          match(what, "", e.response(), json.readTree(res.body()), e.varies());
        }
      }
    }
  }

  /** Every (operation, example name) that has a response example or a documented status with an example request. */
  static List<Example> examples(JsonNode spec) {
    List<Example> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        for (Iterator<Map.Entry<String, JsonNode>> codes = op.getValue().get("responses").fields(); codes.hasNext(); ) {
          Map.Entry<String, JsonNode> code = codes.next();
          JsonNode media = code.getValue().path("content").path("application/json");
          for (Iterator<Map.Entry<String, JsonNode>> ex = media.path("examples").fields(); ex.hasNext(); ) {
            Map.Entry<String, JsonNode> e = ex.next();
            String name = e.getKey();
            JsonNode request = op.getValue().path("requestBody").path("content").path("application/json").path("examples")
                .path(name).path("value");
            Set<String> varies = new TreeSet<>();
            media.path("x-varies").forEach(v -> varies.add(v.asText()));
            out.add(new Example(op.getKey(), resolve(path.getKey(), op.getValue(), name), name,
                request.isMissingNode() ? null : request, Integer.parseInt(code.getKey()), e.getValue().get("value"), varies));
          }
        }
      }
    }
    return out;
  }

  static String resolve(String path, JsonNode op, String example) {
    for (JsonNode p : op.path("parameters")) {
      JsonNode v = p.path("examples").path(example).path("value");
      String value = v.isMissingNode() ? p.get("example").asText() : v.asText();
      path = path.replace("{" + p.get("name").asText() + "}", value);
    }
    return path;
  }

  static void match(String what, String at, JsonNode expected, JsonNode actual, Set<String> varies) {
    String where = what + " at " + (at.isEmpty() ? "/" : at);
    assertThat(actual).as(where).isNotNull();
    String key = at.substring(at.lastIndexOf('/') + 1);
    if (expected.isNumber() || varies.contains(key)) {
      assertThat(actual.getNodeType()).as(where).isEqualTo(expected.getNodeType() == com.fasterxml.jackson.databind.node.JsonNodeType.NUMBER
          ? com.fasterxml.jackson.databind.node.JsonNodeType.NUMBER : expected.getNodeType());
    } else if (expected.isObject()) {
      assertThat(actual.isObject()).as(where).isTrue();
      expected.fields().forEachRemaining(f -> match(what, at + "/" + f.getKey(), f.getValue(), actual.get(f.getKey()), varies));
    } else if (expected.isArray()) {
      assertThat(actual.isArray()).as(where).isTrue();
      assertThat(actual.size()).as(where).isGreaterThanOrEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        match(what, at + "/" + i, expected.get(i), actual.get(i), varies);
      }
    } else {
      assertThat(actual).as(where).isEqualTo(expected);
    }
  }
}
