package dev.intentinference.train;

import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.model.CascadePredictor;
import dev.intentinference.core.model.IntentDecoder;
import dev.intentinference.core.model.ThresholdInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The escalation threshold of a model and the teacher behind it (kept with {@code intent train
 * --keep-teacher}, or given as {@code --teacher DIR}), chosen on the validation data: the value on a grid that gets the most
 * validation queries right when each query is answered as the cascade would answer it (each model
 * with its own out-of-scope rule). On a tie the smaller value wins: it escalates fewer messages,
 * so it costs less. Recorded in the model's manifest as {@code training.cascade}, where
 * {@code intent compile --fallback} and {@code intent eval --fallback} take it from.
 *
 * @param escalateBelow the chosen value
 * @param right validation queries answered right with it
 * @param escalated validation queries it sends to the teacher
 * @param rightByValue every grid value's count, for the record
 */
record EscalationChoice(double escalateBelow, int right, int escalated, Map<Double, Integer> rightByValue) {
  /** 0 is the model alone; validation data is too small to tell finer steps apart. */
  static final double[] GRID = {0, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95};

  /**
   * @param labels both models' labels, in the order of both probability lists
   * @param first the model's served probabilities per validation query
   * @param fallback the teacher's, in the same order
   */
  static EscalationChoice choose(List<String> labels, List<LabeledText> validation, List<float[]> first, ThresholdInfo firstRule,
      List<float[]> fallback, ThresholdInfo fallbackRule) {
    IntentDecoder a = decoder(labels, firstRule);
    IntentDecoder b = decoder(labels, fallbackRule);
    Map<Double, Integer> byValue = new LinkedHashMap<>();
    double bestValue = 0;
    int bestRight = -1;
    int bestEscalated = 0;
    for (double p : GRID) {
      int right = 0;
      int escalated = 0;
      for (int i = 0; i < validation.size(); i++) {
        boolean up = CascadePredictor.isUnsure(first.get(i), p);
        escalated += up ? 1 : 0;
        right += isRight(up ? b : a, up ? fallback.get(i) : first.get(i), validation.get(i)) ? 1 : 0;
      }
      byValue.put(p, right);
      if (right > bestRight) {
        bestValue = p;
        bestRight = right;
        bestEscalated = escalated;
      }
    }
    return new EscalationChoice(bestValue, bestRight, bestEscalated, java.util.Collections.unmodifiableMap(byValue));
  }

  private static IntentDecoder decoder(List<String> labels, ThresholdInfo rule) {
    return new IntentDecoder(labels, rule.value(), rule.confidenceScore(), 1, "validation");
  }

  private static boolean isRight(IntentDecoder d, float[] p, LabeledText gold) {
    boolean rejected = d.isOutOfScope(p);
    return gold.isOutOfScope() ? rejected : !rejected && d.labels().get(d.bestInScope(p)).equals(gold.intent());
  }

  /** {@code training.cascade} of the model's manifest. */
  Map<String, Object> toMap(String fallback, String chosenOn, int queries) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("fallback", fallback);
    m.put("escalate_below", escalateBelow);
    m.put("chosen_on", chosenOn + ": most queries right, the smaller value on a tie");
    m.put("validation_right", right);
    m.put("validation_queries", queries);
    m.put("validation_escalated", escalated);
    Map<String, Integer> grid = new LinkedHashMap<>();
    rightByValue.forEach((p, n) -> grid.put(Double.toString(p), n));
    m.put("validation_right_by_value", grid);
    return m;
  }
}
