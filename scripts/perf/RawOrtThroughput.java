import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.intentinference.core.model.IntentArtifact;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What ONNX Runtime alone does with an artifact's graph: THREADS Java threads call {@code run} on
 * one shared session (INTRA intra-op threads, default one) with the same synthetic batch of BATCH
 * texts of LEN tokens, no padding, no tokenizer, no bench; artifacts alternated for ROUNDS rounds
 * so the machine's drift hits each alike. The ceiling our serving paths are measured against
 * (docs/perf.md, "Seventeenth session"). Run by scripts/perf/raw-ort-ab.sh.
 *
 *   java -cp 'cli/target/lib/*' -Dthreads=2 -Dbatch=1 scripts/perf/RawOrtThroughput.java A.intent [B.intent ...]
 */
public class RawOrtThroughput {
  public static void main(String[] args) throws Exception {
    int threads = Integer.getInteger("threads", 2);
    int batch = Integer.getInteger("batch", 1);
    int len = Integer.getInteger("len", 12);
    int seconds = Integer.getInteger("secs", 8);
    int rounds = Integer.getInteger("rounds", 3);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    double[] sums = new double[args.length];
    for (int r = 1; r <= rounds; r++) {
      for (int a = 0; a < args.length; a++) {
        double rate = measure(env, IntentArtifact.read(Path.of(args[a])).entry(IntentArtifact.MODEL_ENTRY), threads, batch, len, seconds);
        sums[a] += rate;
        System.out.printf(Locale.ROOT, "round %d %s: %.0f inf/s (threads %d, batch %d x %d tokens)%n",
            r, args[a], rate, threads, batch, len);
      }
    }
    for (int a = 1; a < args.length; a++) {
      System.out.printf(Locale.ROOT, "summed %s / %s: %.3f%n", args[a], args[0], sums[a] / sums[0]);
    }
  }

  static double measure(OrtEnvironment env, byte[] model, int threads, int batch, int len, int seconds) throws Exception {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(Integer.getInteger("intra", 1));
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      try (OrtSession session = env.createSession(model, options)) {
        // [CLS] word ... word [SEP], every position real.
        long[] ids = new long[len * batch];
        long[] mask = new long[len * batch];
        for (int i = 0; i < ids.length; i++) {
          int p = i % len;
          ids[i] = p == 0 ? 101 : p == len - 1 ? 102 : 2000 + (37L * i) % 5000;
          mask[i] = 1;
        }
        long[] zeros = new long[len * batch];
        long[] shape = {batch, len};
        AtomicLong done = new AtomicLong();
        AtomicBoolean counting = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          Thread w = new Thread(() -> {
            try {
              while (!stop.get()) {
                Map<String, OnnxTensor> in = new HashMap<>();
                for (String name : session.getInputNames()) {
                  long[] values = name.contains("mask") ? mask : name.contains("type") ? zeros : ids;
                  in.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape));
                }
                try (OrtSession.Result ignored = session.run(in)) {
                  if (counting.get()) {
                    done.addAndGet(batch);
                  }
                } finally {
                  in.values().forEach(OnnxTensor::close);
                }
              }
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
          w.start();
          workers.add(w);
        }
        Thread.sleep(3000);
        counting.set(true);
        long start = System.nanoTime();
        if (Boolean.getBoolean("intervals")) {
          printIntervals(done, start, seconds);
        } else {
          Thread.sleep(seconds * 1000L);
        }
        double rate = done.get() / ((System.nanoTime() - start) / 1e9);
        stop.set(true);
        for (Thread w : workers) {
          w.join();
        }
        return rate;
      }
    }
  }

  /**
   * One line per second of the counted window, then the share of seconds within +-5 % of their
   * mean: the 60-s stability figure of issue 11 for ONNX Runtime alone, so the machine's own drift
   * can be told apart from the bench's and the server's.
   */
  static void printIntervals(AtomicLong done, long start, int seconds) throws InterruptedException {
    double[] rates = new double[seconds];
    long before = done.get();
    long last = start;
    for (int i = 0; i < seconds; i++) {
      long due = start + (i + 1) * 1_000_000_000L;
      Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
      long now = System.nanoTime();
      long count = done.get();
      rates[i] = (count - before) / ((now - last) / 1e9);
      before = count;
      last = now;
      System.out.printf(Locale.ROOT, "second %d: %.0f inf/s%n", i + 1, rates[i]);
    }
    double mean = java.util.Arrays.stream(rates).average().orElse(0);
    double sq = java.util.Arrays.stream(rates).map(r -> (r - mean) * (r - mean)).sum();
    long within = java.util.Arrays.stream(rates).filter(r -> Math.abs(r - mean) <= 0.05 * mean).count();
    System.out.printf(Locale.ROOT, "stability: %.1f%% of %d intervals within +-5%% of %.0f inf/s (cv %.1f%%)%n",
        100.0 * within / seconds, seconds, mean, 100 * Math.sqrt(sq / seconds) / mean);
  }
}
