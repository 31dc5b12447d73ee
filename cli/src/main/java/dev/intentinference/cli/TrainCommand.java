package dev.intentinference.cli;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.CascadeInfo;
import dev.intentinference.core.model.ModelNames;
import dev.intentinference.core.data.BuiltInDatasets;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.model.ClassifierHead;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.train.EvalReport;
import dev.intentinference.train.FineTuneTrainer;
import dev.intentinference.train.FineTuning;
import dev.intentinference.train.finetune.FineTuneConfig;
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
import picocli.CommandLine;
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
      "By default fine-tunes the encoder's weights together with a linear head, end to end on the CPU "
          + "(PyTorch through DJL, offline): first a teacher (--teacher, the 12-layer bge-small-en-v1.5, 2 epochs, its lower 6 "
          + "layers kept as shipped), then "
          + "the served model (--encoder, the first 3 layers of all-MiniLM-L6-v2, 3 epochs, its first layer kept as "
          + "shipped), which learns from the labels "
          + "and from the teacher's softened probabilities on the training texts and on one variant of each (--augment): "
          + "about 10 minutes on CLINC150 with 2 cores (the fifth session's recipe in the examples: about 8, a little "
          + "less accurate). Smaller data sets get more epochs, so each network sees as many examples as on CLINC150 "
          + "(see --epochs). The model directory then also "
          + "holds encoder.onnx: the shipped fp32 graph with the trained weights (compile --precision int8 quantizes it). "
          + "docs/fine-tuning.md describes the recipe.",
      "With --frozen: the quick recipe. Embeds the data with frozen encoder(s) and trains a classification "
          + "head with early stopping on validation data.",
      "Either way the out-of-scope threshold is chosen on validation data only and the model directory "
          + "(manifest.json, head.safetensors, tokenizer.json) is written atomically: Ctrl-C leaves nothing.",
      "Data: CLINC150 .json (train trains, val+oos_val validate; oos_train trains an explicit oos class when "
          + "fine-tuning, see --oos-class), .csv/.tsv with a header, or .jsonl (rows labelled oos are out of scope). "
          + "Without validation data a stratified slice is held out.",
      ""
    },
    footer = {"", "Examples:", "  intent train --data clinc150 --out models-src/clinc150",
        "  intent train --data clinc150 --out models-src/clinc150-8min --teacher all-minilm-l6-v2 --teacher-learning-rate 1e-4 "
            + "--teacher-freeze-layers 0 --augment 0 --batch-size 32 --learning-rate 1e-4 --head-learning-rate 2e-3   # the fifth session's default",
        "  intent train --data clinc150 --out models-src/clinc150-b32 --batch-size 32 --learning-rate 1e-4 --head-learning-rate 2e-3 "
            + "--teacher-learning-rate 3e-5   # the default before batches of 64",
        "  intent train --data clinc150 --out models-src/clinc150-19min --teacher-freeze-layers 0   # the whole teacher trains",
        "  intent train --data intents.csv --out models-src/support --teacher none --epochs 4",
        "  intent train --data clinc150 --out models-src/bge --encoder bge-small-en-v1.5 --teacher none --learning-rate 3e-5 "
            + "--batch-size 32 --epochs 2",
        "  intent train --data clinc150 --out models-src/clinc150-from-bge --teacher models-src/bge   # reuse a teacher",
        "  intent train --data clinc150 --out models-src/clinc150-l4 --teacher models-src/bge --encoder all-minilm-l6-v2@0-4 "
            + "--ffn-width 768   # 4 narrower layers",
        "  intent train --data clinc150 --out models-src/clinc150-spread --start-layers 0,3,5   # 3 layers started from 6 spread ones",
        "  intent train --data clinc150 --out models-src/clinc150-quick --frozen",
        "  intent train --data clinc150 --out models-src/clinc150-accurate --frozen --encoder bge-small-en-v1.5-q,all-minilm-l6-v2-q"})
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
          + "mean- or CLS-pooled and concatenated). Several (comma-separated) have their embeddings concatenated "
          + "(--frozen only; fine-tuning trains one fp32 encoder). "
          + "Default: " + FineTuning.DEFAULT_MODEL_ENCODER + ", with --frozen all-minilm-l6-v2-q@0-3.")
  List<String> encoders;

  @Option(names = "--frozen", description = "The quick recipe: train only a head on frozen encoder features (about 80 s on CLINC150).")
  boolean frozen;

  @Option(names = "--teacher", paramLabel = "ID|DIR|none",
      description = "Fine-tuning: encoder of the teacher trained first and distilled into the model; or a model directory "
          + "trained before (same labels), whose probabilities teach without training it again; or none. "
          + "Default: ${DEFAULT-VALUE}.")
  String teacher = FineTuning.DEFAULT_TEACHER;

  @Option(names = "--keep-teacher", paramLabel = "DIR",
      description = "Fine-tuning: also write the teacher this run trains as a model directory of its own (a new directory), "
          + "to answer the messages the model is unsure of: intent eval|predict --fallback DIR.")
  Path keepTeacher;

  @Option(names = "--teacher-epochs", paramLabel = "N", description = "Fine-tuning: the teacher's epochs, 1..100. Default: "
      + FineTuning.DEFAULT_TEACHER_EPOCHS + ", or more so that it sees at least " + FineTuneConfig.MIN_EXAMPLES_LABELLED
      + " examples.")
  Integer teacherEpochs;

  @Option(names = "--teacher-batch-size", paramLabel = "N", description = "Fine-tuning: the teacher's texts per step,"
      + " 1.." + FineTuneConfig.MAX_BATCH_SIZE + ". Default: --batch-size (with its own, the small-data floor keeps the same number of texts).")
  Integer teacherBatchSize;

  @Option(names = "--teacher-learning-rate", paramLabel = "LR", description = "Fine-tuning: the teacher's peak AdamW rate"
      + " for its encoder, (0, 1]. Default: " + FineTuning.DEFAULT_TEACHER_LEARNING_RATE + " (the 12-layer bge-small-en-v1.5"
      + " diverged at 1e-4).")
  Double teacherLearningRate;

  @Option(names = "--teacher-freeze-layers", paramLabel = "N", description = "Fine-tuning: the teacher's embeddings and first N"
      + " layers stay as shipped; their output is computed once per text, so each step runs and trains only the layers"
      + " above, 0..48. Default: half the teacher's layers (6 of bge-small-en-v1.5's 12).")
  Integer teacherFreezeLayers;

  @Option(names = "--freeze-layers", paramLabel = "N", description = "Fine-tuning: the same for the model, 0..48 (states"
      + " below the fixed part that the model pools are kept pooled). Default: " + FineTuning.DEFAULT_MODEL_FROZEN_LAYERS
      + " with a teacher (the first of the default model's 3 layers), 0 with --teacher none.")
  Integer freezeLayers;

  @Option(names = "--ffn-width", paramLabel = "N", description = "Fine-tuning: the model's trained layers keep the N"
      + " feed-forward units with the largest weights (its fixed layers keep all), so a model with more layers can cost"
      + " what one with fewer does: all-MiniLM-L6-v2 has 1536 per layer, and its 4 layers with 768 in the upper three"
      + " multiply as much per token as its 3 whole ones. 1.." + FineTuning.MAX_FEED_FORWARD_WIDTH + ". Default: every unit.")
  Integer ffnWidth;

  @Option(names = "--start-layers", split = ",", paramLabel = "L,L,...", description = "Fine-tuning: the shipped"
      + " encoder's layers (0-based) the model's layers start from, one for each layer it runs, in order, e.g. 0,3,5"
      + " for the first, a middle and the last of all-MiniLM-L6-v2's six. Default: its first layers (0,1,2 for"
      + " all-minilm-l6-v2@0-3).")
  List<Integer> startLayers;

  @Option(names = "--distill-temperature", paramLabel = "T", description = "Fine-tuning: distillation temperature, (0, 100]. Default: ${DEFAULT-VALUE}.")
  double distillTemperature = FineTuning.DEFAULT_DISTILL_TEMPERATURE;

  @Option(names = "--distill-weight", paramLabel = "W", description = "Fine-tuning: share of the model's loss from the teacher, [0, 1]. Default: ${DEFAULT-VALUE}.")
  double distillWeight = FineTuning.DEFAULT_DISTILL_WEIGHT;

  @Option(names = "--augment", paramLabel = "N", description = "Fine-tuning with a teacher: variants of each training text"
      + " (a word deleted, two swapped, or one of the same intent's words inserted) that the teacher labels for the model"
      + " to learn from as well, 0.." + FineTuning.MAX_AUGMENT + "; each copy adds the training set's length to every epoch."
      + " Default: " + FineTuning.DEFAULT_AUGMENT + " with a teacher.")
  Integer augment;

  @Option(names = "--head-learning-rate", paramLabel = "LR", description = "Fine-tuning: peak AdamW rate of the head, (0, 1]. Default: ${DEFAULT-VALUE}.")
  double headLearningRate = FineTuneConfig.DEFAULT_HEAD_LEARNING_RATE;

  @Option(names = "--max-tokens", paramLabel = "N", description = "Fine-tuning: texts are cut to N tokens while training (not when serving), 8..512, or 0 for whole texts. "
      + "Default: whole texts, as served (up to the encoder's limit: 256 tokens for all-MiniLM-L6-v2, 512 for bge-small); "
      + "batches of long texts run in several passes, so memory does not grow with them.")
  int maxTokens = FineTuning.DEFAULT_MAX_TOKENS;

  @Option(names = "--memory-limit", paramLabel = "SIZE", description = "Fine-tuning: refuse to start when the memory estimate exceeds SIZE (e.g. 2G, 512M). Default: the machine's memory.")
  String memoryLimit;

  @Option(names = "--text-column", paramLabel = "NAME", description = "Text column/field for CSV/TSV/JSONL. Default: ${DEFAULT-VALUE}.")
  String textColumn = Columns.DEFAULT.text();

  @Option(names = "--label-column", paramLabel = "NAME", description = "Label column/field for CSV/TSV/JSONL. Default: ${DEFAULT-VALUE}.")
  String labelColumn = Columns.DEFAULT.label();

  @Option(names = "--oos-class", negatable = true, description = "Train an explicit 'oos' class from out-of-scope training "
      + "rows (CLINC150: oos_train; other formats: rows labelled oos), when there are at least two. Default: on when "
      + "fine-tuning, off with --frozen. --no-oos-class leaves them to validation (or out).")
  Boolean oosClass;

  @Option(names = "--seed", paramLabel = "N", description = "Seeds initialisation, shuffling, dropout and the held-out slice. Default: ${DEFAULT-VALUE}.")
  long seed = HeadConfig.DEFAULT_SEED;

  @Option(names = "--epochs", paramLabel = "N", description = "Epochs (with --frozen the most epochs). Default: "
      + FineTuneConfig.DEFAULT_EPOCHS + ", or more on data smaller than CLINC150 so that the model sees at least "
      + FineTuneConfig.MIN_EXAMPLES_DISTILLED + " examples (" + FineTuneConfig.MIN_EXAMPLES_LABELLED
      + " without a teacher; at most " + FineTuneConfig.MAX_EPOCHS_FOR_MIN_STEPS + " epochs); with --frozen " + HeadConfig.DEFAULT_MAX_EPOCHS + ".")
  Integer epochs;

  @Option(names = "--patience", paramLabel = "N", description = "--frozen: stop after N epochs without better validation accuracy. Default: ${DEFAULT-VALUE}.")
  int patience = HeadConfig.DEFAULT_PATIENCE;

  @Option(names = "--hidden-units", paramLabel = "N", description = "--frozen: hidden ReLU units; 0 = softmax regression. Default: ${DEFAULT-VALUE}.")
  int hiddenUnits = HeadConfig.DEFAULT_HIDDEN_UNITS;

  @Option(names = "--batch-size", paramLabel = "N", description = "Examples per gradient step. Default: "
      + FineTuneConfig.DEFAULT_BATCH_SIZE + ", with --frozen " + HeadConfig.DEFAULT_BATCH_SIZE + ".")
  Integer batchSize;

  @Option(names = "--learning-rate", paramLabel = "LR", description = "Peak AdamW learning rate (fine-tuning: of the encoder), (0, 1]. Default: "
      + FineTuneConfig.DEFAULT_ENCODER_LEARNING_RATE + ", with --frozen " + HeadConfig.DEFAULT_LEARNING_RATE + ".")
  Double learningRate;

  @Option(names = "--weight-decay", paramLabel = "WD", description = "Decoupled weight decay, [0, 1). Default: "
      + FineTuneConfig.DEFAULT_WEIGHT_DECAY + ", with --frozen " + HeadConfig.DEFAULT_WEIGHT_DECAY + ".")
  Double weightDecay;

  @Option(names = "--dropout", paramLabel = "P", description = "Dropout (fine-tuning: BERT's; --frozen: the MLP's hidden units), [0, 0.9]. Default: "
      + FineTuneConfig.DEFAULT_DROPOUT + ", with --frozen " + HeadConfig.DEFAULT_DROPOUT + ".")
  Double dropout;

  @Option(names = "--label-smoothing", paramLabel = "E", description = "Label smoothing, [0, 0.5]. Default: "
      + FineTuneConfig.DEFAULT_LABEL_SMOOTHING + ", with --frozen " + HeadConfig.DEFAULT_LABEL_SMOOTHING + ".")
  Double labelSmoothing;

  @Option(names = "--temperature", paramLabel = "T", description = "--frozen: softmax temperature folded into the head, (0, 100]. Default: ${DEFAULT-VALUE}.")
  double temperature = TrainingOptions.DEFAULT_TEMPERATURE;

  @Option(names = "--holdout", paramLabel = "FRACTION",
      description = "Share of each intent held out for validation when there is no validation data, (0, 0.5]. Default: ${DEFAULT-VALUE}.")
  double holdout = TrainingOptions.DEFAULT_HOLDOUT_FRACTION;

  @Option(names = "--name", description = "Model name in the manifest. Default: the output directory's name.")
  String name;

  @Option(names = "--model-version", paramLabel = "V", description = "Model version in the manifest. Default: ${DEFAULT-VALUE}.")
  String modelVersion = "1";

  @Option(names = "--threads", paramLabel = "N", description = "Threads for fine-tuning (PyTorch), embedding (ONNX Runtime) and head training. Default: all cores (${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--quiet", description = "No progress bars.")
  boolean quiet;

  @Override
  public Integer call() {
    TrainingOptions options = options();
    PrintWriter out = spec.commandLine().getOut();
    TrainingListener bars = new TrainingProgressBars(new ProgressBars(quiet));
    if (frozen && keepTeacher != null) {
      throw new IntentException("--keep-teacher needs fine-tuning with a teacher; --frozen trains none");
    }
    TrainingResult r = frozen ? new IntentTrainer().train(options, bars)
        : new FineTuneTrainer(fineTuning(), keepTeacher).train(options, bars);
    EvalReport v = r.validation();
    List<String> labels = r.manifest().labels();
    boolean oos = labels.contains(LabeledText.OUT_OF_SCOPE);
    out.printf(Locale.ROOT, "model: %s (%d intents%s, encoders %s, head %s)%n", r.directory(), labels.size() - (oos ? 1 : 0),
        oos ? " and an oos class" : "", String.join("+", options.encoders()), describe(r.head()));
    out.printf(Locale.ROOT, "threshold: %.4f (%s)%n", r.manifest().threshold().value(), r.manifest().threshold().method());
    if (r.manifest().threshold().note() != null) {
      out.println("note: " + r.manifest().threshold().note());
    }
    out.printf(Locale.ROOT, "validation: in-scope accuracy %s, out-of-scope recall %s, precision %s, macro-F1 %s%n",
        Format.pct(v.inScopeAccuracy()), Format.pct(v.oosRecall()), Format.pct(v.oosPrecision()), Format.pct(v.macroF1()));
    if (frozen) {
      out.printf(Locale.ROOT, "embedding: %d texts x %d encoder(s) in %.1f s (%.0f texts/s)%n",
          r.embeddedTexts(), options.encoders().size(), r.embeddingSeconds(), r.textsPerSecond());
      out.printf(Locale.ROOT, "head training: %.1f s (%s epochs, best %s)%n", r.headSeconds(),
          r.manifest().training().get("epochs_run"), r.manifest().training().get("best_epoch"));
    } else {
      Object teacher = r.manifest().training().get("teacher");
      out.printf(Locale.ROOT, "fine-tuning: %d texts, model %.1f s%s%n", r.embeddedTexts(), r.headSeconds(),
          teacher instanceof java.util.Map<?, ?> t && t.get("seconds") instanceof Number secs
              ? String.format(Locale.ROOT, ", teacher %.1f s", secs.doubleValue()) : "");
      if (r.manifest().training().get("sizes") instanceof java.util.Map<?, ?> sizes && sizes.get("texts_cut") instanceof Number cut
          && cut.intValue() > 0 && r.manifest().training().get("recipe") instanceof java.util.Map<?, ?> recipe) {
        out.printf(Locale.ROOT, "note: %d training texts are longer than %s tokens and were cut there%n", cut.intValue(),
            recipe.get("max_tokens"));
      }
      if (teacher instanceof java.util.Map<?, ?> t && t.get("agreement") instanceof java.util.Map<?, ?> a) {
        out.printf(Locale.ROOT, "picks the teacher's intent: %s of %s training texts, %s of %s validation texts%n",
            share(a.get("training")), a.get("training_texts"), share(a.get("validation")), a.get("validation_texts"));
      }
      if (keepTeacher != null) {
        out.printf(Locale.ROOT, "teacher: %s (intent eval --model %s --fallback %s)%n", keepTeacher, r.directory(), keepTeacher);
      }
      if (r.manifest().training().get(CascadeInfo.KEY) instanceof java.util.Map<?, ?> c) {
        out.printf(Locale.ROOT, "as a cascade with %s behind it: escalate below %s, chosen on validation (%s of %s right, %s escalated;"
            + " intent compile --fallback takes it)%n", c.get("fallback"), c.get("escalate_below"), c.get("validation_right"),
            c.get("validation_queries"), c.get("validation_escalated"));
      }
    }
    out.printf(Locale.ROOT, "total: %.1f s%n", r.totalSeconds());
    return 0;
  }

  /** A share from the manifest, or n/a where it has none (no validation texts in scope). */
  private static String share(Object value) {
    return Format.pct(value instanceof Number n ? n.doubleValue() : Double.NaN);
  }

  private static String describe(ClassifierHead head) {
    StringBuilder s = new StringBuilder(head.layers().size() == 1 ? "softmax regression " : "MLP ");
    s.append(head.inputs());
    head.layers().forEach(l -> s.append("->").append(l.outputs()));
    return s.toString();
  }

  /** Options only fine-tuning reads, and options only the frozen recipe reads: silently ignoring one would mislead. */
  private static final List<String> FINE_TUNING_ONLY = List.of("--teacher", "--teacher-epochs", "--teacher-batch-size",
      "--teacher-learning-rate", "--teacher-freeze-layers", "--freeze-layers", "--distill-temperature", "--distill-weight",
      "--augment", "--head-learning-rate", "--max-tokens", "--memory-limit");
  private static final List<String> FROZEN_ONLY = List.of("--patience", "--hidden-units", "--temperature");

  private void refuseOptionsOfTheOtherRecipe() {
    CommandLine.ParseResult given = spec.commandLine().getParseResult();
    if (given == null) {
      return;
    }
    for (String option : frozen ? FINE_TUNING_ONLY : FROZEN_ONLY) {
      if (given.hasMatchedOption(option)) {
        throw new IntentException(frozen ? option + " is for fine-tuning; --frozen trains no encoder (drop one of the two)"
            : option + " is for the frozen recipe only; add --frozen or drop it");
      }
    }
  }

  TrainingOptions options() {
    if (name != null) {
      ModelNames.check("--name", name);
    }
    ModelNames.check("--model-version", modelVersion);
    if (frozen && startLayers != null) {
      throw new IntentException("--start-layers chooses where fine-tuned layers start; --frozen trains none (drop one of the two)");
    }
    if (frozen && ffnWidth != null) {
      throw new IntentException("--ffn-width cuts layers that fine-tuning trains; --frozen trains none (drop one of the two)");
    }
    refuseOptionsOfTheOtherRecipe();
    HeadConfig head;
    TrainingOptions o;
    try {
      head = new HeadConfig(hiddenUnits, or(epochs, HeadConfig.DEFAULT_MAX_EPOCHS), patience,
          or(batchSize, HeadConfig.DEFAULT_BATCH_SIZE), or(learningRate, HeadConfig.DEFAULT_LEARNING_RATE),
          or(weightDecay, HeadConfig.DEFAULT_WEIGHT_DECAY), or(dropout, HeadConfig.DEFAULT_DROPOUT),
          or(labelSmoothing, HeadConfig.DEFAULT_LABEL_SMOOTHING), seed);
      List<String> ids = encoders != null ? encoders
          : frozen ? TrainingOptions.DEFAULT_ENCODERS : List.of(FineTuning.DEFAULT_MODEL_ENCODER);
      o = TrainingOptions.defaults(BuiltInDatasets.resolve(data), out)
          .withValidation(BuiltInDatasets.resolve(val))
          .withEncoders(ids)
          .withHead(head)
          .withTemperature(temperature)
          .withOosClass(oosClass != null ? oosClass : !frozen && FineTuning.DEFAULT_OOS_CLASS)
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
      throw new IntentException("invalid option: " + OptionNames.flagged(e.getMessage()), e);
    }
    return o;
  }

  /**
   * The fine-tuning recipe from the options; the teacher shares the model's options but its epochs,
   * rate, fixed layers and, if given, batch.
   */
  FineTuning fineTuning() {
    try {
      layerCount("--freeze-layers", freezeLayers);
      layerCount("--teacher-freeze-layers", teacherFreezeLayers);
      if (ffnWidth != null && (ffnWidth < 1 || ffnWidth > FineTuning.MAX_FEED_FORWARD_WIDTH)) {
        throw new IntentException("--ffn-width must be in 1.." + FineTuning.MAX_FEED_FORWARD_WIDTH + ", was " + ffnWidth);
      }
      if (maxTokens != 0 && (maxTokens < 8 || maxTokens > 512)) {
        throw new IntentException("--max-tokens must be 0 (whole texts) or in 8..512, was " + maxTokens);
      }
      String teacherId = "none".equalsIgnoreCase(teacher) ? null : teacher;
      int batch = or(batchSize, FineTuneConfig.DEFAULT_BATCH_SIZE);
      FineTuneConfig recipe = new FineTuneConfig(or(epochs, FineTuneConfig.DEFAULT_EPOCHS),
          batch, or(learningRate, FineTuneConfig.DEFAULT_ENCODER_LEARNING_RATE),
          headLearningRate, FineTuneConfig.DEFAULT_WARMUP_FRACTION, or(weightDecay, FineTuneConfig.DEFAULT_WEIGHT_DECAY),
          or(dropout, FineTuneConfig.DEFAULT_DROPOUT), or(labelSmoothing, FineTuneConfig.DEFAULT_LABEL_SMOOTHING),
          FineTuneConfig.DEFAULT_LOGIT_SCALE, FineTuneConfig.DEFAULT_MAX_GRAD_NORM, false, seed,
          epochs == null ? FineTuning.defaultMinSteps(teacherId, batch) : 0,
          or(freezeLayers, FineTuning.defaultModelFrozenLayers(teacherId)));
      if (teacherBatchSize != null && (teacherBatchSize < 1 || teacherBatchSize > FineTuneConfig.MAX_BATCH_SIZE)) {
        throw new IntentException("--teacher-batch-size must be in 1.." + FineTuneConfig.MAX_BATCH_SIZE + ", was "
            + teacherBatchSize);
      }
      // The floor counts examples, so a teacher batch of its own keeps what it stands for.
      int teacherBatch = or(teacherBatchSize, recipe.batchSize());
      FineTuneConfig teacherRecipe = teacherEpochs == null
          ? recipe.withEpochs(FineTuning.DEFAULT_TEACHER_EPOCHS).withMinSteps(FineTuning.defaultMinSteps(null, teacherBatch))
          : recipe.withEpochs(teacherEpochs).withMinSteps(0);
      teacherRecipe = teacherRecipe.withBatchSize(teacherBatch);
      double teacherRate = or(teacherLearningRate, FineTuning.DEFAULT_TEACHER_LEARNING_RATE);
      if (!(teacherRate > 0 && teacherRate <= 1)) {
        throw new IntentException("--teacher-learning-rate must be in (0, 1], was " + teacherRate);
      }
      teacherRecipe = teacherRecipe.withLearningRates(teacherRate, teacherRecipe.headLearningRate())
          .withFrozenLayers(or(teacherFreezeLayers, FineTuning.defaultTeacherFrozenLayers(teacherId)));
      if (augment != null && augment > 0 && teacherId == null) {
        throw new IntentException("--augment needs a teacher: the teacher labels the variants (drop --teacher none)");
      }
      return FineTuning.defaults()
          .withRecipe(recipe)
          .withTeacher(teacherId)
          .withTeacherRecipe(teacherRecipe)
          .withDistillation(distillTemperature, distillWeight)
          .withAugment(augment != null ? augment : teacherId == null ? 0 : FineTuning.DEFAULT_AUGMENT)
          .withThreads(threads)
          .withMaxTokens(maxTokens)
          .withMemoryLimit(memoryLimit == null ? 0 : Sizes.parseBytes(memoryLimit, "--memory-limit"))
          .withFeedForwardWidth(ffnWidth == null ? 0 : ffnWidth)
          .withStartLayers(startLayers == null ? List.of() : startLayers);
    } catch (IllegalArgumentException e) {
      throw new IntentException("invalid option: " + OptionNames.flagged(e.getMessage()), e);
    }
  }

  private static void layerCount(String option, Integer value) {
    if (value != null && (value < 0 || value > FineTuneConfig.MAX_FROZEN_LAYERS)) {
      throw new IntentException(option + " must be in 0.." + FineTuneConfig.MAX_FROZEN_LAYERS + ", was " + value);
    }
  }

  private static <T> T or(T value, T otherwise) {
    return value != null ? value : otherwise;
  }
}
