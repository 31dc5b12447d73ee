package dev.intentinference.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class IntentMetricsTest {
  /*
   * Hand-made case: 6 in-scope queries (4 balance, 2 transfer) and 4 out-of-scope ones.
   *   balance  -> balance, balance, transfer, oos(rejected)
   *   transfer -> transfer, balance
   *   oos      -> oos, oos, oos, balance
   * in-scope accuracy = 3/6 (a rejected in-scope query is wrong); oos recall = 3/4;
   * oos precision = 3 true rejections / 4 rejections.
   * F1: balance P=2/4 R=2/4 -> 0.5; transfer P=1/2 R=1/2 -> 0.5; oos P=3/4 R=3/4 -> 0.75;
   * macro-F1 = (0.5 + 0.5 + 0.75) / 3.
   */
  private static final List<String> GOLD = List.of(
      "balance", "balance", "balance", "balance", "transfer", "transfer", "oos", "oos", "oos", "oos");
  private static final List<String> PREDICTED = List.of(
      "balance", "balance", "transfer", "oos", "transfer", "balance", "oos", "oos", "oos", "balance");

  @Test
  void computesTheHeadlineRatesByHand() {
    EvalReport r = IntentMetrics.of(GOLD, PREDICTED);
    assertThat(r.examples()).isEqualTo(10);
    assertThat(r.inScope()).isEqualTo(6);
    assertThat(r.outOfScope()).isEqualTo(4);
    assertThat(r.inScopeAccuracy()).as("3 of 6 in-scope right and not rejected").isCloseTo(0.5, within(1e-12));
    assertThat(r.oosRecall()).as("3 of 4 oos rejected").isCloseTo(0.75, within(1e-12));
    assertThat(r.oosPrecision()).as("3 of 4 rejections are oos").isCloseTo(0.75, within(1e-12));
    assertThat(r.macroF1()).isCloseTo((0.5 + 0.5 + 0.75) / 3, within(1e-12));
    assertThat(r.accuracy()).isCloseTo(6 / 10.0, within(1e-12));
  }

  @Test
  void topOneCountsTheBestIntentOfRejectedQueriesToo() {
    // The rejected balance query had balance as its best intent; the misclassified ones did not.
    List<String> best = List.of(
        "balance", "balance", "transfer", "balance", "transfer", "balance", "balance", "transfer", "balance", "balance");
    EvalReport r = IntentMetrics.of(GOLD, PREDICTED, best, 10);
    assertThat(r.inScopeAccuracy()).isCloseTo(0.5, within(1e-12));
    assertThat(r.inScopeTop1()).as("4 of 6 in-scope best intents right").isCloseTo(4 / 6.0, within(1e-12));
    assertThat(IntentMetrics.of(GOLD, PREDICTED).inScopeTop1()).isNaN();
  }

  @Test
  void listsWorstIntentsAndConfusedPairs() {
    EvalReport r = IntentMetrics.of(GOLD, PREDICTED, 2);
    assertThat(r.worstIntents()).extracting(ClassScore::intent).containsExactly("balance", "transfer");
    assertThat(r.worstIntents().get(0).support()).isEqualTo(4);
    // Every confusion happens once; ties are listed by gold then predicted label.
    assertThat(r.mostConfused()).containsExactly(
        new Confusion("balance", "oos", 1), new Confusion("balance", "transfer", 1));
    assertThat(IntentMetrics.of(GOLD, PREDICTED).mostConfused()).hasSize(4);
  }

  @Test
  void ratesWithNothingToCountAreNotANumber() {
    EvalReport r = IntentMetrics.of(List.of("a", "b"), List.of("a", "a"));
    assertThat(r.oosRecall()).isNaN();
    assertThat(r.oosPrecision()).isNaN();
    assertThat(r.inScopeAccuracy()).isEqualTo(0.5);
    assertThat(r.summary()).containsEntry("oos_recall", null).containsEntry("in_scope_accuracy", 0.5);
  }
}
