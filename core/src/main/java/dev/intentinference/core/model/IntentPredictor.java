package dev.intentinference.core.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores texts and decides their intents. A single prediction is a batch of one.
 *
 * <pre>{@code
 * try (IntentPredictor p = ModelLoader.open(Path.of("models/clinc150"), LoadOptions.defaults())) {
 *   IntentPrediction r = p.predict("change company address");
 * }
 * }</pre>
 */
public final class IntentPredictor implements AutoCloseable {
  private final IntentScorer scorer;
  private final IntentDecoder decoder;

  public IntentPredictor(IntentScorer scorer, IntentDecoder decoder) {
    this.scorer = scorer;
    this.decoder = decoder;
  }

  public IntentPrediction predict(String text) {
    return predictAll(List.of(text)).get(0);
  }

  public List<IntentPrediction> predictAll(List<String> texts) {
    Scores scores = scorer.score(texts);
    List<IntentPrediction> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      out.add(decoder.decode(texts.get(i), scores.probabilities()[i], scores.truncated()[i]));
    }
    return out;
  }

  public IntentScorer scorer() {
    return scorer;
  }

  public IntentDecoder decoder() {
    return decoder;
  }

  public ModelManifest manifest() {
    return scorer.manifest();
  }

  @Override
  public void close() {
    scorer.close();
  }
}
