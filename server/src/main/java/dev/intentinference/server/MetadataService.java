package dev.intentinference.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The Open Inference Protocol's health and metadata endpoints (REST), plus the repository index:
 *
 * <ul>
 *   <li>{@code GET /v2} server name, version, extensions;
 *   <li>{@code GET /v2/health/live}, {@code /v2/health/ready}: 200 or 503;
 *   <li>{@code GET /v2/models/{m}[/versions/{v}]}: versions, platform, tensors (with the label
 *       order and the manifest as {@code parameters}) - 404 for an unknown model or version;
 *   <li>{@code GET /v2/models/{m}[/versions/{v}]/ready}: 200, 503 while draining, or 404;
 *   <li>{@code POST /v2/repository/index}: {@code [{"name","version","state"}]}.
 * </ul>
 *
 * <pre>{@code
 * curl -s localhost:8000/v2/models/clinc150
 * }</pre>
 */
final class MetadataService {
  static final String SERVER_NAME = "intent-inference";
  static final String PLATFORM = "intent_onnxruntime";
  static final List<String> EXTENSIONS = List.of("model_repository");

  private final ModelRegistry registry;
  private final ObjectMapper mapper;
  private final HttpErrors errors;
  private final BooleanSupplier accepting;

  MetadataService(ModelRegistry registry, ObjectMapper mapper, HttpErrors errors, BooleanSupplier accepting) {
    this.registry = registry;
    this.mapper = mapper;
    this.errors = errors;
    this.accepting = accepting;
  }

  static String serverVersion() {
    String v = MetadataService.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  HttpService server() {
    return (ctx, req) -> json(Map.of("name", SERVER_NAME, "version", serverVersion(), "extensions", EXTENSIONS));
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

  HttpService serverReady() {
    return (ctx, req) -> HttpResponse.of(ready() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
  }

  HttpService model() {
    return (ctx, req) -> {
      try {
        return json(modelMetadata(version(ctx.pathParam("m"), ctx.pathParam("v"))));
      } catch (ApiException e) {
        return errors.response(e);
      }
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

  HttpService repositoryIndex() {
    return (ctx, req) -> {
      List<Map<String, String>> out = new ArrayList<>();
      for (String name : registry.names()) {
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("version", registry.slot(name).current().version());
        entry.put("state", "READY");
        out.add(entry);
      }
      return json(out);
    };
  }

  /** The served version asked for; 404 when the model or that version is not loaded. */
  LoadedVersion version(String model, String version) {
    LoadedVersion v = registry.slot(model).current();
    if (version != null && !version.isEmpty() && !version.equals(v.version())) {
      throw new ApiException(ErrorCause.NOT_FOUND, "model '" + model + "' has no version '" + version
          + "' loaded (serving version " + v.version() + ")");
    }
    return v;
  }

  static Map<String, Object> modelMetadata(LoadedVersion v) {
    int labels = v.labels().size();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", v.model());
    m.put("versions", List.of(v.version()));
    m.put("platform", PLATFORM);
    m.put("inputs", List.of(tensor("text", "BYTES", -1)));
    m.put("outputs", List.of(tensor("label", "BYTES", -1), tensor("probability", "FP32", -1),
        tensor("logits", "FP32", -1, labels), tensor("probabilities", "FP32", -1, labels)));
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("input_shapes", "text takes shape [n] or [n, 1]: n messages");
    params.put("max_length", v.tokenizer().maxLength());
    params.put("labels", v.labels());
    params.put("out_of_scope_label", dev.intentinference.core.data.LabeledText.OUT_OF_SCOPE);
    params.put("manifest", v.manifest());
    m.put("parameters", params);
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
