import dev.intentinference.core.data.Columns;
import dev.intentinference.train.TrainingData;
import dev.intentinference.train.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the validation rows {@code intent train} holds out of a file that has no validation
 * split, for a seed: one {@code text<TAB>intent} per line, whitespace collapsed. Run with the
 * build's classpath (scripts/data/distill-agreement.sh does).
 *
 * <pre>java -cp 'cli/target/lib/*' scripts/data/HeldOut.java train.csv 42 heldout.tsv</pre>
 */
public class HeldOut {
  public static void main(String[] args) throws Exception {
    TrainingData data = TrainingData.load(Path.of(args[0]), null, Columns.DEFAULT, true,
        TrainingOptions.DEFAULT_HOLDOUT_FRACTION, Long.parseLong(args[1]));
    List<String> rows = new ArrayList<>();
    data.validation().forEach(t -> rows.add(String.join(" ", t.text().trim().split("\\s+")) + "\t" + t.intent()));
    Files.write(Path.of(args[2]), rows);
    System.err.println(data.train().size() + " training rows, " + rows.size() + " held out");
  }
}
