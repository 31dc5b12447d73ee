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
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * A cascade's batch-1 latency against its first model's when messages arrive at a rate, as a
 * chatbot's do, instead of back to back: one thread, one intra-op thread, Poisson arrivals at
 * RATE per second (the thread parks between them), the bench's messages (CLINC150 test and
 * oos_test shuffled with its seed, the first LIMIT of them), the two sides alternated pass by
 * pass. Service time is the call alone; sojourn counts from the scheduled arrival, so it includes
 * waiting behind a slow escalated message and waking up.
 *
 * <pre>java -cp 'cli/target/lib/*' scripts/perf/CascadeAtRate.java CASCADE.intent PASSES RATE [LIMIT]</pre>
 */
public class CascadeAtRate {
  public static void main(String[] args) throws Exception {
    Path artifact = Path.of(args[0]);
    int passes = Integer.parseInt(args[1]);
    double rate = Double.parseDouble(args[2]);
    int limit = args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
    List<String> all = Workload.load(null, 0, 42).stream().map(LabeledText::text).toList();
    List<String> texts = all.subList(0, Math.min(limit, all.size()));
    LoadOptions load = LoadOptions.defaults().withSession(new SessionSettings(1, 1, true)).withTopK(1);
    try (OpenedModel opened = ModelLoader.openWithFallback(artifact, load)) {
      if (opened.fallback() == null) {
        throw new IllegalArgumentException(artifact + " is not a cascade artifact");
      }
      IntentScorer first = opened.first().scorer();
      CascadePredictor cascade = new CascadePredictor(opened.first(), opened.fallback(), opened.cascade().escalateBelow());
      List<List<Long>> service = List.of(new ArrayList<>(), new ArrayList<>());
      List<List<Long>> sojourn = List.of(new ArrayList<>(), new ArrayList<>());
      Random arrivals = new Random(7);
      // one unmeasured pass of each side to warm up
      for (int pass = -1; pass < passes; pass++) {
        for (int side = 0; side < 2; side++) {
          long due = System.nanoTime();
          for (String text : texts) {
            due += (long) (-Math.log(1 - arrivals.nextDouble()) / rate * 1e9);
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
              LockSupport.parkNanos(wait);
            }
            long start = System.nanoTime();
            if (side == 0) {
              first.score(List.of(text), 0);
            } else {
              cascade.predictAll(List.of(text));
            }
            long end = System.nanoTime();
            if (pass >= 0) {
              service.get(side).add(end - start);
              sojourn.get(side).add(end - due);
            }
          }
        }
      }
      System.out.printf(Locale.ROOT, "%.0f messages/s, %d messages x %d passes, P = %s%n", rate, texts.size(), passes,
          opened.cascade().escalateBelow());
      System.out.printf(Locale.ROOT, "service p50: first model %.1f us, cascade %.1f us (%.3fx); p90 %.1f / %.1f us%n",
          p(service.get(0), 0.5), p(service.get(1), 0.5), p(service.get(1), 0.5) / p(service.get(0), 0.5),
          p(service.get(0), 0.9), p(service.get(1), 0.9));
      System.out.printf(Locale.ROOT, "sojourn p50: first model %.1f us, cascade %.1f us (%.3fx)%n",
          p(sojourn.get(0), 0.5), p(sojourn.get(1), 0.5), p(sojourn.get(1), 0.5) / p(sojourn.get(0), 0.5));
    }
  }

  private static double p(List<Long> nanos, double q) {
    long[] v = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return v[Math.min(v.length - 1, (int) (q * v.length))] / 1e3;
  }
}
