package dev.intentinference.server;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;

/**
 * {@code POST /v2/models/{m}[/versions/{v}]/infer}: the Open Inference Protocol over REST. The
 * {@code text} BYTES input (shape {@code [n]} or {@code [n,1]}) gives {@code label} (BYTES, the
 * intent or {@code oos}) and {@code probability} (FP32, of the best in-scope intent) by default;
 * {@code logits} and {@code probabilities} ({@code [n, labels]}) on request.
 *
 * <pre>{@code
 * curl -s localhost:8000/v2/models/clinc150/infer -H 'content-type: application/json' \
 *   -d '{"inputs":[{"name":"text","datatype":"BYTES","shape":[1],"data":["change my address"]}]}'
 * }</pre>
 */
final class InferService implements HttpService {
  private final ModelRegistry registry;
  private final OipJson json;
  private final JsonInference endpoint;

  InferService(ModelRegistry registry, OipJson json, JsonInference endpoint) {
    this.registry = registry;
    this.json = json;
    this.endpoint = endpoint;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    String version = ctx.pathParam("v");
    return endpoint.serve(ctx, req, "v2_infer", (model, body) -> {
      OipJson.InferRequest r = json.readInfer(body);
      return registry.slot(model).infer(r.texts(), version, JsonBodies.abandonedWhenGone(ctx, r.texts().size()))
          // Written on the worker thread that completed the inference: a few microseconds
          // there instead of one more hand-off to the event loop before Armeria's own.
          .thenApply(inf -> json.writeInfer(r.id(), inf, r.outputs()));
    });
  }
}
