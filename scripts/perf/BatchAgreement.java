import dev.intentinference.bench.Workload;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Issue 11's agreement figure against a reference that does not depend on batching: REFERENCE
 * scores each message alone; CANDIDATE scores each alone and again in random batches, as a
 * batching server or `intent bench --inproc-batch` would run it. Dynamic int8 quantizes each
 * activation over the whole batch, so its answers can move with their batch-mates; compile's own
 * gate compares in padded batches instead. Messages: the bench's (CLINC150 test and oos_test,
 * shuffled with seed 42); top-1 is the best intent, threshold ignored.
 *
 * <pre>java -cp 'cli/target/lib/*' scripts/perf/BatchAgreement.java REFERENCE.intent CANDIDATE.intent [BATCH] [SEED]</pre>
 */
public class BatchAgreement {
  public static void main(String[] args) throws Exception {
    Path reference = Path.of(args[0]);
    Path candidate = Path.of(args[1]);
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
    List<LabeledText> rows = Workload.load(null, 0, 42);
    List<String> texts = rows.stream().map(LabeledText::text).toList();
    LoadOptions load = LoadOptions.defaults().withSession(new SessionSettings(1, 1, true));
    try (IntentPredictor ref = ModelLoader.open(reference, load); IntentPredictor cand = ModelLoader.open(candidate, load)) {
      String[] refAlone = alone(ref, texts);
      String[] candAlone = alone(cand, texts);
      String[] candBatched = batched(cand, texts, batch, seed);
      int n = texts.size();
      System.out.printf(Locale.ROOT, "%d messages; candidate batches of %d (seed %d)%n", n, batch, seed);
      System.out.printf(Locale.ROOT, "candidate batched = reference alone: %s%n", share(candBatched, refAlone, rows));
      System.out.printf(Locale.ROOT, "candidate alone = reference alone:   %s%n", share(candAlone, refAlone, rows));
      System.out.printf(Locale.ROOT, "candidate batched = candidate alone: %s%n", share(candBatched, candAlone, rows));
      System.out.printf(Locale.ROOT, "in-scope top-1 accuracy: reference alone %s, candidate alone %s, candidate batched %s%n",
          accuracy(refAlone, rows), accuracy(candAlone, rows), accuracy(candBatched, rows));
    }
  }

  private static String[] alone(IntentPredictor p, List<String> texts) {
    String[] out = new String[texts.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = best(p, p.scorer().score(List.of(texts.get(i))).probabilities()[0]);
    }
    return out;
  }

  private static String[] batched(IntentPredictor p, List<String> texts, int batch, long seed) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    String[] out = new String[texts.size()];
    for (int start = 0; start < order.size(); start += batch) {
      List<Integer> ids = order.subList(start, Math.min(order.size(), start + batch));
      float[][] probs = p.scorer().score(ids.stream().map(texts::get).toList()).probabilities();
      for (int j = 0; j < ids.size(); j++) {
        out[ids.get(j)] = best(p, probs[j]);
      }
    }
    return out;
  }

  private static String best(IntentPredictor p, float[] probs) {
    return p.decoder().labels().get(p.decoder().bestInScope(probs));
  }

  /** Agreement over all messages and over the in-scope ones. */
  private static String share(String[] a, String[] b, List<LabeledText> rows) {
    int all = 0;
    int inScope = 0;
    int inScopeTotal = 0;
    for (int i = 0; i < a.length; i++) {
      boolean same = a[i].equals(b[i]);
      all += same ? 1 : 0;
      if (!rows.get(i).isOutOfScope()) {
        inScopeTotal++;
        inScope += same ? 1 : 0;
      }
    }
    return String.format(Locale.ROOT, "%d / %d (%.4f); in scope %d / %d (%.4f)", all, a.length, (double) all / a.length,
        inScope, inScopeTotal, (double) inScope / inScopeTotal);
  }

  private static String accuracy(String[] predicted, List<LabeledText> rows) {
    int right = 0;
    int total = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (!rows.get(i).isOutOfScope()) {
        total++;
        right += predicted[i].equals(rows.get(i).intent()) ? 1 : 0;
      }
    }
    return String.format(Locale.ROOT, "%.4f", (double) right / total);
  }
}
