package dev.intentinference.train;

import dev.intentinference.core.model.ConfidenceScore;
import dev.intentinference.core.model.ThresholdInfo;
import java.util.Arrays;

/**
 * Chooses the out-of-scope threshold on validation data only: a query is rejected when its best
 * in-scope probability is below the threshold (the rule {@code IntentDecoder} applies).
 *
 * <p>With out-of-scope validation queries, the threshold maximises validation accuracy over all
 * queries (an in-scope query counts when it gets its intent and is not rejected; an out-of-scope
 * one when it is rejected), placed halfway between the two neighbouring scores so it does not
 * sit on a validation example. Without them there is nothing to balance, so the threshold is set
 * conservatively to reject about {@link #FALLBACK_REJECT_SHARE} of the correctly classified
 * in-scope validation queries, and the note says so.
 *
 * <pre>{@code
 * ThresholdInfo t = ThresholdSelector.choose(inScopeBest, inScopeCorrect, oosBest, "val+oos_val");
 * }</pre>
 */
public final class ThresholdSelector {
  /** Share of correct in-scope validation queries rejected when no out-of-scope data exists. */
  public static final double FALLBACK_REJECT_SHARE = 0.01;

  private ThresholdSelector() {}

  /**
   * @param threshold the rule
   * @param correct validation queries it gets right: in-scope ones with their intent and not
   *     rejected, out-of-scope ones rejected
   */
  public record Choice(ThresholdInfo threshold, int correct) {}

  /**
   * The threshold on {@code score}'s values (given as the arrays), and how many validation queries it
   * gets right.
   */
  public static Choice choose(double[] inScopeBest, boolean[] inScopeCorrect, double[] oosBest, String source,
      ConfidenceScore score) {
    ThresholdInfo t = choose(inScopeBest, inScopeCorrect, oosBest, source);
    String id = score == ConfidenceScore.MAX_PROBABILITY ? null : score.id();
    ThresholdInfo scored = new ThresholdInfo(t.value(), id == null ? t.method() : t.method() + ", on the " + id + " score",
        t.note(), id);
    int correct = 0;
    for (int i = 0; i < inScopeBest.length; i++) {
      correct += inScopeCorrect[i] && inScopeBest[i] >= t.value() ? 1 : 0;
    }
    for (double o : oosBest) {
      correct += o < t.value() ? 1 : 0;
    }
    return new Choice(scored, correct);
  }

  /**
   * @param inScopeBest best in-scope probability of each in-scope validation query
   * @param inScopeCorrect whether that query's best in-scope intent is its gold intent
   * @param oosBest best in-scope probability of each out-of-scope validation query (may be empty)
   * @param source names the validation data in the recorded method, e.g. {@code val+oos_val}
   */
  public static ThresholdInfo choose(double[] inScopeBest, boolean[] inScopeCorrect, double[] oosBest, String source) {
    if (inScopeBest.length != inScopeCorrect.length) {
      throw new IllegalArgumentException("one correctness flag per in-scope score");
    }
    if (oosBest.length == 0) {
      return fallback(inScopeBest, inScopeCorrect, source);
    }
    // Sweep candidate thresholds in increasing order: passing a score moves that query from
    // accepted to rejected, which gains one if it is out of scope and loses one if it was a
    // correct in-scope query.
    int n = inScopeBest.length + oosBest.length;
    double[] score = new double[n];
    int[] gain = new int[n];
    for (int i = 0; i < inScopeBest.length; i++) {
      score[i] = inScopeBest[i];
      gain[i] = inScopeCorrect[i] ? -1 : 0;
    }
    for (int i = 0; i < oosBest.length; i++) {
      score[inScopeBest.length + i] = oosBest[i];
      gain[inScopeBest.length + i] = 1;
    }
    Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
    int correctAtZero = 0;
    for (boolean c : inScopeCorrect) {
      correctAtZero += c ? 1 : 0;
    }
    int best = correctAtZero;
    double bestThreshold = 0;
    int current = correctAtZero;
    for (int k = 0; k < n; k++) {
      current += gain[order[k]];
      boolean lastOfTies = k == n - 1 || score[order[k + 1]] > score[order[k]];
      if (lastOfTies && current > best) {
        best = current;
        double next = k == n - 1 ? 1.0 : score[order[k + 1]];
        bestThreshold = (score[order[k]] + next) / 2;
      }
    }
    return new ThresholdInfo(
        Math.min(1, Math.max(0, bestThreshold)),
        source + ": maximum validation accuracy over in-scope and out-of-scope queries ("
            + best + "/" + n + " correct)",
        null);
  }

  /** The largest of {@code scores} under {@code limit}, or 0 when none is. */
  private static double highestBelow(double[] scores, double limit) {
    double best = 0;
    for (double s : scores) {
      if (s < limit && s > best) {
        best = s;
      }
    }
    return best;
  }

  private static ThresholdInfo fallback(double[] inScopeBest, boolean[] inScopeCorrect, String source) {
    double[] correct = new double[inScopeBest.length];
    int m = 0;
    for (int i = 0; i < inScopeBest.length; i++) {
      if (inScopeCorrect[i]) {
        correct[m++] = inScopeBest[i];
      }
    }
    double threshold = 0;
    if (m > 0) {
      double[] sorted = Arrays.copyOf(correct, m);
      Arrays.sort(sorted);
      int k = (int) Math.floor(FALLBACK_REJECT_SHARE * m);
      // k == 0 (fewer than 100 correct queries): reject no correct query. The threshold still sits
      // between two scores, not on the lowest one: a batch of another size computes that query's
      // score a rounding error lower, and it would be rejected there.
      threshold = k == 0 ? (sorted[0] + highestBelow(inScopeBest, sorted[0])) / 2 : (sorted[k - 1] + sorted[k]) / 2;
    }
    return new ThresholdInfo(
        threshold,
        source + ": rejects about " + Math.round(FALLBACK_REJECT_SHARE * 100)
            + "% of correctly classified in-scope validation queries",
        "validation data has no out-of-scope examples, so the threshold is conservative (rejects little); "
            + "give validation data with 'oos' rows to choose it properly");
  }
}
