package dev.intentinference.cli;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.BuiltInDatasets;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.model.ClassifierHead;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.train.EvalReport;
import dev.intentinference.train.HeadConfig;
import dev.intentinference.train.HeadTrainer;
import dev.intentinference.train.IntentTrainer;
import dev.intentinference.train.TrainingListener;
import dev.intentinference.train.TrainingOptions;
import dev.intentinference.train.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code intent train}: labelled utterances in, model directory out. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train an intent model from labelled utterances.",
      "",
      "Embeds the data with frozen encoder(s), trains a classification head with early stopping on "
          + "validation data, chooses the out-of-scope threshold on validation data only and writes a "
          + "model directory (manifest.json, head.safetensors, tokenizer.json) atomically.",
      "Data: CLINC150 .json (train trains, val+oos_val validate; oos_train only with --oos-class), "
          + ".csv/.tsv with a header, or .jsonl. Without validation data a stratified slice is held out.",
      ""
    },
    footer = {"", "Examples:", "  intent train --data data_full.json --out models/clinc150",
        "  intent train --data data_full.json --out models/clinc150-accurate --encoder bge-small-en-v1.5-q,all-minilm-l6-v2-q"})
public final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "FILE", description = "Training data (.json CLINC150, .csv, .tsv, .jsonl), or clinc150 for the CLINC150 Full copy shipped with intent.")
  Path data;

  @Option(names = "--val", paramLabel = "FILE", description = "Validation data; rows labelled 'oos' help choose the threshold.")
  Path val;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to create (must not exist or be empty).")
  Path out;

  @Option(names = "--encoder", split = ",", paramLabel = "ID",
      description = "Encoder id(s): bge-small-en-v1.5-q, bge-small-en-v1.5, all-minilm-l6-v2-q, all-minilm-l6-v2, each "
          + "optionally cut to hidden states with @LAST or @FIRST-LAST (0 = embedding output; those states are "
          + "mean- or CLS-pooled and concatenated). Several (comma-separated) have their embeddings concatenated. "
          + "Default: ${DEFAULT-VALUE}.")
  List<String> encoders = TrainingOptions.DEFAULT_ENCODERS;

  @Option(names = "--text-column", paramLabel = "NAME", description = "Text column/field for CSV/TSV/JSONL. Default: ${DEFAULT-VALUE}.")
  String textColumn = Columns.DEFAULT.text();

  @Option(names = "--label-column", paramLabel = "NAME", description = "Label column/field for CSV/TSV/JSONL. Default: ${DEFAULT-VALUE}.")
  String labelColumn = Columns.DEFAULT.label();

  @Option(names = "--oos-class", description = "Train an explicit 'oos' class from out-of-scope training rows (CLINC150: oos_train).")
  boolean oosClass;

  @Option(names = "--seed", paramLabel = "N", description = "Seeds initialisation, shuffling, dropout and the held-out slice. Default: ${DEFAULT-VALUE}.")
  long seed = HeadConfig.DEFAULT_SEED;

  @Option(names = "--epochs", paramLabel = "N", description = "Maximum epochs, 1..1000. Default: ${DEFAULT-VALUE}.")
  int epochs = HeadConfig.DEFAULT_MAX_EPOCHS;

  @Option(names = "--patience", paramLabel = "N", description = "Stop after N epochs without better validation accuracy. Default: ${DEFAULT-VALUE}.")
  int patience = HeadConfig.DEFAULT_PATIENCE;

  @Option(names = "--hidden-units", paramLabel = "N", description = "Hidden ReLU units; 0 = softmax regression. Default: ${DEFAULT-VALUE}.")
  int hiddenUnits = HeadConfig.DEFAULT_HIDDEN_UNITS;

  @Option(names = "--batch-size", paramLabel = "N", description = "Examples per gradient step. Default: ${DEFAULT-VALUE}.")
  int batchSize = HeadConfig.DEFAULT_BATCH_SIZE;

  @Option(names = "--learning-rate", paramLabel = "LR", description = "AdamW learning rate, (0, 1]. Default: ${DEFAULT-VALUE}.")
  double learningRate = HeadConfig.DEFAULT_LEARNING_RATE;

  @Option(names = "--weight-decay", paramLabel = "WD", description = "Decoupled weight decay, [0, 1). Default: ${DEFAULT-VALUE}.")
  double weightDecay = HeadConfig.DEFAULT_WEIGHT_DECAY;

  @Option(names = "--dropout", paramLabel = "P", description = "Hidden-unit dropout (MLP only), [0, 0.9]. Default: ${DEFAULT-VALUE}.")
  double dropout = HeadConfig.DEFAULT_DROPOUT;

  @Option(names = "--label-smoothing", paramLabel = "E", description = "Label smoothing, [0, 0.5]. Default: ${DEFAULT-VALUE}.")
  double labelSmoothing = HeadConfig.DEFAULT_LABEL_SMOOTHING;

  @Option(names = "--temperature", paramLabel = "T", description = "Softmax temperature folded into the head, (0, 100]. Default: ${DEFAULT-VALUE}.")
  double temperature = TrainingOptions.DEFAULT_TEMPERATURE;

  @Option(names = "--holdout", paramLabel = "FRACTION",
      description = "Share of each intent held out for validation when there is no validation data, (0, 0.5]. Default: ${DEFAULT-VALUE}.")
  double holdout = TrainingOptions.DEFAULT_HOLDOUT_FRACTION;

  @Option(names = "--name", description = "Model name in the manifest. Default: the output directory's name.")
  String name;

  @Option(names = "--model-version", paramLabel = "V", description = "Model version in the manifest. Default: ${DEFAULT-VALUE}.")
  String modelVersion = "1";

  @Option(names = "--threads", paramLabel = "N", description = "Threads for embedding (ONNX Runtime) and head training. Default: all cores (${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--quiet", description = "No progress bars.")
  boolean quiet;

  @Override
  public Integer call() {
    TrainingOptions options = options();
    PrintWriter out = spec.commandLine().getOut();
    TrainingResult r = new IntentTrainer().train(options, new TrainingProgressBars(new ProgressBars(quiet)));
    EvalReport v = r.validation();
    out.printf(Locale.ROOT, "model: %s (%d intents, encoders %s, head %s)%n", r.directory(), r.manifest().labels().size(),
        String.join("+", options.encoders()), describe(r.head()));
    out.printf(Locale.ROOT, "threshold: %.4f (%s)%n", r.manifest().threshold().value(), r.manifest().threshold().method());
    if (r.manifest().threshold().note() != null) {
      out.println("note: " + r.manifest().threshold().note());
    }
    out.printf(Locale.ROOT, "validation: in-scope accuracy %s, out-of-scope recall %s, precision %s, macro-F1 %s%n",
        Format.pct(v.inScopeAccuracy()), Format.pct(v.oosRecall()), Format.pct(v.oosPrecision()), Format.pct(v.macroF1()));
    out.printf(Locale.ROOT, "embedding: %d texts x %d encoder(s) in %.1f s (%.0f texts/s)%n",
        r.embeddedTexts(), options.encoders().size(), r.embeddingSeconds(), r.textsPerSecond());
    out.printf(Locale.ROOT, "head training: %.1f s (%s epochs, best %s)%n", r.headSeconds(),
        r.manifest().training().get("epochs_run"), r.manifest().training().get("best_epoch"));
    out.printf(Locale.ROOT, "total: %.1f s%n", r.totalSeconds());
    return 0;
  }

  private static String describe(ClassifierHead head) {
    StringBuilder s = new StringBuilder(head.layers().size() == 1 ? "softmax regression " : "MLP ");
    s.append(head.inputs());
    head.layers().forEach(l -> s.append("->").append(l.outputs()));
    return s.toString();
  }

  TrainingOptions options() {
    HeadConfig head;
    TrainingOptions o;
    try {
      head = new HeadConfig(hiddenUnits, epochs, patience, batchSize, learningRate, weightDecay, dropout, labelSmoothing, seed);
      o = TrainingOptions.defaults(BuiltInDatasets.resolve(data), out)
          .withValidation(BuiltInDatasets.resolve(val))
          .withEncoders(encoders)
          .withHead(head)
          .withTemperature(temperature)
          .withOosClass(oosClass)
          .withColumns(new Columns(textColumn, labelColumn))
          .withHoldoutFraction(holdout)
          .withSession(new SessionSettings(threads, 1, true))
          .withToolVersion(new VersionProvider().getVersion()[0]);
      if (name != null) {
        o = o.withNameAndVersion(name, modelVersion);
      } else {
        o = o.withNameAndVersion(o.name(), modelVersion);
      }
    } catch (IllegalArgumentException e) {
      throw new IntentException("invalid option: " + e.getMessage(), e);
    }
    return o;
  }
}
