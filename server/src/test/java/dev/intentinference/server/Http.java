package dev.intentinference.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** A small HTTP client for tests against the real server on a loopback port. */
final class Http {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI base;

  Http(URI base) {
    this.base = base;
  }

  HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
    return client.send(request(path, contentType, body), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(HttpRequest request) throws Exception {
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> postJson(String path, String json) throws Exception {
    return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  CompletableFuture<HttpResponse<String>> postJsonAsync(String path, String json) {
    return client.sendAsync(request(path, "application/json", json.getBytes(StandardCharsets.UTF_8)), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request(String path, String contentType, byte[] body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("content-type", contentType);
    }
    return b.build();
  }

  static String infer(String... texts) {
    StringBuilder data = new StringBuilder();
    for (String t : texts) {
      data.append(data.length() == 0 ? "" : ",").append('"').append(t).append('"');
    }
    return "{\"id\":\"r1\",\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[" + texts.length + "],\"data\":[" + data + "]}]}";
  }
}
