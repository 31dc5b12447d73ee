import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.onnx.OrtSessions;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.onnx.TokenTensors;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Thread CPU time of {@code OrtSession.run} for two artifacts on one thread (intra-op threads 1),
 * A and B interleaved in blocks of runs, so other load on the machine hits both alike; the
 * minimum per block is what other load can only raise. Run by scripts/perf/cputime-ab.sh.
 * With a CLINC150 JSON file as fifth argument it also runs the test split's texts shuffled into
 * batches of 8 and of 16, each padded to its longest text as the server's dynamic batches are,
 * and compares the CPU time of a whole pass over them (padding removal's ratio).
 *
 *   java -cp 'cli/target/lib/*' scripts/perf/CpuTimeAb.java A.intent B.intent [pairs] [runs-per-block] [data_full.json]
 */
public class CpuTimeAb {
  static final String ONE = "what is the current balance of my checking account please"; // 12 tokens with [CLS] and [SEP]
  static final List<String> SIXTEEN = List.of(
      "what is the balance of my checking account", "book me a flight to boston for tomorrow",
      "my card was stolen", "how do i change my pin", "will it rain today",
      "set an alarm for 7 am", "what's the exchange rate from dollars to euros", "play some jazz music",
      "i need to cancel my reservation at the italian place", "how many calories are in a banana",
      "tell me a fun fact", "what is my credit score", "transfer 200 dollars from savings to checking",
      "when is my next payday", "can you translate hello into spanish", "how long should i cook a turkey");

  record Side(String name, OrtSession session, TokenTensors one, TokenTensors sixteen, TextTokenizer tokenizer, boolean typeIds) {}

  public static void main(String[] args) throws Exception {
    int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int runs = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    Side a = open("A", Path.of(args[0]));
    Side b = open("B", Path.of(args[1]));
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (String shape : List.of("batch 1 (12 tokens)", "batch 16")) {
      boolean one = shape.startsWith("batch 1 ");
      for (Side s : List.of(a, b)) {
        block(mx, s, one, 50); // warm-up
      }
      double[] sumMed = new double[2];
      double[] sumMin = new double[2];
      System.out.println(shape + ": per block of " + runs + " runs, thread CPU time per run (us), median / minimum");
      for (int p = 0; p < pairs; p++) {
        long[] ta = block(mx, a, one, runs);
        long[] tb = block(mx, b, one, runs);
        sumMed[0] += median(ta);
        sumMed[1] += median(tb);
        sumMin[0] += ta[0];
        sumMin[1] += tb[0];
        System.out.printf(Locale.ROOT, "  pair %d: A %.0f / %.0f   B %.0f / %.0f   B/A median %.3f, minimum %.3f%n", p + 1,
            median(ta) / 1e3, ta[0] / 1e3, median(tb) / 1e3, tb[0] / 1e3, median(tb) / median(ta), (double) tb[0] / ta[0]);
      }
      System.out.printf(Locale.ROOT, "  summed over %d pairs: B/A median %.3f, minimum %.3f%n", pairs, sumMed[1] / sumMed[0], sumMin[1] / sumMin[0]);
    }
    if (args.length > 4) {
      List<String> texts = testTexts(Path.of(args[4]));
      for (int size : new int[] {8, 16}) {
        List<TokenTensors> ba = batches(a, texts, size);
        List<TokenTensors> bb = batches(b, texts, size);
        pass(mx, a, ba.subList(0, 20));
        pass(mx, b, bb.subList(0, 20));
        double[] sum = new double[2];
        double[] min = {Double.MAX_VALUE, Double.MAX_VALUE};
        System.out.println("CLINC150 test in batches of " + size + " (" + ba.size() + " batches, each padded to its longest): thread CPU time per text (us)");
        for (int p = 0; p < pairs; p++) {
          double ta = pass(mx, a, ba) / 1e3 / texts.size();
          double tb = pass(mx, b, bb) / 1e3 / texts.size();
          sum[0] += ta;
          sum[1] += tb;
          min[0] = Math.min(min[0], ta);
          min[1] = Math.min(min[1], tb);
          System.out.printf(Locale.ROOT, "  pair %d: A %.1f   B %.1f   B/A %.3f%n", p + 1, ta, tb, tb / ta);
        }
        System.out.printf(Locale.ROOT, "  summed over %d pairs: B/A %.3f; best pass B/A %.3f%n", pairs, sum[1] / sum[0], min[1] / min[0]);
      }
    }
  }

  static List<String> testTexts(Path clinc) throws Exception {
    var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(clinc.toFile());
    List<String> texts = new ArrayList<>();
    root.get("test").forEach(row -> texts.add(row.get(0).asText()));
    java.util.Collections.shuffle(texts, new java.util.Random(7));
    return texts;
  }

  static List<TokenTensors> batches(Side s, List<String> texts, int size) throws Exception {
    List<TokenTensors> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i += size) {
      out.add(TokenTensors.of(TokenBatch.pack(s.tokenizer().encodeAll(texts.subList(i, Math.min(texts.size(), i + size)))), s.typeIds()));
    }
    return out;
  }

  /** Thread CPU nanoseconds of one run over every batch. */
  static long pass(ThreadMXBean mx, Side s, List<TokenTensors> batches) throws Exception {
    long c0 = mx.getCurrentThreadCpuTime();
    for (TokenTensors t : batches) {
      try (OrtSession.Result r = s.session().run(t.inputs(), Set.of("probabilities"))) {
        // only the time counts
      }
    }
    return mx.getCurrentThreadCpuTime() - c0;
  }

  static Side open(String name, Path file) throws Exception {
    IntentArtifact art = IntentArtifact.read(file);
    OrtSession session = OrtSessions.create(art.entry(IntentArtifact.MODEL_ENTRY), new SessionSettings(1, 1, true));
    boolean typeIds = session.getInputNames().contains("token_type_ids");
    TextTokenizer tok = TextTokenizer.fromBytes(art.entry(IntentArtifact.TOKENIZER_ENTRY), art.manifest().maxLength());
    {
      TokenizedText t = tok.encode(ONE);
      List<TokenizedText> many = tok.encodeAll(SIXTEEN);
      System.out.println(name + " = " + file + " (batch 1: " + t.length() + " tokens; batch 16 padded to "
          + many.stream().mapToInt(TokenizedText::length).max().orElse(0) + ")");
      return new Side(name, session, TokenTensors.of(TokenBatch.pack(List.of(t)), typeIds), TokenTensors.of(TokenBatch.pack(many), typeIds), tok, typeIds);
    }
  }

  /** Sorted CPU nanoseconds of each run. */
  static long[] block(ThreadMXBean mx, Side s, boolean one, int runs) throws Exception {
    long[] t = new long[runs];
    var inputs = (one ? s.one() : s.sixteen()).inputs();
    for (int i = 0; i < runs; i++) {
      long c0 = mx.getCurrentThreadCpuTime();
      try (OrtSession.Result r = s.session().run(inputs, Set.of("probabilities"))) {
        t[i] = mx.getCurrentThreadCpuTime() - c0;
      }
    }
    Arrays.sort(t);
    return t;
  }

  static double median(long[] sorted) {
    return sorted[sorted.length / 2];
  }
}
