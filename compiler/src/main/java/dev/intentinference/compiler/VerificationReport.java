package dev.intentinference.compiler;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How closely a compiled artifact reproduces the uncompiled model on a verification set.
 *
 * @param dataset where the texts came from, e.g. {@code data_full.json:val} or {@code built-in (200 sentences)}
 * @param examples texts compared
 * @param skippedTruncated texts left out because only the artifact's shorter {@code --max-length} cut them
 * @param maxAbsDiff largest |probability difference| over all texts and labels, in [0, 1]
 * @param meanAbsDiff mean over texts of the largest per-text |probability difference|
 * @param top1Agreement fraction of texts whose most probable label is the same, in [0, 1]
 * @param labeled texts with a gold label the model knows (accuracy is over these); 0 when unlabeled
 * @param referenceAccuracy top-1 accuracy of the uncompiled model on the labeled texts, or NaN
 * @param compiledAccuracy top-1 accuracy of the artifact on the labeled texts, or NaN
 * @param verifiedOn the provider the artifact ran on during verification, e.g. {@code cpu}
 */
public record VerificationReport(
    String dataset,
    int examples,
    int skippedTruncated,
    double maxAbsDiff,
    double meanAbsDiff,
    double top1Agreement,
    int labeled,
    double referenceAccuracy,
    double compiledAccuracy,
    String verifiedOn) {

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dataset", dataset);
    m.put("examples", examples);
    if (skippedTruncated > 0) {
      m.put("skipped_truncated_by_max_length", skippedTruncated);
    }
    m.put("max_abs_prob_diff", maxAbsDiff);
    m.put("mean_max_abs_prob_diff", meanAbsDiff);
    m.put("top1_agreement", top1Agreement);
    if (labeled > 0) {
      m.put("labeled_examples", labeled);
      m.put("reference_accuracy", referenceAccuracy);
      m.put("compiled_accuracy", compiledAccuracy);
    }
    m.put("verified_on", verifiedOn);
    return m;
  }

  /** One line for the terminal. */
  public String summary() {
    String s = String.format(java.util.Locale.ROOT, "verified on %d texts (%s, %s): top-1 agreement %.4f, max |prob diff| %.2e",
        examples, dataset, verifiedOn, top1Agreement, maxAbsDiff);
    if (labeled > 0) {
      s += String.format(java.util.Locale.ROOT, ", accuracy %.4f uncompiled vs %.4f compiled on %d labeled",
          referenceAccuracy, compiledAccuracy, labeled);
    }
    return s;
  }
}
