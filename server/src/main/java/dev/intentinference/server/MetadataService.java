package dev.intentinference.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The Open Inference Protocol's health and metadata endpoints (REST):
 *
 * <ul>
 *   <li>{@code GET /v2} server name, version, extensions;
 *   <li>{@code GET /v2/health/live}, {@code /v2/health/ready}: 200 or 503 (ready also answers
 *       {@code {"ready": bool, "repository": {...}}}, the latter for an S3 repository);
 *   <li>{@code GET /v2/models/{m}[/versions/{v}]}: loaded versions, platform, tensors (with the
 *       label order, the serving version and the manifest as {@code parameters}) - 400 for an
 *       invalid name, 404 for a model or version not loaded;
 *   <li>{@code GET /v2/models/{m}[/versions/{v}]/ready}: 200, 503 while draining, or 400/404.
 * </ul>
 *
 * <p>The repository extension ({@code /v2/repository/...}) is {@link AdminService}'s.
 *
 * <pre>{@code
 * curl -s localhost:8000/v2/models/clinc150
 * }</pre>
 */
final class MetadataService {
  static final String SERVER_NAME = "intent-inference";
  static final String PLATFORM = "intent_onnxruntime";
  /** The repository extension's endpoints answer only with an admin token; without one it is not offered. */
  private static final List<String> WITH_ADMIN_API = List.of("model_repository");

  private final ModelRegistry registry;
  private final ObjectMapper mapper;
  private final HttpErrors errors;
  private final BooleanSupplier accepting;

  private final java.util.function.Supplier<Map<String, Object>> repositoryStatus;
  private final List<String> extensions;

  /**
   * @param repositoryStatus the remote repository's state for the readiness body, or a supplier
   *     of null when models come from a local directory
   * @param adminApi whether the admin API (the model repository extension) is on
   */
  MetadataService(ModelRegistry registry, ObjectMapper mapper, HttpErrors errors, BooleanSupplier accepting,
      java.util.function.Supplier<Map<String, Object>> repositoryStatus, boolean adminApi) {
    this.extensions = adminApi ? WITH_ADMIN_API : List.of();
    this.registry = registry;
    this.mapper = mapper;
    this.errors = errors;
    this.accepting = accepting;
    this.repositoryStatus = repositoryStatus;
  }

  /** The protocol extensions this server offers. */
  List<String> extensions() {
    return extensions;
  }

  static String serverVersion() {
    String v = MetadataService.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  HttpService server() {
    return (ctx, req) -> json(Map.of("name", SERVER_NAME, "version", serverVersion(), "extensions", extensions));
  }

  HttpService live() {
    return (ctx, req) -> HttpResponse.of(HttpStatus.OK);
  }

  /** False once the server drains: inference is refused, readiness probes fail. */
  boolean accepting() {
    return accepting.getAsBoolean();
  }

  boolean ready() {
    return accepting.getAsBoolean() && !registry.names().isEmpty();
  }

  /**
   * The status code is the answer; the body says the same as JSON and, for a remote repository,
   * how its last copy went. An unreachable bucket does not make the server unready: it serves
   * its local copy, and taking every replica out of service during a storage outage would turn
   * a stale-model problem into an outage.
   */
  HttpService serverReady() {
    return (ctx, req) -> {
      boolean ready = ready();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("ready", ready);
      Map<String, Object> repository = repositoryStatus.get();
      if (repository != null) {
        body.put("repository", repository);
      }
      try {
        return HttpResponse.of(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, MediaType.JSON_UTF_8,
            mapper.writeValueAsBytes(body));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  HttpService model() {
    return (ctx, req) -> {
      try {
        ModelSlot slot = registry.slot(ctx.pathParam("m"));
        LoadedVersion v = slot.acquire(ctx.pathParam("v"));
        try {
          return json(modelMetadata(v, slot));
        } finally {
          v.release();
        }
      } catch (ApiException e) {
        return errors.response(e);
      }
    };
  }

  /**
   * {@code GET /v1/models}: the models served, each with its serving version and the versions
   * loaded, open like the inference API (the repository index is admin-only): what a client such
   * as {@code intent bench} needs to pick a model.
   */
  HttpService modelList() {
    return (ctx, req) -> {
      List<Map<String, Object>> models = new ArrayList<>();
      for (String name : registry.names()) {
        ModelSlot slot = registry.slot(name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("version", slot.current().version());
        m.put("versions", slot.loadedVersions());
        models.add(m);
      }
      return json(Map.of("models", models));
    };
  }

  HttpService modelReady() {
    return (ctx, req) -> {
      try {
        version(ctx.pathParam("m"), ctx.pathParam("v"));
        return HttpResponse.of(accepting.getAsBoolean() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
      } catch (ApiException e) {
        return errors.response(e);
      }
    };
  }

  /**
   * The loaded version asked for (the serving one when {@code version} is null or empty); 400
   * for an invalid name, 404 when the model or that version is not loaded.
   */
  /** The loaded versions of {@code model}, newest first. */
  List<String> loadedVersions(String model) {
    return registry.slot(model).loadedVersions();
  }

  LoadedVersion version(String model, String version) {
    ModelSlot slot = registry.slot(model);
    LoadedVersion v = slot.acquire(version);
    v.release(); // only its existence was asked, or what outlives its engines (manifest, labels)
    return v;
  }

  /** The metadata of loaded version {@code v}; {@code versions} lists every loaded version, newest first. */
  static Map<String, Object> modelMetadata(LoadedVersion v, ModelSlot slot) {
    int labels = v.labels().size();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", v.model());
    m.put("versions", slot.loadedVersions());
    m.put("platform", PLATFORM);
    m.put("inputs", List.of(tensor("text", "BYTES", -1)));
    m.put("outputs", List.of(tensor("label", "BYTES", -1), tensor("probability", "FP32", -1),
        tensor("logits", "FP32", -1, labels), tensor("probabilities", "FP32", -1, labels)));
    // The protocol's parameters hold strings, numbers and booleans only (strict clients check it);
    // the label list and the manifest are fields of their own beside the protocol's.
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("input_shapes", "text takes shape [n] or [n, 1]: n messages");
    params.put("max_length", v.tokenizer().maxLength());
    params.put("label_count", labels);
    params.put("out_of_scope_label", dev.intentinference.core.data.LabeledText.OUT_OF_SCOPE);
    params.put("serving_version", slot.current().version());
    m.put("parameters", params);
    m.put("labels", v.labels());
    m.put("manifest", v.manifest());
    return m;
  }

  private static Map<String, Object> tensor(String name, String datatype, long... shape) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("name", name);
    t.put("datatype", datatype);
    t.put("shape", shape);
    return t;
  }

  private HttpResponse json(Object value) {
    try {
      return JsonBodies.ok(mapper.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
