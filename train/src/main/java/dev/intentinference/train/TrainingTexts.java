package dev.intentinference.train;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.LabeledText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The data as the fine-tuned networks take it: texts and label indices. The networks' per-epoch
 * validation sees the in-scope rows; out-of-scope ones only choose the threshold, even when
 * {@code oos} is a class.
 *
 * @param train the training texts, with {@code trainLabels}
 * @param validationKnown the in-scope validation texts with a trained label, with {@code validationLabels}
 * @param validation every validation text, in the data's order
 * @param extra the training texts' variants, with {@code extraLabels}, their source texts' labels:
 *     the model learns the variants from the teacher alone (their rows after {@link #labelled()}
 *     give the labels no weight), since an edit can change what a text asks
 */
record TrainingTexts(List<String> train, int[] trainLabels, List<String> validationKnown, int[] validationLabels,
    List<String> validation, List<String> extra, int[] extraLabels) {
  static TrainingTexts of(TrainingData data) {
    Map<String, Integer> index = labelIndex(data);
    List<LabeledText> known = data.validation().stream().filter(v -> isKnown(v, index)).toList();
    if (known.isEmpty()) {
      throw new IntentException("validation data has no in-scope examples; give --val with labelled intents");
    }
    return new TrainingTexts(data.train().stream().map(LabeledText::text).toList(),
        data.train().stream().mapToInt(t -> index.get(t.intent())).toArray(),
        known.stream().map(LabeledText::text).toList(),
        known.stream().mapToInt(t -> index.get(t.intent())).toArray(),
        data.validation().stream().map(LabeledText::text).toList(), List.of(), new int[0]);
  }

  /** The training texts followed by their variants: what the model learns from, with the teacher. */
  List<String> modelTrain() {
    List<String> all = new ArrayList<>(train);
    all.addAll(extra);
    return all;
  }

  int[] modelTrainLabels() {
    int[] all = Arrays.copyOf(trainLabels, trainLabels.length + extraLabels.length);
    System.arraycopy(extraLabels, 0, all, trainLabels.length, extraLabels.length);
    return all;
  }

  /**
   * Rows the model learns from with their labels: the training texts. Their variants learn from the
   * teacher alone, since an edit can change what a text asks (on CLINC150 the two ways measured
   * the same: 2977 vs 2976 validation queries right, docs/accuracy.md).
   */
  int labelled() {
    return train.size();
  }

  TrainingTexts augmented(List<TextAugmenter.Variant> variants) {
    return new TrainingTexts(train, trainLabels, validationKnown, validationLabels, validation,
        variants.stream().map(TextAugmenter.Variant::text).toList(),
        variants.stream().mapToInt(v -> trainLabels[v.source()]).toArray());
  }

  static Map<String, Integer> labelIndex(TrainingData data) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < data.labels().size(); i++) {
      index.put(data.labels().get(i), i);
    }
    return index;
  }

  /** Whether a validation query is one of {@code validationKnown}: in scope, with a trained label. */
  static boolean isKnown(LabeledText v, Map<String, Integer> labelIndex) {
    return !v.isOutOfScope() && labelIndex.containsKey(v.intent());
  }
}
