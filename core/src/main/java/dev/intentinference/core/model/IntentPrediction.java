package dev.intentinference.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The answer for one message, in the shape shared by {@code intent predict --json} and the
 * server's plain JSON API.
 *
 * @param text the message as received
 * @param intent the most probable in-scope intent, even when {@code outOfScope} is true
 * @param confidence its probability in [0, 1]
 * @param outOfScope whether the model rejects the message as out of scope
 * @param top the k most probable intents, best first
 * @param modelVersion the version of the model that answered
 * @param truncated whether the message was cut to the model's maximum length (omitted when false)
 * @param answeredByFallback whether a cascade's fallback model gave this answer because the first
 *     model was unsure (omitted when false)
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record IntentPrediction(
    String text,
    String intent,
    double confidence,
    @JsonProperty("out_of_scope") @JsonInclude(JsonInclude.Include.ALWAYS) boolean outOfScope,
    List<ScoredIntent> top,
    @JsonProperty("model_version") String modelVersion,
    boolean truncated,
    @JsonProperty("answered_by_fallback") boolean answeredByFallback) {

  /** The same answer, marked as given by a cascade's fallback model. */
  public IntentPrediction byFallback() {
    return new IntentPrediction(text, intent, confidence, outOfScope, top, modelVersion, truncated, true);
  }
}
