package dev.intentinference.core.model;

import dev.intentinference.core.IntentException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Two models in a row: the fast one answers every message, and the messages it is unsure of (its
 * largest probability, an explicit {@code oos} class included, under {@code escalateBelow}) are
 * answered again by the slower, more accurate one, whose answer replaces the first. Each model
 * decides out-of-scope with its own threshold. A distilled student with its teacher behind it
 * gets close to the teacher's accuracy while most messages cost only the student's time
 * (docs/accuracy.md, "Twenty-third session").
 *
 * <pre>{@code
 * try (IntentPredictor s = ModelLoader.open(student, o); IntentPredictor t = ModelLoader.open(teacher, o)) {
 *   CascadePredictor.Answers a = new CascadePredictor(s, t, 0.8).predictAll(List.of("change company address"));
 * }
 * }</pre>
 */
public final class CascadePredictor {
  private final IntentPredictor first;
  private final IntentPredictor fallback;
  private final double escalateBelow;

  /**
   * The answers in input order, and which of them the fallback model gave.
   *
   * @param escalated per message, whether the fallback model answered it
   */
  public record Answers(List<IntentPrediction> predictions, boolean[] escalated) {
    public int escalatedCount() {
      int n = 0;
      for (boolean e : escalated) {
        n += e ? 1 : 0;
      }
      return n;
    }
  }

  /**
   * The caller keeps both predictors and closes them.
   *
   * @param escalateBelow in [0, 1]: 0 never asks the fallback model, 1 asks it about nearly every message
   */
  public CascadePredictor(IntentPredictor first, IntentPredictor fallback, double escalateBelow) {
    CascadeInfo.checkEscalateBelow(escalateBelow);
    if (!new HashSet<>(first.decoder().labels()).equals(new HashSet<>(fallback.decoder().labels()))) {
      throw new IntentException("the fallback model's intents differ from the first model's ("
          + fallback.decoder().labels().size() + " vs " + first.decoder().labels().size()
          + " labels): both must be trained on the same intents");
    }
    this.first = first;
    this.fallback = fallback;
    this.escalateBelow = escalateBelow;
  }

  public Answers predictAll(List<String> texts) {
    return predictAll(texts, 0);
  }

  /** @param padTo pad the first model's batch to at least this many tokens (benchmarks of worst-case length) */
  public Answers predictAll(List<String> texts, int padTo) {
    Scores scores = first.scorer().score(texts, padTo);
    boolean[] escalated = new boolean[texts.size()];
    List<String> unsure = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      escalated[i] = isUnsure(scores.probabilities()[i], escalateBelow);
      if (escalated[i]) {
        unsure.add(texts.get(i));
      }
    }
    List<IntentPrediction> second = unsure.isEmpty() ? List.of() : fallback.predictAll(unsure);
    List<IntentPrediction> out = new ArrayList<>(texts.size());
    for (int i = 0, next = 0; i < texts.size(); i++) {
      out.add(escalated[i] ? second.get(next++).byFallback()
          : first.decoder().decode(texts.get(i), scores.probabilities()[i], scores.truncated()[i]));
    }
    return new Answers(out, escalated);
  }

  public IntentPredictor fallback() {
    return fallback;
  }

  public double escalateBelow() {
    return escalateBelow;
  }

  /**
   * Whether a row of the first model's probabilities goes to the fallback: its largest probability,
   * an explicit {@code oos} class included (a confident out-of-scope answer stays), is under
   * {@code escalateBelow}.
   */
  public static boolean isUnsure(float[] probabilities, double escalateBelow) {
    return max(probabilities) < escalateBelow;
  }

  private static float max(float[] row) {
    float m = Float.NEGATIVE_INFINITY;
    for (float v : row) {
      m = Math.max(m, v);
    }
    return m;
  }
}
