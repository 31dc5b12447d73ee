package dev.intentinference.compiler;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DataFormat;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.SequenceBuckets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import dev.intentinference.core.model.Scores;

/**
 * Runs the uncompiled model and the compiled artifact on the same texts and compares them.
 * Texts are scored in batches of similar length so the comparison stays fast on a 2-core machine.
 *
 * <pre>{@code
 * VerificationReport r = Verifier.compare(reference, compiled, Verifier.builtIn(), "built-in", "cpu");
 * }</pre>
 */
public final class Verifier {
  static final String BUILT_IN_RESOURCE = "dev/intentinference/compiler/verification-sentences.txt";
  private static final int BATCH = 32;

  private Verifier() {}

  /** The built-in verification sentences (unlabeled support-chat messages). */
  public static List<LabeledText> builtIn() {
    String text = new String(ClasspathResources.readAll(BUILT_IN_RESOURCE), StandardCharsets.UTF_8);
    return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .map(l -> new LabeledText(l, null, "built-in")).toList();
  }

  /** Reads a labeled verification file; for CLINC150 JSON, the named split. */
  public static List<LabeledText> read(Path file, String split, int limit) {
    DatasetReader reader = new DatasetReader(Columns.DEFAULT);
    List<LabeledText> rows = DataFormat.of(file) == DataFormat.CLINC_JSON ? reader.read(file, split) : reader.read(file);
    if (rows.isEmpty()) {
      throw new IntentException(file + ": no verification examples");
    }
    return rows.size() <= limit ? rows : spread(rows, limit);
  }

  /** Every k-th row, so a limited sample still covers all intents of a file sorted by intent. */
  static List<LabeledText> spread(List<LabeledText> rows, int limit) {
    List<LabeledText> out = new ArrayList<>(limit);
    double step = (double) rows.size() / limit;
    for (int i = 0; i < limit; i++) {
      out.add(rows.get((int) (i * step)));
    }
    return out;
  }

  public static VerificationReport compare(IntentScorer reference, IntentScorer compiled, List<LabeledText> rows,
      String dataset, String verifiedOn) {
    List<String> labels = reference.manifest().labels();
    List<LabeledText> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingInt(r -> r.text().length()));
    double maxDiff = 0;
    double sumMaxDiff = 0;
    int agree = 0;
    int labeled = 0;
    int refCorrect = 0;
    int compCorrect = 0;
    int compared = 0;
    int truncatedByMaxLength = 0;
    for (int start = 0; start < sorted.size(); start += BATCH) {
      List<LabeledText> batch = sorted.subList(start, Math.min(sorted.size(), start + BATCH));
      List<String> texts = batch.stream().map(LabeledText::text).toList();
      // Both models see identical [batch, length] inputs: int8 encoders quantize activations per
      // tensor, so padding and batch-mates move their outputs, and only the compile's own effect
      // should be measured here.
      int padTo = paddedLength(compiled, texts);
      Scores sa = reference.score(texts, padTo);
      Scores sb = compiled.score(texts, padTo);
      float[][] a = sa.probabilities();
      float[][] b = sb.probabilities();
      for (int i = 0; i < a.length; i++) {
        if (sb.truncated()[i] && !sa.truncated()[i]) {
          // The artifact's --max-length cut this text and the source model did not: not comparable.
          truncatedByMaxLength++;
          continue;
        }
        compared++;
        if (a[i].length != b[i].length) {
          throw new IntentException("compiled graph gives " + b[i].length + " probabilities but the model has " + a[i].length + " labels");
        }
        double rowMax = 0;
        for (int j = 0; j < a[i].length; j++) {
          rowMax = Math.max(rowMax, Math.abs(a[i][j] - b[i][j]));
        }
        maxDiff = Math.max(maxDiff, rowMax);
        sumMaxDiff += rowMax;
        int ta = argmax(a[i]);
        int tb = argmax(b[i]);
        if (ta == tb) {
          agree++;
        }
        String gold = batch.get(i).intent();
        int goldIndex = gold == null ? -1 : labels.indexOf(gold);
        if (goldIndex >= 0) {
          labeled++;
          refCorrect += ta == goldIndex ? 1 : 0;
          compCorrect += tb == goldIndex ? 1 : 0;
        }
      }
    }
    int n = compared;
    if (n == 0) {
      throw new IntentException("verification: none of the " + rows.size() + " texts fits --max-length; nothing to compare");
    }
    return new VerificationReport(dataset, n, truncatedByMaxLength, maxDiff, n == 0 ? 0 : sumMaxDiff / n, n == 0 ? 1 : (double) agree / n,
        labeled, labeled == 0 ? Double.NaN : (double) refCorrect / labeled,
        labeled == 0 ? Double.NaN : (double) compCorrect / labeled, verifiedOn);
  }

  /** The sequence length the compiled artifact will use for these texts (its bucket, if any). */
  static int paddedLength(IntentScorer compiled, List<String> texts) {
    int longest = 0;
    for (var t : compiled.tokenizer().encodeAll(texts)) {
      longest = Math.max(longest, t.length());
    }
    return SequenceBuckets.of(compiled.manifest()).padTo(longest);
  }

  static int argmax(float[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }
}
