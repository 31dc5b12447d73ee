package dev.intentinference.core.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns one row of probabilities into an {@link IntentPrediction}: top-k labels and the
 * out-of-scope decision. Labels named {@code oos} (an explicit out-of-scope class) are never
 * reported as the intent; their probability counts towards rejection instead.
 *
 * <pre>{@code
 * IntentDecoder decoder = new IntentDecoder(manifest.labels(), 0.55, 3, "1");
 * IntentPrediction p = decoder.decode("change company address", probs, false);
 * }</pre>
 */
public final class IntentDecoder {
  private final List<String> labels;
  private final double threshold;
  private final ConfidenceScore score;
  private final int topK;
  private final String modelVersion;
  private final int oosIndex;

  /**
   * @param labels labels in probability order
   * @param threshold reject when the best in-scope probability is below this, in [0, 1]
   * @param topK how many intents to list, 1..labels
   * @param modelVersion reported with every prediction
   */
  public IntentDecoder(List<String> labels, double threshold, int topK, String modelVersion) {
    this(labels, threshold, ConfidenceScore.MAX_PROBABILITY, topK, modelVersion);
  }

  /** @param score what {@code threshold} is compared with */
  public IntentDecoder(List<String> labels, double threshold, ConfidenceScore score, int topK, String modelVersion) {
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be at least 1, was " + topK);
    }
    this.labels = List.copyOf(labels);
    this.threshold = threshold;
    this.score = score;
    this.topK = Math.min(topK, labels.size());
    this.modelVersion = modelVersion;
    this.oosIndex = labels.indexOf(dev.intentinference.core.data.LabeledText.OUT_OF_SCOPE);
  }

  public static IntentDecoder of(ModelManifest manifest, int topK) {
    return of(manifest, topK, manifest.version());
  }

  /** The manifest's labels and out-of-scope rule, reporting {@code version}. */
  public static IntentDecoder of(ModelManifest manifest, int topK, String version) {
    return of(manifest.threshold(), manifest.labels(), topK, version);
  }

  /**
   * An out-of-scope rule (null: none) over {@code labels}, e.g. a cascade's fallback model's rule
   * over the first model's label order, into which the server puts the fallback's rows.
   */
  public static IntentDecoder of(ThresholdInfo rule, List<String> labels, int topK, String version) {
    return rule == null ? new IntentDecoder(labels, 0, topK, version)
        : new IntentDecoder(labels, rule.value(), rule.confidenceScore(), topK, version);
  }

  /** What the threshold is compared with. */
  public ConfidenceScore score() {
    return score;
  }

  public double threshold() {
    return threshold;
  }

  public List<String> labels() {
    return labels;
  }

  /** Index of the best in-scope label. */
  public int bestInScope(float[] probs) {
    int best = -1;
    for (int i = 0; i < probs.length; i++) {
      if (i != oosIndex && (best < 0 || probs[i] > probs[best])) {
        best = i;
      }
    }
    return best;
  }

  /** Whether this row is rejected as out of scope. */
  public boolean isOutOfScope(float[] probs) {
    int best = bestInScope(probs);
    return score.of(probs, best) < threshold || (oosIndex >= 0 && probs[oosIndex] > probs[best]);
  }

  public IntentPrediction decode(String text, float[] probs, boolean truncated) {
    int best = bestInScope(probs);
    List<ScoredIntent> top = new ArrayList<>(topK);
    boolean[] taken = new boolean[probs.length];
    for (int k = 0; k < topK; k++) {
      int arg = -1;
      for (int i = 0; i < probs.length; i++) {
        if (!taken[i] && i != oosIndex && (arg < 0 || probs[i] > probs[arg])) {
          arg = i;
        }
      }
      if (arg < 0) {
        break;
      }
      taken[arg] = true;
      top.add(new ScoredIntent(labels.get(arg), probs[arg]));
    }
    return new IntentPrediction(text, labels.get(best), probs[best], isOutOfScope(probs), top, modelVersion, truncated, false);
  }
}
