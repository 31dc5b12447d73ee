package dev.intentinference.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.ResponseTimeoutException;
import com.linecorp.armeria.client.ResponseTimeoutMode;
import com.linecorp.armeria.client.UnprocessedRequestException;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.AggregationOptions;
import com.linecorp.armeria.common.ClosedSessionException;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import dev.intentinference.core.IntentException;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An Open Inference Protocol server over HTTP ({@code POST /v2/models/{m}/infer}), or any
 * {@code GET} endpoint when {@link TargetOptions#endpoint()} is set. Uses Armeria's asynchronous
 * client: a few event-loop threads keep every request in flight, and request bodies are
 * serialized once per message before the run.
 *
 * <pre>{@code
 * try (Target t = new HttpTarget(URI.create("http://127.0.0.1:8000"), TargetOptions.defaults().withModel("clinc150"), texts)) {
 *   t.probe();
 *   Reply r = t.send(3, true).join();
 * }
 * }</pre>
 */
public final class HttpTarget implements Target {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AggregationOptions POOLED = AggregationOptions.usePooledObjects(PooledByteBufAllocator.DEFAULT);

  private final URI base;
  private final TargetOptions options;
  private final List<String> messages;
  private final ClientLoops loops;
  private final WebClient client;
  private String model;
  private RequestHeaders headers;
  private HttpData[] bodies;

  public HttpTarget(URI base, TargetOptions options, List<String> messages) {
    this.base = base;
    this.options = options;
    this.messages = List.copyOf(messages);
    this.model = options.model();
    this.loops = ClientLoops.open(options);
    this.client = WebClient.builder(withProtocol(base, options.httpProtocol()))
        .factory(loops.factory())
        // No separate write timer per request: the response timeout already bounds each request,
        // and every scheduled timer costs the event loop time the harness should not spend.
        .writeTimeoutMillis(0)
        .responseTimeout(options.timeout())
        // Counted from when the harness issues the request, as its latency is, not from when the
        // request was written: a request waiting for a connection or a stream is still waiting.
        .responseTimeoutMode(ResponseTimeoutMode.FROM_START)
        .maxResponseLength(16 * 1024 * 1024)
        .build();
  }

  private static String withProtocol(URI base, String protocol) {
    String scheme = base.getScheme();
    if (scheme.equals("http") && !protocol.equals("auto")) {
      scheme = protocol.equals("h1") ? "h1c" : "h2c";
    } else if (scheme.equals("https") && !protocol.equals("auto")) {
      scheme = protocol;
    }
    return scheme + "://" + base.getRawAuthority();
  }

  @Override
  public TargetInfo probe() {
    if (options.endpoint() != null) {
      AggregatedHttpResponse r = get(options.endpoint());
      if (r.status().code() >= 400) {
        throw new IntentException(base + options.endpoint() + ": answered " + r.status());
      }
      headers = RequestHeaders.of(HttpMethod.GET, options.endpoint());
      return new TargetInfo(base.toString(), null, null, null, "GET " + options.endpoint());
    }
    if (model == null) {
      model = onlyModel();
    }
    AggregatedHttpResponse meta = get("/v2/models/" + model);
    if (meta.status().code() == 404) {
      throw new IntentException(base + ": unknown model '" + model + "' (GET /v2/models/" + model + " answered 404)");
    }
    if (meta.status().code() >= 400) {
      throw new IntentException(base + ": GET /v2/models/" + model + " answered " + meta.status() + ": " + abbreviate(meta.contentUtf8()));
    }
    JsonNode m = readJson(meta.contentUtf8());
    headers = RequestHeaders.of(HttpMethod.POST, "/v2/models/" + model + "/infer",
        HttpHeaderNames.CONTENT_TYPE, MediaType.JSON_UTF_8);
    bodies = new HttpData[messages.size()];
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = HttpData.wrap(InferenceBodies.request(messages.get(i)));
    }
    return new TargetInfo(base.toString(), model, versionOf(m), manifestHash(m), textOrNull(m.path("platform")));
  }

  /** The model version: the metadata's first {@code versions} entry, when there is one. */
  private static String versionOf(JsonNode meta) {
    JsonNode v = meta.path("versions");
    return v.isArray() && v.size() > 0 ? v.get(v.size() - 1).asText() : textOrNull(meta.path("parameters").path("version"));
  }

  /**
   * The manifest hash, wherever a server puts it: a {@code manifest_sha256} field at the top
   * level or in {@code parameters}, or inside an embedded {@code manifest} object.
   */
  private static String manifestHash(JsonNode meta) {
    for (JsonNode n : List.of(meta, meta.path("parameters"), meta.path("manifest"), meta.path("parameters").path("manifest"))) {
      String h = textOrNull(n.path("manifest_sha256"));
      if (h != null) {
        return h;
      }
    }
    return null;
  }

  private static String textOrNull(JsonNode n) {
    return n.isMissingNode() || n.isNull() ? null : n.asText();
  }

  /**
   * The server's only model: from the Open Inference Protocol repository index, or, where that is
   * an admin API behind a token (intent serve), from the open {@code GET /v1/models}.
   */
  private String onlyModel() {
    AggregatedHttpResponse r;
    try {
      r = client.blocking().execute(
          RequestHeaders.of(HttpMethod.POST, "/v2/repository/index", HttpHeaderNames.CONTENT_TYPE, MediaType.JSON_UTF_8), "{}");
    } catch (RuntimeException e) {
      throw new IntentException("cannot reach " + base + ": " + cause(e), e);
    }
    if (r.status().code() >= 400) {
      AggregatedHttpResponse list = get("/v1/models");
      if (list.status().code() >= 400) {
        throw new IntentException(base + ": --model is required (the server does not list its models: POST "
            + "/v2/repository/index answered " + r.status() + ", GET /v1/models " + list.status() + ")");
      }
      r = list;
    }
    List<String> names = new ArrayList<>();
    JsonNode index = readJson(r.contentUtf8());
    for (JsonNode m : index.isArray() ? index : index.path("models")) {
      if (m.hasNonNull("name") && !names.contains(m.get("name").asText())) {
        names.add(m.get("name").asText());
      }
    }
    if (names.size() != 1) {
      throw new IntentException(base + ": --model is required (the server has models " + names + ")");
    }
    return names.get(0);
  }

  private AggregatedHttpResponse get(String path) {
    try {
      return client.blocking().get(path);
    } catch (RuntimeException e) {
      throw new IntentException("cannot reach " + base + ": " + cause(e), e);
    }
  }

  private JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IntentException(base + ": answered something that is not JSON: " + abbreviate(text), e);
    }
  }

  @Override
  public CompletableFuture<Reply> send(int message, boolean decode) {
    if (headers == null) {
      throw new IllegalStateException("probe() first");
    }
    HttpResponse res = bodies == null ? client.execute(headers) : client.execute(headers, bodies[message]);
    if (!decode) {
      // Only the status matters: the body is aggregated into pooled buffers and released at once,
      // rather than copied into a new heap array per answer.
      return res.aggregate(POOLED).handle((r, e) -> {
        if (e != null) {
          return Reply.failed(cause(e));
        }
        try (HttpData ignored = r.content()) {
          int code = r.status().code();
          return code == 200 ? Reply.OK : Reply.failed("http " + code);
        }
      });
    }
    return res.aggregate().handle((r, e) -> {
      if (e != null) {
        return Reply.failed(cause(e));
      }
      if (r.status().code() != 200) {
        return Reply.failed("http " + r.status().code());
      }
      String label = InferenceBodies.label(r.content().array());
      return label == null ? Reply.failed("answer without a label output") : Reply.labeled(label);
    });
  }

  /** A short, countable cause: {@code connect refused}, {@code timeout}, {@code connection closed}. */
  static String cause(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof UnprocessedRequestException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ResponseTimeoutException) {
      return "timeout";
    }
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    if (t instanceof ClosedSessionException) {
      return "connection closed";
    }
    if (t instanceof UnprocessedRequestException) {
      return "not sent";
    }
    String msg = t.getMessage();
    return t.getClass().getSimpleName() + (msg == null ? "" : ": " + abbreviate(msg));
  }

  private static String abbreviate(String s) {
    String one = s.replace('\n', ' ');
    return one.length() > 120 ? one.substring(0, 117) + "..." : one;
  }

  @Override
  public void close() {
    loops.close();
  }

  @Override
  public String toString() {
    return base.toString();
  }
}
