package dev.intentinference.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The Open Inference Protocol's repository extension, behind a bearer token ({@code --admin-token}
 * or {@code INTENT_ADMIN_TOKEN}); without a configured token it is disabled (403), never open:
 *
 * <ul>
 *   <li>{@code POST /v2/repository/index}: {@code [{"name","version","state","reason"}]}, every
 *       version of every model, {@code READY} when loaded, else {@code UNAVAILABLE} with why;
 *   <li>{@code POST /v2/repository/models/{m}/load}, body optional
 *       {@code {"parameters":{"version":"1"}}}: loads that version, warms it up and serves it
 *       (a pin, kept until the next load), or without a version drops the pin and serves the
 *       pin file's version or the newest; brings back an unloaded model;
 *   <li>{@code POST /v2/repository/models/{m}/unload}: stops serving the model (404 from then on)
 *       until a {@code load}; the repository poll leaves it unloaded.
 * </ul>
 *
 * <p>401 + {@code WWW-Authenticate: Bearer} without {@code Authorization: Bearer ...}, 403 for a
 * wrong token. Loading and unloading run on the blocking-task executor: they take seconds.
 *
 * <pre>{@code
 * curl -s -X POST localhost:8000/v2/repository/models/clinc150/load -H "Authorization: Bearer $INTENT_ADMIN_TOKEN" \
 *   -H 'content-type: application/json' -d '{"parameters":{"version":"1"}}'
 * {"name":"clinc150","version":"1","state":"READY"}
 * }</pre>
 */
final class AdminService {
  private final ModelRegistry registry;
  private final AdminToken token;
  private final ObjectMapper mapper;
  private final HttpErrors errors;

  AdminService(ModelRegistry registry, AdminToken token, ObjectMapper mapper, HttpErrors errors) {
    this.registry = registry;
    this.token = token;
    this.mapper = mapper;
    this.errors = errors;
  }

  HttpService index() {
    return (ctx, req) -> guarded(ctx, req.headers(), () -> json(registry.index()));
  }

  HttpService load() {
    return (ctx, req) -> {
      try {
        authorize(req.headers());
      } catch (ApiException e) {
        return errors.response(e);
      }
      String model = ctx.pathParam("m");
      CompletableFuture<HttpResponse> res = req.aggregate().thenApplyAsync(agg -> {
        String version = requestedVersion(agg.content().toString(StandardCharsets.UTF_8));
        LoadedVersion v = registry.load(model, version);
        return json(state(v.model(), v.version()));
      }, ctx.blockingTaskExecutor()).exceptionally(errors::response);
      return HttpResponse.of(res);
    };
  }

  HttpService unload() {
    return (ctx, req) -> {
      try {
        authorize(req.headers());
        ModelRegistry.checkName(ctx.pathParam("m"));
      } catch (ApiException e) {
        return errors.response(e);
      }
      String model = ctx.pathParam("m");
      return HttpResponse.of(CompletableFuture.supplyAsync(() -> {
        registry.unload(model);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("name", model);
        body.put("state", "UNAVAILABLE");
        body.put("reason", "unloaded");
        return json(body);
      }, ctx.blockingTaskExecutor()).exceptionally(errors::response));
    };
  }

  private HttpResponse guarded(ServiceRequestContext ctx, RequestHeaders headers, Supplier<HttpResponse> work) {
    try {
      authorize(headers);
      return work.get();
    } catch (ApiException e) {
      return errors.response(e);
    }
  }

  /** Disabled (403), no bearer token (401), wrong token (403), or returns. */
  void authorize(RequestHeaders headers) {
    if (!token.isConfigured()) {
      throw new ApiException(ErrorCause.FORBIDDEN,
          "the admin API is disabled: start the server with --admin-token or the INTENT_ADMIN_TOKEN environment variable");
    }
    String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (auth == null || auth.length() < 7 || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiException(ErrorCause.UNAUTHORIZED, "the admin API needs the header 'Authorization: Bearer <token>'");
    }
    if (!token.matches(auth.substring(7).strip())) {
      throw new ApiException(ErrorCause.FORBIDDEN, "the admin token is wrong");
    }
  }

  /** The version in {@code {"parameters":{"version":"1"}}}, or null for an empty body or none given. */
  private String requestedVersion(String body) {
    if (body.isBlank()) {
      return null;
    }
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiException(ErrorCause.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ApiException(ErrorCause.BAD_REQUEST, "request body must be a JSON object like {\"parameters\":{\"version\":\"1\"}}");
    }
    JsonNode params = root.get("parameters");
    if (params == null || params.isNull()) {
      return null;
    }
    if (!params.isObject()) {
      throw new ApiException(ErrorCause.BAD_REQUEST, "'parameters' must be an object");
    }
    JsonNode version = params.get("version");
    if (version == null || version.isNull()) {
      return null;
    }
    if (!version.isTextual() && !version.isIntegralNumber()) {
      throw new ApiException(ErrorCause.BAD_REQUEST, "'parameters.version' must be a string, e.g. \"1\"");
    }
    return version.asText();
  }

  private static Map<String, String> state(String model, String version) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("name", model);
    m.put("version", version);
    m.put("state", "READY");
    return m;
  }

  private HttpResponse json(Object value) {
    try {
      return JsonBodies.ok(mapper.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
