package dev.intentinference.train;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.BuildInfo;
import dev.intentinference.core.model.ClassifierHead;
import dev.intentinference.core.model.EncoderRef;
import dev.intentinference.core.model.HeadInfo;
import dev.intentinference.core.model.ModelDirectory;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.Softmax;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.core.text.TokenizedText;
import dev.intentinference.train.finetune.BertWeights;
import dev.intentinference.train.finetune.FineTuneConfig;
import dev.intentinference.train.finetune.FineTuner;
import dev.intentinference.train.finetune.IntentNetwork;
import dev.intentinference.train.finetune.TorchRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fine-tunes an encoder end to end with its head and writes a model directory that loads,
 * compiles and serves like any other: {@code manifest.json}, {@code head.safetensors},
 * {@code tokenizer.json} and {@code encoder.onnx}, the shipped fp32 graph with the trained weights
 * in its initializers (same topology, so layer selection, fusion and int8 quantization work
 * unchanged). With a teacher, the teacher is fine-tuned first and the model learns from its
 * softened probabilities as well as from the labels.
 *
 * <p>The threshold is chosen on validation data only, as for frozen-feature models; the
 * directory is written atomically at the very end, so an interrupted run leaves nothing.
 *
 * <pre>{@code
 * TrainingResult r = new FineTuneTrainer(FineTuning.defaults())
 *     .train(TrainingOptions.defaults(data, out).withEncoders(List.of("all-minilm-l6-v2@0-3")), listener);
 * }</pre>
 */
public final class FineTuneTrainer {
  public static final String ENCODER_FILE = "encoder.onnx";
  static final String ROLE_TEACHER = "teacher";
  static final String ROLE_MODEL = "model";
  /** The shipped encoder a network started from: id, Maven coordinates and the SHA-256 of its graph. */
  private static Map<String, Object> baseEncoder(EncoderSpec spec) {
    Map<String, Object> base = new LinkedHashMap<>();
    base.put("id", spec.id());
    base.put("maven", spec.mavenCoordinates());
    base.put("onnx_sha256", spec.onnxSha256());
    return base;
  }

  private final FineTuning fineTuning;
  private final Path teacherOut;

  public FineTuneTrainer(FineTuning fineTuning) {
    this(fineTuning, null);
  }

  /**
   * @param teacherOut where to write the teacher this run trains, as a model directory of its own
   *     (for {@code intent eval --fallback}), or null to keep only the model
   */
  public FineTuneTrainer(FineTuning fineTuning, Path teacherOut) {
    this.fineTuning = fineTuning;
    this.teacherOut = teacherOut;
  }

