package dev.intentinference.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scores of one evaluation; see {@link IntentMetrics} for the definitions. Rates are in
 * [0, 1]; a rate with nothing to count (e.g. out-of-scope recall without out-of-scope queries) is
 * {@code NaN}.
 *
 * @param examples queries scored
 * @param inScope gold in-scope queries
 * @param outOfScope gold out-of-scope queries
 * @param accuracy share of all queries whose decided label equals the gold label
 * @param inScopeAccuracy share of in-scope queries given their intent and not rejected
 * @param inScopeTop1 share of in-scope queries whose best intent is theirs, rejected or not: the
 *     accuracy papers report for data without out-of-scope queries; {@code NaN} when only the
 *     decided labels were scored
 * @param oosRecall share of out-of-scope queries rejected
 * @param oosPrecision share of rejected queries that are out of scope
 * @param macroF1 mean F1 over gold classes, {@code oos} included
 * @param labels distinct labels seen in gold or predictions
 * @param worstIntents in-scope intents with the lowest F1, worst first
 * @param mostConfused (gold, predicted) pairs most often confused, most frequent first
 */
public record EvalReport(
    int examples,
    @JsonProperty("in_scope") int inScope,
    @JsonProperty("out_of_scope") int outOfScope,
    double accuracy,
    @JsonProperty("in_scope_accuracy") double inScopeAccuracy,
    @JsonProperty("in_scope_top1") double inScopeTop1,
    @JsonProperty("oos_recall") double oosRecall,
    @JsonProperty("oos_precision") double oosPrecision,
    @JsonProperty("macro_f1") double macroF1,
    int labels,
    @JsonProperty("worst_intents") List<ClassScore> worstIntents,
    @JsonProperty("most_confused") List<Confusion> mostConfused) {

  /** The headline figures as a map, as stored in a manifest's {@code metrics}. */
  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("examples", examples);
    m.put("in_scope", inScope);
    m.put("out_of_scope", outOfScope);
    m.put("in_scope_accuracy", round(inScopeAccuracy));
    m.put("in_scope_top1", round(inScopeTop1));
    m.put("oos_recall", round(oosRecall));
    m.put("oos_precision", round(oosPrecision));
    m.put("macro_f1", round(macroF1));
    m.put("accuracy", round(accuracy));
    return m;
  }

  private static Object round(double v) {
    return Double.isNaN(v) ? null : Math.round(v * 1e6) / 1e6;
  }
}
