package dev.intentinference.train;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DataFormat;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.FirstFew;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.io.Hashes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The examples a head is trained on and the validation examples that stop training and choose
 * the out-of-scope threshold, with where they came from.
 *
 * <p>CLINC150 JSON: {@code train} trains ({@code oos_train} too, as an explicit {@code oos}
 * class, when asked and present), {@code val} + {@code oos_val} validate. Other formats: one file
 * trains; a {@code --val} file validates, or else a stratified slice of the training file is held
 * out. Out-of-scope training rows form a class only when asked and when there are at least two;
 * otherwise, without validation data, they join the held-out slice.
 *
 * <pre>{@code
 * TrainingData d = TrainingData.load(Path.of("data_full.json"), null, Columns.DEFAULT, false, 0.15, 42);
 * }</pre>
 *
 * @param train training examples; {@code oos} ones only when it is a class (see {@link #hasOosClass()})
 * @param validation validation examples, may include {@code oos}
 * @param labels training labels in logit order (sorted; {@code oos} last when it is a class)
 * @param sources how each part was obtained, e.g. {@code data_full.json#train}
 * @param dataSha256 SHA-256 of each input file, by file name
 */
public record TrainingData(
    List<LabeledText> train,
    List<LabeledText> validation,
    List<String> labels,
    Map<String, String> sources,
    Map<String, String> dataSha256) {

  public TrainingData {
    train = List.copyOf(train);
    validation = List.copyOf(validation);
    labels = List.copyOf(labels);
    sources = Map.copyOf(sources);
    dataSha256 = Map.copyOf(dataSha256);
  }

  /**
   * Reads and checks the data.
   *
   * @param data training file (CLINC150 .json, .csv, .tsv or .jsonl)
   * @param val validation file, or null
   * @param oosClass train an explicit {@code oos} class from out-of-scope training rows, if there
   *     are at least two
   * @param holdoutFraction share of each class held out for validation when there is no
   *     validation data, in (0, 0.5]
   * @param seed chooses the held-out examples
   */
  public static TrainingData load(
      Path data, Path val, Columns columns, boolean oosClass, double holdoutFraction, long seed) {
    DatasetReader reader = new DatasetReader(columns);
    Map<String, String> sources = new LinkedHashMap<>();
    Map<String, String> hashes = new TreeMap<>();
    List<LabeledText> train = new ArrayList<>();
    List<LabeledText> validation = new ArrayList<>();
    Map<String, List<LabeledText>> splits = reader.readSplits(data);
    hashes.put(data.getFileName().toString(), Hashes.sha256(data));
    String name = data.getFileName().toString();
    if (DataFormat.of(data) == DataFormat.CLINC_JSON) {
      train.addAll(required(splits, "train", data));
      sources.put("train", name + "#train");
      if (oosClass && splits.containsKey("oos_train")) {
        train.addAll(splits.get("oos_train"));
        sources.put("train", name + "#train+oos_train");
      }
      if (val == null) {
        validation.addAll(required(splits, "val", data));
        validation.addAll(splits.getOrDefault("oos_val", List.of()));
        sources.put("validation", name + (splits.containsKey("oos_val") ? "#val+oos_val" : "#val"));
      }
    } else {
      train.addAll(splits.get("all"));
      sources.put("train", name);
    }
    if (val != null && DataFormat.of(data) != DataFormat.CLINC_JSON && sameFile(data, val)) {
      // Chosen on texts the model learnt, the threshold sits far too high: a quarter of good
      // messages were rejected on test in the helper's run.
      throw new IntentException("--val " + val + " is the training file: the out-of-scope threshold would be chosen on "
          + "texts the model learnt; give held-out data, or leave --val out to hold out a slice of the training file");
    }
    if (val != null) {
      validation.addAll(reader.read(val, clincValidationSplits(val, reader)));
      hashes.put(val.getFileName().toString(), Hashes.sha256(val));
      sources.put("validation", val.getFileName().toString());
    }
    // Out-of-scope training rows are a class only when asked and when there are two to learn from;
    // otherwise, when no validation data is given, they join the held-out slice (they help choose
    // the threshold).
    List<LabeledText> oosRows = train.stream().filter(LabeledText::isOutOfScope).toList();
    List<LabeledText> spareOos = !oosClass || oosRows.size() < 2 ? oosRows : List.of();
    train.removeAll(spareOos);
    if (train.isEmpty()) {
      throw new IntentException(data + ": no in-scope training examples");
    }
    checkClassSizes(train, data);
    if (validation.isEmpty()) {
      Split split = holdOut(train, holdoutFraction, seed);
      train = split.train();
      validation.addAll(split.heldOut());
      validation.addAll(spareOos);
      sources.put("validation", "stratified " + Math.round(holdoutFraction * 100) + "% of " + sources.get("train")
          + " (seed " + seed + ")");
    }
    Set<String> trainLabels = new TreeSet<>();
    train.forEach(t -> trainLabels.add(t.intent()));
    checkValidationLabels(validation, trainLabels);
    List<String> labels = new ArrayList<>(trainLabels);
    if (labels.remove(LabeledText.OUT_OF_SCOPE)) {
      labels.add(LabeledText.OUT_OF_SCOPE);
    }
    if (labels.size() < 2) {
      throw new IntentException(data + ": need at least 2 intents to train, found " + labels);
    }
    return new TrainingData(train, validation, labels, sources, hashes);
  }

  /** Whether out-of-scope rows train an explicit {@code oos} class (the last label). */
  public boolean hasOosClass() {
    return labels.contains(LabeledText.OUT_OF_SCOPE);
  }

  private static String[] clincValidationSplits(Path val, DatasetReader reader) {
    if (DataFormat.of(val) != DataFormat.CLINC_JSON) {
      return new String[0];
    }
    Map<String, List<LabeledText>> splits = reader.readSplits(val);
    if (!splits.containsKey("val")) {
      return new String[0];
    }
    return splits.containsKey("oos_val") ? new String[] {"val", "oos_val"} : new String[] {"val"};
  }

  private static List<LabeledText> required(Map<String, List<LabeledText>> splits, String name, Path file) {
    List<LabeledText> split = splits.get(name);
    if (split == null) {
      throw new IntentException(file + ": no split '" + name + "' (has " + splits.keySet() + ")");
    }
    return split;
  }

  // The offending intents are named in one message: a user cleaning a public data set (ATIS has several
  // one-example intents) should not have to run the command once per row.
  private static void checkClassSizes(List<LabeledText> train, Path data) {
    List<LabeledText> lonely = byLabel(train).values().stream().filter(rows -> rows.size() < 2)
        .map(rows -> rows.get(0)).toList();
    if (lonely.size() == 1) {
      throw new IntentException(lonely.get(0).source() + ": intent '" + lonely.get(0).intent()
          + "' has only 1 training example; every intent needs at least 2");
    }
    if (!lonely.isEmpty()) {
      throw new IntentException(lonely.size() + " intents have only 1 training example ("
          + FirstFew.join(lonely.stream().map(t -> "'" + t.intent() + "' at " + t.source()).toList())
          + "); every intent needs at least 2");
    }
  }

  private static void checkValidationLabels(List<LabeledText> validation, Set<String> trainLabels) {
    Map<String, List<LabeledText>> unknown = byLabel(validation.stream()
        .filter(v -> !v.isOutOfScope() && !trainLabels.contains(v.intent())).toList());
    if (unknown.size() == 1) {
      List<LabeledText> rows = unknown.values().iterator().next();
      throw new IntentException(rows.get(0).source() + ": validation label '" + rows.get(0).intent()
          + "' does not occur in the training data" + (rows.size() > 1 ? " (" + rows.size() + " rows)" : ""));
    }
    if (!unknown.isEmpty()) {
      throw new IntentException(unknown.size() + " validation labels do not occur in the training data ("
          + FirstFew.join(unknown.values().stream().map(rows -> "'" + rows.get(0).intent() + "' at " + rows.get(0).source()
              + (rows.size() > 1 ? " (" + rows.size() + " rows)" : "")).toList())
          + "); drop those rows or add training examples for them");
    }
  }

  private static Map<String, List<LabeledText>> byLabel(List<LabeledText> rows) {
    Map<String, List<LabeledText>> byLabel = new TreeMap<>();
    for (LabeledText t : rows) {
      byLabel.computeIfAbsent(t.intent(), k -> new ArrayList<>()).add(t);
    }
    return byLabel;
  }

  private record Split(List<LabeledText> train, List<LabeledText> heldOut) {}

  private static boolean sameFile(Path a, Path b) {
    try {
      return java.nio.file.Files.isSameFile(a, b);
    } catch (java.io.IOException e) {
      return false; // the reader names a missing file
    }
  }

  /**
   * Holds out {@code fraction} of each class's distinct texts (at least one, never the last one).
   * Copies of a text stay together: a held-out copy of a text the model learnt made validation
   * look perfect, and the threshold chosen on it rejected a quarter of good messages. Without
   * copies this is a shuffle of the rows, as before.
   */
  static Split holdOut(List<LabeledText> rows, double fraction, long seed) {
    if (!(fraction > 0 && fraction <= 0.5)) {
      throw new IntentException("holdout fraction must be in (0, 0.5], was " + fraction);
    }
    Random random = new Random(seed);
    List<LabeledText> train = new ArrayList<>();
    List<LabeledText> heldOut = new ArrayList<>();
    for (List<LabeledText> group : byLabel(rows).values()) {
      Map<String, List<LabeledText>> byText = new LinkedHashMap<>();
      group.forEach(t -> byText.computeIfAbsent(t.text(), k -> new ArrayList<>()).add(t));
      List<List<LabeledText>> texts = new ArrayList<>(byText.values());
      Collections.shuffle(texts, random);
      int n = texts.size() < 2 ? 0 : Math.max(1, Math.min(texts.size() - 1, (int) Math.round(texts.size() * fraction)));
      texts.subList(0, n).forEach(heldOut::addAll);
      texts.subList(n, texts.size()).forEach(train::addAll);
    }
    return new Split(train, heldOut);
  }
}
