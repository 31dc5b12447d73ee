package dev.intentinference.train;

import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.model.IntentPrediction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Scores predictions against gold labels the way CLINC150 results are reported.
 *
 * <ul>
 *   <li><b>in-scope accuracy</b>: over gold in-scope queries, the share that got their intent and
 *       were not rejected (a rejected in-scope query is wrong even if its top intent is right);
 *   <li><b>out-of-scope recall</b>: over gold out-of-scope queries, the share rejected;
 *   <li><b>out-of-scope precision</b>: over rejected queries, the share truly out of scope;
 *   <li><b>macro-F1</b>: unweighted mean of per-class F1 over every gold class, {@code oos}
 *       included as one class (a rejection counts as predicting {@code oos}).
 * </ul>
 *
 * <p>Plain arithmetic over (gold, predicted) pairs, so any predictor (model directory, compiled
 * artifact, remote server) can be scored.
 *
 * <pre>{@code
 * EvalReport r = IntentMetrics.of(List.of("balance", "oos"), List.of("balance", "oos"));
 * r.inScopeAccuracy(); // 1.0
 * }</pre>
 */
public final class IntentMetrics {
  /** How many of the worst intents and most confused pairs a report lists. */
  public static final int DEFAULT_LIST_SIZE = 10;

  private IntentMetrics() {}

  /** Scores model predictions: a rejected prediction counts as {@code oos}. */
  public static EvalReport ofPredictions(List<String> gold, List<IntentPrediction> predictions) {
    return ofPredictions(gold, predictions, DEFAULT_LIST_SIZE);
  }

  /** As {@link #ofPredictions(List, List)}, listing {@code listSize} worst intents and confused pairs. */
  public static EvalReport ofPredictions(List<String> gold, List<IntentPrediction> predictions, int listSize) {
    List<String> predicted = new ArrayList<>(predictions.size());
    List<String> best = new ArrayList<>(predictions.size());
    for (IntentPrediction p : predictions) {
      predicted.add(p.outOfScope() ? LabeledText.OUT_OF_SCOPE : p.intent());
      best.add(p.intent());
    }
    return of(gold, predicted, best, listSize);
  }

  /**
   * Scores decided labels.
   *
   * @param gold the true label per query, {@code oos} for out of scope
   * @param predicted the decided label per query, {@code oos} when rejected
   */
  public static EvalReport of(List<String> gold, List<String> predicted) {
    return of(gold, predicted, DEFAULT_LIST_SIZE);
  }

  /** As {@link #of(List, List)}, listing {@code listSize} worst intents and confused pairs. */
  public static EvalReport of(List<String> gold, List<String> predicted, int listSize) {
    return of(gold, predicted, null, listSize);
  }

  /**
   * As {@link #of(List, List, int)}, with each query's best intent before the threshold, or null
   * when unknown (then {@link EvalReport#inScopeTop1()} is {@code NaN}).
   */
  static EvalReport of(List<String> gold, List<String> predicted, List<String> best, int listSize) {
    if (gold.size() != predicted.size() || (best != null && best.size() != gold.size())) {
      throw new IllegalArgumentException(gold.size() + " gold labels but " + predicted.size() + " predictions");
    }
    if (gold.isEmpty()) {
      throw new IllegalArgumentException("nothing to score: no examples");
    }
    String oos = LabeledText.OUT_OF_SCOPE;
    int inScope = 0;
    int inScopeCorrect = 0;
    int inScopeTop1 = 0;
    int outOfScope = 0;
    int oosRejected = 0;
    int rejected = 0;
    int correct = 0;
    Map<String, int[]> counts = new TreeMap<>(); // label -> {truePositive, goldCount, predictedCount}
    Map<List<String>, Integer> confusions = new HashMap<>();
    for (int i = 0; i < gold.size(); i++) {
      String g = gold.get(i);
      String p = predicted.get(i);
      counts.computeIfAbsent(g, k -> new int[3])[1]++;
      counts.computeIfAbsent(p, k -> new int[3])[2]++;
      if (g.equals(p)) {
        counts.get(g)[0]++;
        correct++;
      } else {
        confusions.merge(List.of(g, p), 1, Integer::sum);
      }
      boolean goldOos = g.equals(oos);
      boolean predOos = p.equals(oos);
      if (predOos) {
        rejected++;
      }
      if (goldOos) {
        outOfScope++;
        if (predOos) {
          oosRejected++;
        }
      } else {
        inScope++;
        if (g.equals(p)) {
          inScopeCorrect++;
        }
        if (best != null && g.equals(best.get(i))) {
          inScopeTop1++;
        }
      }
    }
    List<ClassScore> classes = new ArrayList<>();
    double f1Sum = 0;
    int goldClasses = 0;
    for (Map.Entry<String, int[]> e : counts.entrySet()) {
      int[] c = e.getValue();
      if (c[1] == 0) {
        continue; // predicted but never gold: lowers others' precision, is not a class of its own
      }
      double precision = c[2] == 0 ? 0 : (double) c[0] / c[2];
      double recall = (double) c[0] / c[1];
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      classes.add(new ClassScore(e.getKey(), precision, recall, f1, c[1]));
      f1Sum += f1;
      goldClasses++;
    }
    List<ClassScore> worst = classes.stream()
        .filter(c -> !c.intent().equals(oos))
        .sorted(Comparator.comparingDouble(ClassScore::f1).thenComparing(ClassScore::intent))
        .limit(listSize)
        .toList();
    List<Confusion> confused = confusions.entrySet().stream()
        .map(e -> new Confusion(e.getKey().get(0), e.getKey().get(1), e.getValue()))
        .sorted(Comparator.comparingInt(Confusion::count).reversed()
            .thenComparing(Confusion::gold).thenComparing(Confusion::predicted))
        .limit(listSize)
        .toList();
    return new EvalReport(
        gold.size(),
        inScope,
        outOfScope,
        (double) correct / gold.size(),
        inScope == 0 ? Double.NaN : (double) inScopeCorrect / inScope,
        inScope == 0 || best == null ? Double.NaN : (double) inScopeTop1 / inScope,
        outOfScope == 0 ? Double.NaN : (double) oosRejected / outOfScope,
        rejected == 0 ? Double.NaN : (double) oosRejected / rejected,
        f1Sum / goldClasses,
        new TreeSet<>(counts.keySet()).size(),
        worst,
        confused);
  }
}
