import dev.intentinference.bench.Workload;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.model.CascadePredictor;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.model.OpenedModel;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Where a cascade's batch-1 latency goes, on one core: the same messages (the bench's, CLINC150
 * test and oos_test shuffled with its seed) answered in turn by the first model alone and by the
 * cascade, alternated pass by pass. It splits the cascade's p50 against the first model's into
 * what the slow escalated messages do to the median of all (the percentile shift) and what
 * running the fallback does to the messages that never escalate (their own p50, cascade against
 * alone).
 *
 * <pre>java -cp 'cli/target/lib/*' scripts/perf/CascadeLatencySplit.java CASCADE.intent [PASSES]</pre>
 */
public class CascadeLatencySplit {
  public static void main(String[] args) throws Exception {
    Path artifact = Path.of(args[0]);
    int passes = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    List<String> texts = Workload.load(null, 0, 42).stream().map(LabeledText::text).toList();
    LoadOptions load = LoadOptions.defaults().withSession(new SessionSettings(1, 1, true)).withTopK(1);
    try (OpenedModel opened = ModelLoader.openWithFallback(artifact, load)) {
      if (opened.fallback() == null) {
        throw new IllegalArgumentException(artifact + " is not a cascade artifact");
      }
      IntentScorer first = opened.first().scorer();
      CascadePredictor cascade = new CascadePredictor(opened.first(), opened.fallback(), opened.cascade().escalateBelow());
      int n = texts.size();
      boolean[] escalated = new boolean[n];
      List<long[]> alone = new ArrayList<>();
      List<long[]> both = new ArrayList<>();
      // one unmeasured pass of each to warm up
      for (int pass = -1; pass < passes; pass++) {
        long[] a = new long[n];
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          first.score(List.of(texts.get(i)), 0);
          a[i] = System.nanoTime() - t0;
        }
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          escalated[i] = cascade.predictAll(List.of(texts.get(i))).escalated()[0];
          c[i] = System.nanoTime() - t0;
        }
        if (pass >= 0) {
          alone.add(a);
          both.add(c);
        }
      }
      boolean[] stay = new boolean[n];
      for (int i = 0; i < n; i++) {
        stay[i] = !escalated[i];
      }
      double share = (double) count(escalated) / n;
      double aloneAll = p(alone, null, 0.5);
      double cascadeAll = p(both, null, 0.5);
      double aloneShifted = p(alone, stay, 0.5 / (1 - share));
      double aloneStay = p(alone, stay, 0.5);
      double cascadeStay = p(both, stay, 0.5);
      System.out.printf(Locale.ROOT, "%d messages, %d passes each, P = %s, %.1f %% escalated%n", n, passes,
          opened.cascade().escalateBelow(), 100 * share);
      System.out.printf(Locale.ROOT, "p50 of all: first model alone %.1f us, cascade %.1f us (%.3fx)%n",
          aloneAll, cascadeAll, cascadeAll / aloneAll);
      System.out.printf(Locale.ROOT, "percentile shift alone: the first model's p%.1f over the messages that stay, %.1f us (%.3fx)%n",
          100 * 0.5 / (1 - share), aloneShifted, aloneShifted / aloneAll);
      System.out.printf(Locale.ROOT, "messages that stay, p50: alone %.1f us, in the cascade %.1f us (%.3fx)%n",
          aloneStay, cascadeStay, cascadeStay / aloneStay);
      // By distance from the last escalated message: whatever the fallback evicted, the first model
      // takes back message by message.
      int[] since = new int[n];
      for (int i = 0, last = -1_000_000; i < n; i++) {
        since[i] = i - last;
        last = escalated[i] ? i : last;
      }
      StringBuilder byDistance = new StringBuilder();
      for (int d = 1; d <= 4; d++) {
        boolean[] at = new boolean[n];
        for (int i = 0; i < n; i++) {
          at[i] = stay[i] && (d < 4 ? since[i] == d : since[i] >= d);
        }
        byDistance.append(String.format(Locale.ROOT, "%s%s %.3fx (%d)", d == 1 ? "" : ", ", d < 4 ? String.valueOf(d) : "4+",
            p(both, at, 0.5) / p(alone, at, 0.5), count(at)));
      }
      System.out.println("messages that stay, p50 in the cascade against alone, by messages since the last escalated one: " + byDistance);
      System.out.printf(Locale.ROOT, "mean: alone %.1f us, cascade %.1f us (%.3fx); escalated messages %.1f us in the cascade, %.1f us alone%n",
          mean(alone, null), mean(both, null), mean(both, null) / mean(alone, null), mean(both, escalated), mean(alone, escalated));
    }
  }

  /** The q-quantile in microseconds of every pass's latencies, over the messages {@code mask} keeps (null: all). */
  private static double p(List<long[]> passes, boolean[] mask, double q) {
    long[] v = select(passes, mask);
    Arrays.sort(v);
    return v[Math.min(v.length - 1, (int) Math.floor(q * v.length))] / 1e3;
  }

  private static int count(boolean[] b) {
    int c = 0;
    for (boolean v : b) {
      c += v ? 1 : 0;
    }
    return c;
  }

  private static double mean(List<long[]> passes, boolean[] mask) {
    return Arrays.stream(select(passes, mask)).average().orElse(0) / 1e3;
  }

  private static long[] select(List<long[]> passes, boolean[] mask) {
    return passes.stream().flatMapToLong(a -> IntStream.range(0, a.length).filter(i -> mask == null || mask[i]).mapToLong(i -> a[i]))
        .toArray();
  }
}
