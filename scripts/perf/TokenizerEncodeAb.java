import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.intentinference.core.data.BuiltInDatasets;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.text.TextTokenizer;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Thread CPU time per text of the serving path's tokenizer ({@code TextTokenizer.encode}, B)
 * against DJL's own {@code HuggingFaceTokenizer.encode} with the same options (A), on the 4,500
 * CLINC150 test texts, A and B alternated in rounds so that other load hits both alike; thread
 * CPU time, not wall time, so a busy machine only adds noise. Run by scripts/perf/tokenizer-ab.sh.
 *
 *   java -cp 'cli/target/lib/*' scripts/perf/TokenizerEncodeAb.java [rounds]
 */
public class TokenizerEncodeAb {
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<String> texts = new DatasetReader(Columns.DEFAULT).readSplits(BuiltInDatasets.file(BuiltInDatasets.CLINC150))
        .get("test").stream().map(LabeledText::text).toList();
    byte[] json = ClasspathResources.readAll(EncoderRegistry.builtIn().get("all-minilm-l6-v2-q").tokenizerResource());
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    try (TextTokenizer ours = TextTokenizer.fromBytes(json, 512);
        HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
            Map.of("truncation", "true", "maxLength", "512", "padding", "false", "addSpecialTokens", "true"))) {
      long sink = 0;
      double sumA = 0;
      double sumB = 0;
      for (int r = 0; r <= rounds; r++) { // round 0 warms both up and is not counted
        long t0 = cpu.getCurrentThreadCpuTime();
        for (String t : texts) {
          Encoding e = djl.encode(t);
          sink += e.getIds().length + e.getTypeIds().length + (e.exceedMaxLength() ? 1 : 0);
        }
        long t1 = cpu.getCurrentThreadCpuTime();
        for (String t : texts) {
          var e = ours.encode(t);
          sink += e.ids().length + e.typeIds().length + (e.truncated() ? 1 : 0);
        }
        long t2 = cpu.getCurrentThreadCpuTime();
        double a = (t1 - t0) / 1e3 / texts.size();
        double b = (t2 - t1) / 1e3 / texts.size();
        if (r > 0) {
          sumA += a;
          sumB += b;
        }
        System.out.printf(Locale.ROOT, "round %d%s: A (DJL encode) %.2f us/text, B (TextTokenizer.encode) %.2f us/text%n",
            r, r == 0 ? " (warm-up)" : "", a, b);
      }
      System.out.printf(Locale.ROOT, "mean over %d rounds: A %.2f, B %.2f us/text: B/A %.3f (checksum %d)%n",
          rounds, sumA / rounds, sumB / rounds, sumB / sumA, sink);
    }
  }
}
