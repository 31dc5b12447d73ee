package dev.intentinference.server;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * What the JSON inference endpoints share around their own parsing and writing: the model name
 * checked before anything is counted under it, then {@link JsonBodies#serve} (the body read,
 * large bodies off the event loop, failures as JSON, the request timed, the drain told).
 *
 * <pre>{@code
 * JsonInference endpoint = new JsonInference(errors, metrics, admission, largeBodies);
 * HttpService predict = (ctx, req) -> endpoint.serve(ctx, req, "v1_predict", (model, body) -> answer(model, body));
 * }</pre>
 */
final class JsonInference {
  private final HttpErrors errors;
  private final ServerMetrics metrics;
  private final Admission admission;
  private final LargeBodyPool large;

  JsonInference(HttpErrors errors, ServerMetrics metrics, Admission admission, LargeBodyPool large) {
    this.errors = errors;
    this.metrics = metrics;
    this.admission = admission;
    this.large = large;
  }

  /**
   * Answers a request to the model named by the path parameter {@code m}.
   *
   * @param api the metrics' name of the endpoint
   * @param work from the model name and the body to the JSON of a 200 answer
   */
  HttpResponse serve(ServiceRequestContext ctx, HttpRequest req, String api,
      BiFunction<String, byte[], CompletableFuture<byte[]>> work) {
    String model = ctx.pathParam("m");
    try {
      // Before anything is counted under the model's name: a bad name is not a metric tag.
      ModelRegistry.checkName(model);
    } catch (ApiException e) {
      return errors.response(e);
    }
    return JsonBodies.serve(ctx, req, errors, metrics, admission, large, api, model, body -> work.apply(model, body));
  }
}