  public TrainingResult train(TrainingOptions options, TrainingListener listener) {
    long start = System.nanoTime();
    ModelOutput.requireFree(options.out(), "--out");
    if (options.encoders().size() != 1) {
      throw new IntentException("fine-tuning trains one encoder; --encoder names " + options.encoders().size()
          + " (" + String.join(",", options.encoders()) + ")");
    }
    EncoderSpec spec = fineTunable(options.encoders().get(0), "--encoder");
    // Read first, so that --start-layers or --ffn-width the encoder cannot give are refused now,
    // not after the teacher's minutes.
    BertWeights cut = BertWeights.read(EncoderGraphs.model(spec));
    List<Integer> startLayers = startLayers(spec, cut.config().layers());
    BertWeights modelStartWeights = modelWeights(spec, cut, startLayers);
    Path teacherModel = FineTuning.teacherModel(fineTuning.teacher());
    EncoderSpec teacherSpec = fineTuning.teacher() == null || teacherModel != null ? null
        : fineTunable(fineTuning.teacher(), "--teacher");
    if (teacherOut != null) {
      if (teacherSpec == null) {
        throw new IntentException("--keep-teacher writes the teacher this run trains; with --teacher "
            + (fineTuning.teacher() == null ? "none" : fineTuning.teacher()) + " it trains none");
      }
      Path teacherAt = teacherOut.toAbsolutePath().normalize();
      Path outAt = options.out().toAbsolutePath().normalize();
      if (teacherAt.equals(outAt)) {
        throw new IntentException("--keep-teacher must name another directory than --out");
      }
      if (teacherAt.startsWith(outAt) || outAt.startsWith(teacherAt)) {
        // Written first, it would make --out not empty, and the model would fail after all the training.
        throw new IntentException("--keep-teacher " + teacherOut + " and --out " + options.out()
            + " must not lie inside one another");
      }
      ModelOutput.requireFree(teacherOut, "--keep-teacher");
    }
    TrainingData data = TrainingData.load(options.data(), options.validation(), options.columns(),
        options.oosClass(), options.holdoutFraction(), fineTuning.recipe().seed());
    TrainingTexts texts = TrainingTexts.of(data);
    if (fineTuning.augment() > 0 && fineTuning.teacher() != null) {
      texts = texts.augmented(new TextAugmenter(fineTuning.recipe().seed())
          .variants(texts.train(), texts.trainLabels(), fineTuning.augment()));
    }
    MemoryEstimate.check(spec, teacherSpec, fineTuning, data.labels().size());

    long teacherStart = System.nanoTime();
    TeacherLesson teacher = teacherModel != null ? SavedTeacher.lesson(teacherModel, data, texts, fineTuning)
        : teacherSpec == null ? null : teach(teacherSpec, texts, data, options, listener);
    long modelStart = System.nanoTime();
    Trained model = trainModel(spec, modelStartWeights, texts, data.labels().size(), teacher, listener);
    long modelEnd = System.nanoTime();
    ValidationOutcome outcome = ValidationOutcome.of(data, model.validationProbabilities(), options.version());

    String tokenizerSha = Hashes.sha256(model.tokenizer());
    EncoderRef ref = EncoderRef.fineTuned(spec, tokenizerSha, ENCODER_FILE, Hashes.sha256(model.encoderOnnx()));
    ClassifierHead head = model.head();
    Map<String, Object> training = provenance(options, spec, startLayers, data, texts, teacher, model);
    Map<String, Object> timing = new LinkedHashMap<>();
    timing.put("fine_tune_seconds", IntentTrainer.round(model.result().seconds()));
    // Whole phases, so what lies outside the training loops (data, tokenizing, the teacher's
    // labelling, export) shows up too.
    timing.put("data_seconds", IntentTrainer.round((teacherStart - start) / 1e9));
    timing.put("teacher_phase_seconds", IntentTrainer.round((modelStart - teacherStart) / 1e9));
    timing.put("model_phase_seconds", IntentTrainer.round((modelEnd - modelStart) / 1e9));
    timing.put("total_seconds", IntentTrainer.round((System.nanoTime() - start) / 1e9));
    training.put("timing", timing);
    if (teacher != null && teacher.kept() != null) {
      EscalationChoice c = EscalationChoice.choose(data.labels(), data.validation(), model.validationProbabilities(),
          outcome.threshold(), teacher.kept().validationProbabilities(), teacher.kept().threshold());
      training.put(dev.intentinference.core.model.CascadeInfo.KEY, c.toMap(teacher.kept().location(),
          data.sources().getOrDefault("validation", "validation"), data.validation().size()));
    }
    writeDirectory(options.out(), options, options.name(), data, ref, head, outcome, training, model.encoderOnnx(),
        model.tokenizer());
    double total = (System.nanoTime() - start) / 1e9;
    return new TrainingResult(options.out(), ModelDirectory.readManifest(options.out()), head, outcome.report(),
        texts.train().size(), 0, model.result().seconds(), total);
  }

