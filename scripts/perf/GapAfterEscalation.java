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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * What slows a cascade's first model on the messages after an escalated one: the first model runs
 * every message back to back, and after each message the cascade would escalate, one of these
 * runs in its place: {@code none}; {@code fallback} (the fallback model on that message, as the
 * cascade does); {@code sweep:MB} (one write per cache line over MB megabytes: evicts caches, no
 * arithmetic); {@code spin:US} (integer arithmetic on registers for US microseconds: neither);
 * {@code park:US} (the thread sleeps US microseconds). Prints the first model's p50 on the
 * messages that stay, by messages since the last escalated one; modes are alternated pass by pass.
 *
 * <pre>java -cp 'cli/target/lib/*' scripts/perf/GapAfterEscalation.java CASCADE.intent PASSES none,fallback,spin:4000,park:4000</pre>
 */
public class GapAfterEscalation {
  private static byte[] memory = new byte[0];
  private static long sink;

  public static void main(String[] args) throws Exception {
    Path artifact = Path.of(args[0]);
    int passes = Integer.parseInt(args[1]);
    List<String> modes = List.of(args[2].split(","));
    List<String> texts = Workload.load(null, 0, 42).stream().map(LabeledText::text).toList();
    LoadOptions load = LoadOptions.defaults().withSession(new SessionSettings(1, 1, true)).withTopK(1);
    try (OpenedModel opened = ModelLoader.openWithFallback(artifact, load)) {
      if (opened.fallback() == null) {
        throw new IllegalArgumentException(artifact + " is not a cascade artifact");
      }
      IntentScorer first = opened.first().scorer();
      IntentScorer fallback = opened.fallback().scorer();
      CascadePredictor cascade = new CascadePredictor(opened.first(), opened.fallback(), opened.cascade().escalateBelow());
      int n = texts.size();
      boolean[] escalated = new boolean[n];
      for (int i = 0; i < n; i++) {
        escalated[i] = cascade.predictAll(List.of(texts.get(i))).escalated()[0];
      }
      int[] since = new int[n];
      for (int i = 0, last = -1_000_000; i < n; i++) {
        since[i] = i - last;
        last = escalated[i] ? i : last;
      }
      Map<String, List<long[]>> times = new LinkedHashMap<>();
      for (int pass = -1; pass < passes; pass++) {
        for (String mode : modes) {
          long[] t = new long[n];
          for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            first.score(List.of(texts.get(i)), 0);
            t[i] = System.nanoTime() - t0;
            if (escalated[i]) {
              disturb(mode, fallback, texts.get(i));
            }
          }
          if (pass >= 0) {
            times.computeIfAbsent(mode, m -> new ArrayList<>()).add(t);
          }
        }
      }
      System.out.printf(Locale.ROOT, "%d messages, %d passes, %.1f %% escalated; first model's p50 (us) on messages that stay, "
          + "all and 1 / 2 / 3 / 4+ messages after an escalated one%n", n, passes, 100.0 * IntStream.range(0, n).filter(i -> escalated[i]).count() / n);
      for (String mode : modes) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-12s %7.1f |", mode, p(times.get(mode), i -> !escalated[i])));
        for (int d = 1; d <= 4; d++) {
          int at = d;
          line.append(String.format(Locale.ROOT, " %7.1f", p(times.get(mode), i -> !escalated[i] && (at < 4 ? since[i] == at : since[i] >= at))));
        }
        System.out.println(line);
      }
    }
  }

  private static void disturb(String mode, IntentScorer fallback, String text) {
    if (mode.equals("none")) {
      return;
    }
    if (mode.equals("fallback")) {
      fallback.score(List.of(text), 0);
      return;
    }
    long amount = Long.parseLong(mode.substring(mode.indexOf(':') + 1));
    if (mode.startsWith("sweep:")) {
      if (memory.length != amount << 20) {
        memory = new byte[(int) (amount << 20)];
      }
      for (int j = 0; j < memory.length; j += 64) {
        memory[j]++;
      }
    } else if (mode.startsWith("spin:")) {
      long end = System.nanoTime() + amount * 1000;
      long x = 1;
      while (System.nanoTime() < end) {
        for (int k = 0; k < 100; k++) {
          x = x * 6364136223846793005L + 1;
        }
      }
      sink += x;
    } else if (mode.startsWith("park:")) {
      LockSupport.parkNanos(amount * 1000);
    } else {
      throw new IllegalArgumentException("unknown mode " + mode);
    }
  }

  private static double p(List<long[]> passes, IntPredicate keep) {
    long[] v = passes.stream().flatMapToLong(a -> IntStream.range(0, a.length).filter(keep).mapToLong(i -> a[i])).sorted().toArray();
    return v[v.length / 2] / 1e3;
  }
}
