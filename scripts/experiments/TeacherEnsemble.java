import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.train.TrainingData;
import dev.intentinference.train.finetune.FineTuner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether two models trained on the same data make a better teacher together: top-1 right on the
 * in-scope validation texts for each model and for their averaged probabilities (the experiment
 * patch teacher-ensemble.diff averages them the same way). The validation texts are the ones
 * {@code intent train} uses with seed 42: the data's own validation split, or its 15 % held out.
 *
 * <pre>
 * java -cp 'cli/target/lib/*' scripts/experiments/TeacherEnsemble.java DATA MODEL_A MODEL_B
 * </pre>
 */
public class TeacherEnsemble {
  public static void main(String[] args) throws Exception {
    TrainingData data = TrainingData.load(Path.of(args[0]), null, new Columns("text", "intent"), true,
        0.15, 42);
    List<String> labels = data.labels();
    List<String> texts = new ArrayList<>();
    List<Integer> gold = new ArrayList<>();
    for (LabeledText t : data.validation()) {
      int label = labels.indexOf(t.intent());
      if (label >= 0 && !t.isOutOfScope()) {
        texts.add(t.text());
        gold.add(label);
      }
    }
    LoadOptions load = new LoadOptions(new SessionSettings(1, 1, true), LoadOptions.DEFAULT_TOP_K, false);
    float[][] a = score(Path.of(args[1]), texts, load);
    float[][] b = score(Path.of(args[2]), texts, load);
    int rightA = 0;
    int rightB = 0;
    int rightBoth = 0;
    for (int i = 0; i < texts.size(); i++) {
      float[] sum = new float[labels.size()];
      for (int j = 0; j < sum.length; j++) {
        sum[j] = a[i][j] + b[i][j];
      }
      rightA += FineTuner.argMax(a[i]) == gold.get(i) ? 1 : 0;
      rightB += FineTuner.argMax(b[i]) == gold.get(i) ? 1 : 0;
      rightBoth += FineTuner.argMax(sum) == gold.get(i) ? 1 : 0;
    }
    System.out.printf("%d in-scope validation texts, top-1 right: A %d, B %d, A and B averaged %d%n",
        texts.size(), rightA, rightB, rightBoth);
  }

  private static float[][] score(Path model, List<String> texts, LoadOptions load) {
    try (IntentScorer scorer = ModelLoader.openScorer(model, load)) {
      return scorer.scoreAll(texts, 64);
    }
  }
}
