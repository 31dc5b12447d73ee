import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.text.TextTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * How long a data set's texts are in tokens of the served model's tokenizer (all-MiniLM-L6-v2,
 * special tokens included): count, longest, 99th percentile, and how many exceed 64 tokens (the
 * length training cut texts to until the thirty-third session; docs/accuracy.md). Any format
 * intent train reads; CLINC150 JSON counts all its splits.
 *
 * <pre>
 * java -cp 'cli/target/lib/*' scripts/data/TokenLengths.java banking77/train.csv banking77/test.csv
 * </pre>
 */
public class TokenLengths {
  public static void main(String[] args) {
    var spec = EncoderRegistry.builtIn().get("all-minilm-l6-v2");
    try (TextTokenizer tok = TextTokenizer.fromBytes(ClasspathResources.readAll(spec.tokenizerResource()), 512)) {
      for (String file : args) {
        List<LabeledText> rows = new DatasetReader(Columns.DEFAULT).read(Path.of(file));
        int[] lengths = tok.encodeAll(rows.stream().map(LabeledText::text).toList()).stream()
            .mapToInt(t -> t.length()).sorted().toArray();
        int n = lengths.length;
        System.out.printf("%s: %d texts, longest %d tokens, 99th percentile %d, over 64: %d%n", file, n,
            lengths[n - 1], lengths[(int) (0.99 * n)], Arrays.stream(lengths).filter(l -> l > 64).count());
      }
    }
  }
}