  /** A model directory, written atomically: manifest, head, tokenizer and the trained encoder graph. */
  private static void writeDirectory(Path out, TrainingOptions options, String name, TrainingData data,
      EncoderRef ref, ClassifierHead head, ValidationOutcome outcome, Map<String, Object> training, byte[] encoderOnnx,
      byte[] tokenizer) {
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("validation", outcome.report().summary());
    ModelManifest manifest = new ModelManifest(ModelManifest.formatFor(outcome.threshold()), ModelManifest.KIND_MODEL,
        name, options.version(), data.labels(), List.of(ref), outcome.threshold(),
        new HeadInfo(ModelDirectory.HEAD_FILE, "safetensors-f32", head.activationNames()),
        training, metrics, null, null,
        BuildInfo.current(options.toolVersion(), null, IntentTrainer.onnxRuntimeVersion()));
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ModelDirectory.HEAD_FILE, head.toSafeTensors());
    files.put(ModelDirectory.TOKENIZER_FILE, tokenizer);
    files.put(ENCODER_FILE, encoderOnnx);
    ModelDirectory.write(out, manifest, files);
  }

  /**
   * The served model after training: network result, head, written graph, validation
   * probabilities, and its logits on {@link TeacherAgreement#sampleRows} of the training texts, to
   * measure how closely it follows the teacher; {@code textsCut} of its training texts (and
   * variants) were longer than the training length.
   */
  private record Trained(FineTuner.Result result, ClassifierHead head, byte[] encoderOnnx, byte[] tokenizer,
      List<float[]> validationProbabilities, float[][] trainingSampleLogits, int textsCut) {}

  private TeacherLesson teach(EncoderSpec spec, TrainingTexts texts, TrainingData data, TrainingOptions options, TrainingListener listener) {
    byte[] tokenizerJson = ClasspathResources.readAll(spec.tokenizerResource());
    try (TextTokenizer tok = tokenizer(tokenizerJson, spec);
        TorchRuntime.GuardedManager torch = TorchRuntime.guardedManager(fineTuning.threads(), fineTuning.teacherRecipe().seed())) {
      NDManager manager = torch.manager();
      FineTuner.Examples train = new FineTuner.Examples(tok.encodeAll(texts.train()), texts.trainLabels());
      FineTuner.Examples val = new FineTuner.Examples(tok.encodeAll(texts.validationKnown()), texts.validationLabels());
      BertWeights start = BertWeights.read(EncoderGraphs.model(spec));
      FineTuner.Result t = run(ROLE_TEACHER, spec, start, fineTuning.teacherRecipe(),
          manager, data.labels().size(), train, null, val, listener);
      // The teacher labels what the model will learn from: the training texts (tokenized above)
      // and their variants, if any.
      long lessonStart = System.nanoTime();
      FineTuner.Distillation lesson = new FineTuner.Distillation(lessonLogits(manager, t, train, tok.encodeAll(texts.extra())),
          fineTuning.distillTemperature(), fineTuning.distillWeight(), texts.labelled());
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("encoder", spec.id());
      record.put("base_onnx_sha256", spec.onnxSha256());
      record.put("validation_history", history(t.history()));
      record.put("seconds", IntentTrainer.round(t.seconds()));
      record.put("lesson_seconds", IntentTrainer.round((System.nanoTime() - lessonStart) / 1e9));
      TeacherLesson.Kept kept = null;
      if (teacherOut != null) {
        kept = writeTeacher(spec, tokenizerJson, start, manager, t, texts, data, options);
        record.put("kept", teacherOut.toString());
      }
      return new TeacherLesson(lesson, record, t.validationLogits(), kept);
    }
  }

  /**
   * The teacher as a model directory of its own, with its own threshold chosen on the validation
   * data, so that it can answer the messages the model is unsure of ({@code intent eval --fallback}).
   */
  private TeacherLesson.Kept writeTeacher(EncoderSpec spec, byte[] tokenizerJson, BertWeights start, NDManager manager,
      FineTuner.Result t, TrainingTexts texts, TrainingData data, TrainingOptions options) {
    List<float[]> probabilities = servedProbabilities(manager, t.network(), tokenizerJson, spec, texts.validation());
    ValidationOutcome outcome = ValidationOutcome.of(data, probabilities, options.version());
    byte[] onnx = trainedWeights(t, start).writeInto(EncoderGraphs.shippedModel(spec)).toByteArray();
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("mode", "fine-tune");
    training.put("role", "teacher of " + options.out().getFileName());
    training.put("base_encoder", baseEncoder(spec));
    training.put("recipe", fineTuning.teacherRecipe().toMap());
    training.put("validation_history", history(t.history()));
    training.put("oos_class", data.hasOosClass());
    training.put("data", data.sources());
    training.put("data_sha256", data.dataSha256());
    EncoderRef ref = EncoderRef.fineTuned(spec, Hashes.sha256(tokenizerJson), ENCODER_FILE, Hashes.sha256(onnx));
    writeDirectory(teacherOut, options, options.name() + "-teacher", data, ref, trainedHead(t), outcome, training,
        onnx, tokenizerJson);
    return new TeacherLesson.Kept(teacherOut.toString(), outcome.threshold(), probabilities);
  }

  /**
   * The encoder's weights as {@code trained}, read out of libtorch through the exit's guard, as
   * every libtorch call ({@link FineTuner}).
   */
  private static BertWeights trainedWeights(FineTuner.Result trained, BertWeights start) {
    return ExitGuard.process().call(() -> trained.network().encoderWeights(start));
  }

  /** The head as {@code trained}, read out of libtorch through the exit's guard. */
  private static ClassifierHead trainedHead(FineTuner.Result trained) {
    return ExitGuard.process().call(() -> trained.network().head());
  }

  /** Probabilities as served: the whole text, up to the encoder's own limit (training may cut at {@link FineTuning#maxTokens()}). */
  private static List<float[]> servedProbabilities(NDManager manager, IntentNetwork network,
      byte[] tokenizerJson, EncoderSpec spec, List<String> texts) {
    List<float[]> probabilities = new ArrayList<>();
    try (TextTokenizer serving = TextTokenizer.fromBytes(tokenizerJson, spec.maxLength())) {
      for (float[] logits : FineTuner.logits(manager, network, serving.encodeAll(texts))) {
        probabilities.add(Softmax.of(logits));
      }
    }
    return probabilities;
  }

  /**
   * The teacher's logits for the training texts, then for their variants. With a fixed lower part
   * the training texts start from the states computed for training; the variants run the whole
   * encoder. Otherwise all go through in one pass, as before that option existed, so earlier
   * runs repeat bit for bit.
   */
  private static float[][] lessonLogits(NDManager manager, FineTuner.Result teacher, FineTuner.Examples train,
      List<TokenizedText> variants) {
    if (teacher.trainStates() == null) {
      List<TokenizedText> all = new ArrayList<>(train.tokens());
      all.addAll(variants);
      return FineTuner.logits(manager, teacher.network(), all);
    }
    float[][] trained = teacher.trainStates().logits(manager, teacher.network());
    float[][] varied = FineTuner.logits(manager, teacher.network(), variants);
    float[][] all = java.util.Arrays.copyOf(trained, trained.length + varied.length);
    System.arraycopy(varied, 0, all, trained.length, varied.length);
    return all;
  }

  private Trained trainModel(EncoderSpec spec, BertWeights start, TrainingTexts texts, int labels, TeacherLesson teacher,
      TrainingListener listener) {
    byte[] tokenizerJson = ClasspathResources.readAll(spec.tokenizerResource());
    try (TextTokenizer tok = tokenizer(tokenizerJson, spec);
        TorchRuntime.GuardedManager torch = TorchRuntime.guardedManager(fineTuning.threads(), fineTuning.recipe().seed())) {
      NDManager manager = torch.manager();
      FineTuner.Examples train = new FineTuner.Examples(tok.encodeAll(texts.modelTrain()), texts.modelTrainLabels());
      FineTuner.Examples val = new FineTuner.Examples(tok.encodeAll(texts.validationKnown()), texts.validationLabels());
      FineTuner.Result model = run(ROLE_MODEL, spec, start, fineTuning.recipe(), manager, labels, train,
          teacher == null ? null : teacher.distillation(), val, listener);
      List<float[]> probabilities = servedProbabilities(manager, model.network(), tokenizerJson, spec, texts.validation());
      List<TokenizedText> sample = new ArrayList<>();
      for (int row : TeacherAgreement.sampleRows(texts.train().size())) {
        sample.add(train.tokens().get(row));
      }
      float[][] trainingSample = FineTuner.logits(manager, model.network(), sample);
      ModelProto shipped = EncoderGraphs.shippedModel(spec);
      byte[] onnx = trainedWeights(model, start).writeInto(shipped).toByteArray();
      int cut = (int) train.tokens().stream().filter(TokenizedText::truncated).count();
      return new Trained(model, trainedHead(model), onnx, tokenizerJson, probabilities, trainingSample, cut);
    }
  }

  private Map<String, Object> provenance(TrainingOptions options, EncoderSpec spec, List<Integer> startLayers,
      TrainingData data, TrainingTexts texts, TeacherLesson teacher, Trained model) {
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("mode", "fine-tune");
    training.put("base_encoder", baseEncoder(spec));
    Map<String, Object> recipe = new LinkedHashMap<>(fineTuning.toMap());
    recipe.put("max_tokens", trainingLength(spec));
    recipe.put("start_layers", startLayers);
    training.put("recipe", recipe);
    if (teacher != null) {
      Map<String, Object> record = new LinkedHashMap<>(teacher.record());
      record.put("agreement", TeacherAgreement.of(teacher.distillation().logits(), TeacherAgreement.sampleRows(texts.train().size()),
          model.trainingSampleLogits(), teacher.validationScores(), model.result().validationLogits()));
      training.put("teacher", record);
    }
    training.put("validation_history", history(model.result().history()));
    training.put("oos_class", data.hasOosClass());
    training.put("data", data.sources());
    training.put("data_sha256", data.dataSha256());
    Map<String, Object> sizes = new LinkedHashMap<>();
    sizes.put("train_examples", texts.train().size());
    sizes.put("augmented_examples", texts.extra().size());
    sizes.put("texts_cut", model.textsCut());
    sizes.put("validation_in_scope", texts.validationKnown().size());
    sizes.put("validation_out_of_scope", IntentTrainer.countOos(data.validation()));
    sizes.put("labels", data.labels().size());
    sizes.put("features", model.head().inputs());
    training.put("sizes", sizes);
    return training;
  }

  /**
   * The weights the model starts from: the shipped encoder's ({@code cut}, the layers the model
   * runs), each layer taken from the shipped layer {@code startLayers} names, with the feed-forward
   * blocks of the layers it trains cut to {@link FineTuning#feedForwardWidth()} units when one is
   * set. Its fixed layers keep theirs: they are not trained, so nothing would recover what a cut
   * takes.
   */
  private BertWeights modelWeights(EncoderSpec spec, BertWeights cut, List<Integer> startLayers) {
    BertWeights shipped = cut;
    if (!startLayers.equals(FineTuning.defaultStartLayers(startLayers.size()))) {
      try {
        shipped = shipped.withLayersFrom(BertWeights.read(EncoderGraphs.shippedModel(spec)), startLayers);
      } catch (IntentException e) {
        throw new IntentException("--start-layers " + layerList(startLayers) + ": " + e.getMessage() + " (" + spec.id() + ")");
      }
    }
    int width = fineTuning.feedForwardWidth();
    if (width == 0) {
      return shipped;
    }
    int layers = spec.layersRun();
    int from = Math.min(fineTuning.recipe().frozenLayers(), layers);
    try {
      return shipped.withFeedForwardWidth(width, from, layers);
    } catch (IntentException e) {
      throw new IntentException("--ffn-width " + width + ": " + e.getMessage() + " (" + spec.id() + ")");
    }
  }

  /**
   * The shipped layers the model's layers start from: {@link FineTuning#startLayers()} when given
   * (one per layer the model runs), else {@link FineTuning#defaultStartLayers}.
   */
  private List<Integer> startLayers(EncoderSpec spec, int run) {
    List<Integer> given = fineTuning.startLayers();
    if (given.isEmpty()) {
      return FineTuning.defaultStartLayers(run);
    }
    if (given.size() != run) {
      throw new IntentException("--start-layers " + layerList(given) + " names " + given.size() + " layers; "
          + spec.id() + " runs " + run + " (give one shipped layer for each)");
    }
    return given;
  }

  private static String layerList(List<Integer> layers) {
    return layers.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
  }

  private FineTuner.Result run(String role, EncoderSpec spec, BertWeights weights, FineTuneConfig recipe, NDManager manager,
      int labels, FineTuner.Examples train, FineTuner.Distillation teacher, FineTuner.Examples val, TrainingListener listener) {
    FineTuner.Result r = new FineTuner(recipe).train(manager, spec, weights, labels, train, teacher, val,
        new FineTuner.Listener() {
          @Override
          public void started(int epochs, int stepsPerEpoch) {
            listener.fineTuneStarted(role, spec.id(), epochs, epochs * stepsPerEpoch);
          }

          @Override
          public void step(int step, int totalSteps, double loss) {
            listener.fineTuneStep(step, totalSteps, loss);
          }

          @Override
          public void epochFinished(FineTuner.EpochRecord epoch) {
            listener.fineTuneEpoch(role, epoch);
          }
        });
    listener.fineTuneFinished(role, r.seconds());
    return r;
  }

  /** The encoder's tokenizer ({@code tokenizerJson}, read once by the caller) cut at the training length. */
  private TextTokenizer tokenizer(byte[] tokenizerJson, EncoderSpec spec) {
    return TextTokenizer.fromBytes(tokenizerJson, trainingLength(spec));
  }

  /** Where training cuts texts for {@code spec}: its own limit (as served) unless --max-tokens is shorter. */
  private int trainingLength(EncoderSpec spec) {
    return fineTuning.maxTokens() == 0 ? spec.maxLength() : Math.min(spec.maxLength(), fineTuning.maxTokens());
  }

  /** The spec for {@code id}, refused with a one-line reason when it cannot be fine-tuned here. */
  static EncoderSpec fineTunable(String id, String option) {
    EncoderSpec spec = EncoderRegistry.builtIn().get(id);
    if (!"fp32".equals(spec.precision())) {
      String fp32 = baseId(spec).replaceAll("-q$", "");
      String suggestion = spec.selection() == null ? fp32 : fp32 + "@" + spec.selection();
      throw new IntentException(option + " " + id + ": fine-tuning needs fp32 weights and this encoder ships int8; use "
          + suggestion + " (compile --precision int8 quantizes the result)");
    }
    return spec;
  }

  private static String baseId(EncoderSpec spec) {
    int at = spec.id().indexOf('@');
    return at < 0 ? spec.id() : spec.id().substring(0, at);
  }

  private static List<Map<String, Object>> history(List<FineTuner.EpochRecord> epochs) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (FineTuner.EpochRecord e : epochs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("epoch", e.epoch());
      m.put("train_loss", IntentTrainer.round(e.trainLoss()));
      m.put("validation_accuracy", IntentTrainer.round(e.validationAccuracy()));
      m.put("seconds", IntentTrainer.round(e.seconds()));
      m.put("forward_backward_seconds", IntentTrainer.round(e.stepTime().passSeconds()));
      m.put("optimizer_seconds", IntentTrainer.round(e.stepTime().optimizerSeconds()));
      m.put("skipped_steps", e.skippedSteps());
      out.add(m);
    }
    return out;
  }
}
