package dev.intentinference.train;

import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.model.ConfidenceScore;
import dev.intentinference.core.model.IntentDecoder;
import dev.intentinference.core.model.ThresholdInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * The out-of-scope rule chosen on validation probabilities (never on test data), and the
 * validation scores the model gets with it: the last step of every training recipe. A threshold
 * is chosen for each {@link ConfidenceScore}; the score whose threshold gets more validation
 * queries right is kept; the best probability on a tie (it is the simpler rule to explain) and
 * when the validation data has no out-of-scope queries.
 *
 * @param threshold the rule the model directory records
 * @param report validation metrics with that rule
 */
record ValidationOutcome(ThresholdInfo threshold, EvalReport report) {

  /**
   * @param valProbs probabilities for every validation example, in {@code data.validation()} order
   */
  static ValidationOutcome of(TrainingData data, List<float[]> valProbs, String version) {
    List<String> labels = data.labels();
    IntentDecoder plain = new IntentDecoder(labels, 0, 1, version);
    ThresholdSelector.Choice best = null;
    // Without out-of-scope validation queries there is nothing to tell the scores apart by: the
    // threshold then only rejects a fixed share of in-scope queries, whatever the score.
    boolean hasOos = data.validation().stream().anyMatch(LabeledText::isOutOfScope);
    for (ConfidenceScore score : hasOos ? ConfidenceScore.values() : new ConfidenceScore[] {ConfidenceScore.MAX_PROBABILITY}) {
      ThresholdSelector.Choice c = chooseThreshold(data, plain, score, valProbs);
      if (best == null || c.correct() > best.correct()) {
        best = c;
      }
    }
    ThresholdInfo threshold = best.threshold();
    IntentDecoder decoder = new IntentDecoder(labels, threshold.value(), threshold.confidenceScore(), 1, version);
    List<String> gold = new ArrayList<>();
    List<String> decided = new ArrayList<>();
    List<String> bestIntents = new ArrayList<>();
    for (int i = 0; i < data.validation().size(); i++) {
      float[] p = valProbs.get(i);
      gold.add(data.validation().get(i).intent());
      String intent = labels.get(decoder.bestInScope(p));
      bestIntents.add(intent);
      decided.add(decoder.isOutOfScope(p) ? LabeledText.OUT_OF_SCOPE : intent);
    }
    return new ValidationOutcome(threshold, IntentMetrics.of(gold, decided, bestIntents, IntentMetrics.DEFAULT_LIST_SIZE));
  }

  private static ThresholdSelector.Choice chooseThreshold(TrainingData data, IntentDecoder decoder, ConfidenceScore confidence,
      List<float[]> valProbs) {
    List<Double> inBest = new ArrayList<>();
    List<Boolean> inCorrect = new ArrayList<>();
    List<Double> oosBest = new ArrayList<>();
    int oosIndex = decoder.labels().indexOf(LabeledText.OUT_OF_SCOPE);
    for (int i = 0; i < valProbs.size(); i++) {
      float[] p = valProbs.get(i);
      int best = decoder.bestInScope(p);
      // With an explicit oos class, a query whose oos probability wins is rejected whatever the
      // threshold: score it below every threshold.
      boolean rejectedByClass = oosIndex >= 0 && p[oosIndex] > p[best];
      double score = rejectedByClass ? -1 : confidence.of(p, best);
      LabeledText v = data.validation().get(i);
      if (v.isOutOfScope()) {
        oosBest.add(score);
      } else {
        inBest.add(score);
        inCorrect.add(!rejectedByClass && decoder.labels().get(best).equals(v.intent()));
      }
    }
    boolean[] correct = new boolean[inCorrect.size()];
    for (int i = 0; i < correct.length; i++) {
      correct[i] = inCorrect.get(i);
    }
    String source = data.sources().getOrDefault("validation", "validation");
    return ThresholdSelector.choose(
        inBest.stream().mapToDouble(Double::doubleValue).toArray(), correct,
        oosBest.stream().mapToDouble(Double::doubleValue).toArray(), source, confidence);
  }

}
