package dev.intentinference.train;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.BuildInfo;
import dev.intentinference.core.model.ClassifierHead;
import dev.intentinference.core.model.EncoderRef;
import dev.intentinference.core.model.HeadInfo;
import dev.intentinference.core.model.IntentDecoder;
import dev.intentinference.core.model.ModelDirectory;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.Softmax;
import dev.intentinference.core.model.ThresholdInfo;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.train.finetune.BertWeights;
import dev.intentinference.train.finetune.FineTuneConfig;
import dev.intentinference.train.finetune.FineTuner;
import dev.intentinference.train.finetune.TorchRuntime;
import java.util.ArrayList;
import java.util.HashMap;
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

  private final FineTuning fineTuning;

  public FineTuneTrainer(FineTuning fineTuning) {
    this.fineTuning = fineTuning;
  }

  public TrainingResult train(TrainingOptions options, TrainingListener listener) {
    long start = System.nanoTime();
    IntentTrainer.requireFreeOutput(options.out());
    if (options.encoders().size() != 1) {
      throw new IntentException("fine-tuning trains one encoder; --encoder names " + options.encoders().size()
          + " (" + String.join(",", options.encoders()) + ")");
    }
    EncoderSpec spec = fineTunable(options.encoders().get(0), "--encoder");
    EncoderSpec teacherSpec = fineTuning.teacher() == null ? null : fineTunable(fineTuning.teacher(), "--teacher");
    TrainingData data = TrainingData.load(options.data(), options.validation(), options.columns(),
        options.oosClass(), options.holdoutFraction(), fineTuning.recipe().seed());
    List<String> labels = data.labels();
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      index.put(labels.get(i), i);
    }
    List<LabeledText> valKnown = data.validation().stream().filter(v -> index.containsKey(v.intent())).toList();
    if (valKnown.isEmpty()) {
      throw new IntentException("validation data has no in-scope examples; give --val with labelled intents");
    }
    MemoryEstimate.check(spec, teacherSpec, fineTuning, labels.size());

    List<String> trainTexts = data.train().stream().map(LabeledText::text).toList();
    int[] trainLabels = data.train().stream().mapToInt(t -> index.get(t.intent())).toArray();
    int[] valLabels = valKnown.stream().mapToInt(t -> index.get(t.intent())).toArray();
    List<String> valKnownTexts = valKnown.stream().map(LabeledText::text).toList();
    List<String> valTexts = data.validation().stream().map(LabeledText::text).toList();

    Map<String, Object> teacherRecord = null;
    FineTuner.Distillation distillation = null;
    if (teacherSpec != null) {
      try (TextTokenizer tok = tokenizer(teacherSpec);
          NDManager manager = TorchRuntime.manager(fineTuning.threads(), fineTuning.teacherRecipe().seed())) {
        FineTuner.Examples train = new FineTuner.Examples(tok.encodeAll(trainTexts), trainLabels);
        FineTuner.Examples val = new FineTuner.Examples(tok.encodeAll(valKnownTexts), valLabels);
        FineTuner.Result t = run(ROLE_TEACHER, teacherSpec, fineTuning.teacherRecipe(), manager, labels.size(), train, null, val, listener);
        listener.teacherLabelling(trainTexts.size());
        distillation = new FineTuner.Distillation(FineTuner.logits(manager, t.network(), train.tokens()),
            fineTuning.distillTemperature(), fineTuning.distillWeight());
        teacherRecord = new LinkedHashMap<>();
        teacherRecord.put("encoder", teacherSpec.id());
        teacherRecord.put("base_onnx_sha256", teacherSpec.onnxSha256());
        teacherRecord.put("validation_history", history(t.history()));
        teacherRecord.put("seconds", IntentTrainer.round(t.seconds()));
      }
    }

    byte[] tokenizerJson = ClasspathResources.readAll(spec.tokenizerResource());
    FineTuner.Result model;
    ClassifierHead head;
    byte[] encoderOnnx;
    List<float[]> valProbs = new ArrayList<>();
    try (TextTokenizer tok = tokenizer(spec);
        NDManager manager = TorchRuntime.manager(fineTuning.threads(), fineTuning.recipe().seed())) {
      FineTuner.Examples train = new FineTuner.Examples(tok.encodeAll(trainTexts), trainLabels);
      FineTuner.Examples val = new FineTuner.Examples(tok.encodeAll(valKnownTexts), valLabels);
      model = run(ROLE_MODEL, spec, fineTuning.recipe(), manager, labels.size(), train, distillation, val, listener);
      head = model.network().head();
      // Validation probabilities as served: the whole text, up to the encoder's own limit.
      try (TextTokenizer serving = TextTokenizer.fromBytes(tokenizerJson, spec.maxLength())) {
        for (float[] logits : FineTuner.logits(manager, model.network(), serving.encodeAll(valTexts))) {
          valProbs.add(Softmax.of(logits));
        }
      }
      ModelProto shipped = parse(EncoderGraphs.shippedBytes(spec), spec);
      encoderOnnx = model.network().encoderWeights(BertWeights.read(shipped)).writeInto(shipped).toByteArray();
    }

    IntentDecoder decoder = new IntentDecoder(labels, 0, 1, options.version());
    ThresholdInfo threshold = IntentTrainer.chooseThreshold(data, decoder, valProbs);
    IntentDecoder finalDecoder = new IntentDecoder(labels, threshold.value(), 1, options.version());
    List<String> gold = new ArrayList<>();
    List<String> decided = new ArrayList<>();
    for (int i = 0; i < data.validation().size(); i++) {
      float[] p = valProbs.get(i);
      gold.add(data.validation().get(i).intent());
      decided.add(finalDecoder.isOutOfScope(p) ? LabeledText.OUT_OF_SCOPE : labels.get(finalDecoder.bestInScope(p)));
    }
    EvalReport validation = IntentMetrics.of(gold, decided);

    Map<String, Object> training = new LinkedHashMap<>();
    training.put("mode", "fine-tune");
    Map<String, Object> base = new LinkedHashMap<>();
    base.put("id", spec.id());
    base.put("maven", spec.mavenCoordinates());
    base.put("onnx_sha256", spec.onnxSha256());
    training.put("base_encoder", base);
    training.put("recipe", fineTuning.toMap());
    if (teacherRecord != null) {
      training.put("teacher", teacherRecord);
    }
    training.put("validation_history", history(model.history()));
    training.put("oos_class", options.oosClass());
    training.put("data", data.sources());
    training.put("data_sha256", data.dataSha256());
    Map<String, Object> sizes = new LinkedHashMap<>();
    sizes.put("train_examples", data.train().size());
    sizes.put("validation_in_scope", valKnown.size() - (options.oosClass() ? IntentTrainer.countOos(valKnown) : 0));
    sizes.put("validation_out_of_scope", IntentTrainer.countOos(data.validation()));
    sizes.put("labels", labels.size());
    sizes.put("features", head.inputs());
    training.put("sizes", sizes);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("validation", validation.summary());

    String tokenizerSha = Hashes.sha256(tokenizerJson);
    EncoderRef ref = EncoderRef.fineTuned(spec, tokenizerSha, ENCODER_FILE, Hashes.sha256(encoderOnnx));
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> timing = new LinkedHashMap<>();
    timing.put("fine_tune_seconds", IntentTrainer.round(model.seconds()));
    timing.put("total_seconds", IntentTrainer.round(seconds));
    training.put("timing", timing);
    ModelManifest manifest = new ModelManifest(ModelManifest.FORMAT_VERSION, ModelManifest.KIND_MODEL,
        options.name(), options.version(), labels, List.of(ref), threshold,
        new HeadInfo(ModelDirectory.HEAD_FILE, "safetensors-f32", head.activationNames()),
        training, metrics, null, null,
        BuildInfo.current(options.toolVersion(), null, IntentTrainer.onnxRuntimeVersion()));
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ModelDirectory.HEAD_FILE, head.toSafeTensors());
    files.put(ModelDirectory.TOKENIZER_FILE, tokenizerJson);
    files.put(ENCODER_FILE, encoderOnnx);
    ModelDirectory.write(options.out(), manifest, files);
    double total = (System.nanoTime() - start) / 1e9;
    return new TrainingResult(options.out(), ModelDirectory.readManifest(options.out()), head, validation,
        trainTexts.size(), 0, model.seconds(), total);
  }

  private FineTuner.Result run(String role, EncoderSpec spec, FineTuneConfig recipe, NDManager manager, int labels,
      FineTuner.Examples train, FineTuner.Distillation teacher, FineTuner.Examples val, TrainingListener listener) {
    BertWeights weights = BertWeights.read(EncoderGraphs.model(spec));
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

  private TextTokenizer tokenizer(EncoderSpec spec) {
    return TextTokenizer.fromBytes(ClasspathResources.readAll(spec.tokenizerResource()),
        Math.min(spec.maxLength(), fineTuning.maxTokens()));
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

  private static ModelProto parse(byte[] onnx, EncoderSpec spec) {
    try {
      return ModelProto.parseFrom(onnx);
    } catch (InvalidProtocolBufferException e) {
      throw new IntentException("encoder " + spec.id() + ": not an ONNX model", e);
    }
  }

  private static List<Map<String, Object>> history(List<FineTuner.EpochRecord> epochs) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (FineTuner.EpochRecord e : epochs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("epoch", e.epoch());
      m.put("train_loss", IntentTrainer.round(e.trainLoss()));
      m.put("validation_accuracy", IntentTrainer.round(e.validationAccuracy()));
      m.put("seconds", IntentTrainer.round(e.seconds()));
      out.add(m);
    }
    return out;
  }
}
