package dev.intentinference.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.intentinference.core.model.IntentPrediction;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/models/{m}/predict}: plain JSON. {@code {"text": "..."}} answers with one
 * {@link IntentPrediction}; {@code {"texts": [...]}} with {@code {"predictions": [...]}}.
 *
 * <pre>{@code
 * curl -s localhost:8000/v1/models/clinc150/predict -H 'content-type: application/json' -d '{"text":"change my address"}'
 * {"text":"change my address","intent":"change_address","confidence":0.93,"out_of_scope":false,"top":[...],"model_version":"1"}
 * }</pre>
 */
final class PredictService implements HttpService {
  /** The list form's answer. */
  record Predictions(List<IntentPrediction> predictions) {}

  private final ModelRegistry registry;
  private final OipJson json;
  private final ObjectMapper mapper;
  private final JsonInference endpoint;

  PredictService(ModelRegistry registry, OipJson json, ObjectMapper mapper, JsonInference endpoint) {
    this.registry = registry;
    this.json = json;
    this.mapper = mapper;
    this.endpoint = endpoint;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    return endpoint.serve(ctx, req, "v1_predict", (model, body) -> {
      OipJson.PredictRequest r = json.readPredict(body);
      return registry.slot(model).infer(r.texts(), null, JsonBodies.abandonedWhenGone(ctx, r.texts().size())).thenApply(inf -> write(r, inf));
    });
  }

  private byte[] write(OipJson.PredictRequest r, ModelSlot.Inference inf) {
    List<IntentPrediction> out = new ArrayList<>(r.texts().size());
    for (int i = 0; i < r.texts().size(); i++) {
      ModelSlot.Row row = inf.rows().get(i);
      IntentPrediction p = inf.version().decoder(row.escalated()).decode(r.texts().get(i), row.probabilities(), row.truncated());
      out.add(row.escalated() ? p.byFallback() : p);
    }
    try {
      return r.many() ? mapper.writeValueAsBytes(new Predictions(out)) : mapper.writeValueAsBytes(out.get(0));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
