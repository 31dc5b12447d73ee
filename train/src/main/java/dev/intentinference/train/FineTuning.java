package dev.intentinference.train;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.train.finetune.FineTuneConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@code intent train} fine-tunes: the recipe for the served model (the student) and,
 * optionally, a larger teacher fine-tuned first whose softened probabilities the student learns
 * from. Validated on construction.
 *
 * <pre>{@code
 * FineTuning f = FineTuning.defaults().withTeacher(null); // fine-tune the model alone, no distillation
 * }</pre>
 *
 * @param recipe how the served model's encoder and head are trained
 * @param teacher encoder id of the teacher, or null to train without one
 * @param teacherRecipe how the teacher is trained
 * @param distillTemperature softens teacher and student probabilities in the distillation loss, (0, 100]
 * @param distillWeight share of the student's loss taken from the teacher, [0, 1]
 * @param augment with a teacher: variants of each training text ({@link TextAugmenter}) the teacher
 *     labels for the student to learn from as well, 0..8
 * @param threads PyTorch intra-op threads, 1..256
 * @param maxTokens texts are cut to this many tokens while training (not when serving), 8..512;
 *     0 trains them whole, as they are served (up to the encoder's own limit)
 * @param memoryLimitBytes refuse to start when the estimate exceeds this; 0 means the memory
 *     the machine has available
 * @param feedForwardWidth the model's trained layers keep this many feed-forward units each (its
 *     fixed layers keep them all); 0 keeps the encoder's own width, 0..{@value #MAX_FEED_FORWARD_WIDTH}
 * @param startLayers the shipped encoder's layers (0-based) the model's layers start from, in
 *     order, one per layer it runs; empty for {@link #defaultStartLayers}
 */
public record FineTuning(
    FineTuneConfig recipe,
    String teacher,
    FineTuneConfig teacherRecipe,
    double distillTemperature,
    double distillWeight,
    int augment,
    int threads,
    int maxTokens,
    long memoryLimitBytes,
    int feedForwardWidth,
    List<Integer> startLayers) {

  /** The served default: all-MiniLM-L6-v2 (fp32, fine-tuned) cut to its embedding output and first three layers. */
  public static final String DEFAULT_MODEL_ENCODER = "all-minilm-l6-v2@0-3";
  /**
   * The teacher: the whole 12-layer bge-small-en-v1.5, fine-tuned first. With the variants below it
   * taught the 3-layer model more than the 6-layer all-MiniLM-L6-v2 did (CLINC150 validation
   * argmax 97.20% vs 96.93%), at about twice the training time (docs/accuracy.md).
   */
  public static final String DEFAULT_TEACHER = "bge-small-en-v1.5";
  /** The teacher's epochs: a 1-epoch bge-small taught less (96.77% validation argmax with 2 model epochs). */
  public static final int DEFAULT_TEACHER_EPOCHS = 2;
  /**
   * The teacher's peak rate for its encoder (at batch 64; 3e-5 at the former 32): at 1e-4 with
   * batches of 32 the 12-layer bge-small diverged late in its first epoch.
   */
  public static final double DEFAULT_TEACHER_LEARNING_RATE = 4.5e-5;
  /** Variants of each training text the teacher labels ({@link TextAugmenter}): with bge-small they lifted validation argmax from 97.00% to 97.20%. */
  public static final int DEFAULT_AUGMENT = 1;
  public static final double DEFAULT_DISTILL_TEMPERATURE = 2.0;
  public static final double DEFAULT_DISTILL_WEIGHT = 0.5;
  /**
   * Texts train whole, as they are served: with the former cut at 64 tokens a model never saw what
   * a long message says past it, yet answered such messages whole. Batches of long texts run as
   * several passes ({@link dev.intentinference.train.finetune.StepBudget}), so memory does not grow
   * with them; data whose texts are all shorter trains exactly as before.
   */
  public static final int DEFAULT_MAX_TOKENS = 0;
  public static final int MAX_AUGMENT = 8;
  public static final int MAX_FEED_FORWARD_WIDTH = 16_384;
  /**
   * The model's embeddings and first layer stay as shipped when a teacher teaches it: their output
   * is computed once per text and its epochs run two of its three layers (on CLINC150 about 65 s
   * instead of about 105 s each; 2968 validation queries right instead of 2976, the same argmax to one
   * query; docs/fine-tuning.md). Fine-tuned alone, the model trains every layer, as validated.
   */
  public static final int DEFAULT_MODEL_FROZEN_LAYERS = 1;
  /**
   * Fine-tuned networks learn an explicit {@code oos} class from the training data's out-of-scope
   * rows when it has at least two (CLINC150: its 100 {@code oos_train} queries). On CLINC150 this
   * got 2985 of 3,100 validation queries right instead of 2968: the threshold then rejects fewer
   * in-scope queries for more out-of-scope ones (docs/accuracy.md, "Fifteenth session").
   */
  public static final boolean DEFAULT_OOS_CLASS = true;

  public FineTuning {
    java.util.Objects.requireNonNull(recipe, "recipe");
    java.util.Objects.requireNonNull(teacherRecipe, "teacherRecipe");
    if (teacher != null && teacherModel(teacher) == null) {
      EncoderRegistry.builtIn().get(teacher);
    }
    if (!(distillTemperature > 0 && distillTemperature <= 100)) {
      throw new IllegalArgumentException("distillTemperature must be in (0, 100], was " + distillTemperature);
    }
    if (!(distillWeight >= 0 && distillWeight <= 1)) {
      throw new IllegalArgumentException("distillWeight must be in [0, 1], was " + distillWeight);
    }
    if (augment < 0 || augment > MAX_AUGMENT) {
      throw new IllegalArgumentException("augment must be in 0.." + MAX_AUGMENT + ", was " + augment);
    }
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("threads must be in 1..256, was " + threads);
    }
    if (maxTokens != 0 && (maxTokens < 8 || maxTokens > 512)) {
      throw new IllegalArgumentException("maxTokens must be 0 (whole texts) or in 8..512, was " + maxTokens);
    }
    if (memoryLimitBytes < 0) {
      throw new IllegalArgumentException("memoryLimitBytes must not be negative, was " + memoryLimitBytes);
    }
    if (feedForwardWidth < 0 || feedForwardWidth > MAX_FEED_FORWARD_WIDTH) {
      throw new IllegalArgumentException("feedForwardWidth must be in 0.." + MAX_FEED_FORWARD_WIDTH + ", was " + feedForwardWidth);
    }
    startLayers = List.copyOf(java.util.Objects.requireNonNull(startLayers, "startLayers"));
  }

  /**
   * The trained model directory {@code teacher} names, or null when it names an encoder id. A
   * teacher trained once (say a 12-layer encoder, which takes most of an hour on 2 cores) can
   * teach many models: its probabilities on the training texts are all a model learns from it.
   * A name without a path separator is an encoder id unless no encoder has it and a file or
   * directory does ({@code --teacher t-b77} from the directory that holds it).
   */
  public static java.nio.file.Path teacherModel(String teacher) {
    if (teacher == null) {
      return null;
    }
    boolean path = teacher.contains("/") || teacher.contains(java.io.File.separator);
    if (!path && (isEncoderId(teacher) || !java.nio.file.Files.exists(java.nio.file.Path.of(teacher)))) {
      return null;
    }
    java.nio.file.Path dir = java.nio.file.Path.of(teacher);
    if (!java.nio.file.Files.isRegularFile(dir.resolve(dev.intentinference.core.model.ModelManifest.FILE_NAME))
        && !(java.nio.file.Files.isRegularFile(dir) && teacher.endsWith(dev.intentinference.core.model.IntentArtifact.EXTENSION))) {
      throw new dev.intentinference.core.IntentException("--teacher " + teacher
          + ": not a trained model directory (no manifest.json) nor a .intent artifact");
    }
    return dir;
  }

  private static boolean isEncoderId(String id) {
    int at = id.indexOf('@');
    return EncoderRegistry.builtIn().ids().contains(at < 0 ? id : id.substring(0, at));
  }

  public static FineTuning defaults() {
    FineTuneConfig recipe = FineTuneConfig.defaults().withMinSteps(defaultMinSteps(DEFAULT_TEACHER, FineTuneConfig.DEFAULT_BATCH_SIZE))
        .withFrozenLayers(defaultModelFrozenLayers(DEFAULT_TEACHER));
    return new FineTuning(recipe, DEFAULT_TEACHER,
        recipe.withEpochs(DEFAULT_TEACHER_EPOCHS).withLearningRates(DEFAULT_TEACHER_LEARNING_RATE, recipe.headLearningRate())
            .withMinSteps(defaultMinSteps(null, FineTuneConfig.DEFAULT_BATCH_SIZE))
            .withFrozenLayers(defaultTeacherFrozenLayers(DEFAULT_TEACHER)),
        DEFAULT_DISTILL_TEMPERATURE, DEFAULT_DISTILL_WEIGHT, DEFAULT_AUGMENT, Runtime.getRuntime().availableProcessors(),
        DEFAULT_MAX_TOKENS, 0, 0, List.of());
  }

  /**
   * The step floor of a network trained without --epochs, in batches of {@code batchSize}: a
   * model distilled from {@code teacher} sees at least {@link FineTuneConfig#MIN_EXAMPLES_DISTILLED}
   * examples, one that learns from labels alone ({@code teacher} null: a teacher itself, or a
   * model without one) {@link FineTuneConfig#MIN_EXAMPLES_LABELLED}.
   */
  public static int defaultMinSteps(String teacher, int batchSize) {
    return FineTuneConfig.minStepsFor(
        teacher == null ? FineTuneConfig.MIN_EXAMPLES_LABELLED : FineTuneConfig.MIN_EXAMPLES_DISTILLED, batchSize);
  }

  /**
   * The shipped layers a model that runs {@code run} layers starts from unless told otherwise: the
   * first {@code run}, in order. Students started from layers spread over the encoder (0, 3 and 5
   * of all-MiniLM-L6-v2) got more of BANKING77's held-out slice right for both seeds tried, and
   * fewer of its test set (docs/accuracy.md, "Thirty-second session"), so the default stays.
   */
  public static List<Integer> defaultStartLayers(int run) {
    if (run < 1) {
      throw new IllegalArgumentException("a model runs at least one layer, was " + run);
    }
    List<Integer> layers = new ArrayList<>(run);
    for (int i = 0; i < run; i++) {
      layers.add(i);
    }
    return layers;
  }

  /** How many of the model's first layers stay as shipped unless told otherwise: see {@link #DEFAULT_MODEL_FROZEN_LAYERS}. */
  public static int defaultModelFrozenLayers(String teacher) {
    return teacher == null ? 0 : DEFAULT_MODEL_FROZEN_LAYERS;
  }

  /**
   * How many of a teacher's first layers stay as shipped unless told otherwise: the lower half.
   * Their output is then computed once per text and each step runs and trains only the upper
   * half: on CLINC150 the 12-layer bge-small teacher took 310 s instead of 591 s and its model got
   * 2974 validation queries right instead of 2977 (docs/accuracy.md). 0 for a teacher trained
   * before, which is not trained again.
   */
  public static int defaultTeacherFrozenLayers(String teacher) {
    if (teacher == null || teacherModel(teacher) != null) {
      return 0;
    }
    return EncoderRegistry.builtIn().get(teacher).layersRun() / 2;
  }

  public FineTuning withRecipe(FineTuneConfig v) {
    return new FineTuning(v, teacher, teacherRecipe, distillTemperature, distillWeight, augment, threads,
        maxTokens, memoryLimitBytes, feedForwardWidth, startLayers);
  }

  public FineTuning withTeacher(String v) {
    return new FineTuning(recipe, v, teacherRecipe, distillTemperature, distillWeight, augment, threads,
        maxTokens, memoryLimitBytes, feedForwardWidth, startLayers);
  }

  public FineTuning withTeacherRecipe(FineTuneConfig v) {
    return new FineTuning(recipe, teacher, v, distillTemperature, distillWeight, augment, threads,
        maxTokens, memoryLimitBytes, feedForwardWidth, startLayers);
  }

  public FineTuning withDistillation(double temperature, double weight) {
    return new FineTuning(recipe, teacher, teacherRecipe, temperature, weight, augment, threads,
        maxTokens, memoryLimitBytes, feedForwardWidth, startLayers);
  }

  /** @param v variants of each training text the teacher labels for the student, 0..{@value #MAX_AUGMENT} */
  public FineTuning withAugment(int v) {
    return new FineTuning(recipe, teacher, teacherRecipe, distillTemperature, distillWeight, v, threads,
        maxTokens, memoryLimitBytes, feedForwardWidth, startLayers);
  }

  public FineTuning withThreads(int v) {
    return new FineTuning(recipe, teacher, teacherRecipe, distillTemperature, distillWeight, augment, v,
        maxTokens, memoryLimitBytes, feedForwardWidth, startLayers);
  }

  public FineTuning withMaxTokens(int v) {
    return new FineTuning(recipe, teacher, teacherRecipe, distillTemperature, distillWeight, augment, threads,
        v, memoryLimitBytes, feedForwardWidth, startLayers);
  }

  public FineTuning withMemoryLimit(long v) {
    return new FineTuning(recipe, teacher, teacherRecipe, distillTemperature, distillWeight, augment, threads, maxTokens, v, feedForwardWidth,
        startLayers);
  }

  /** @param v the model's trained layers keep this many feed-forward units; 0 keeps them all */
  public FineTuning withFeedForwardWidth(int v) {
    return new FineTuning(recipe, teacher, teacherRecipe, distillTemperature, distillWeight, augment, threads, maxTokens,
        memoryLimitBytes, v, startLayers);
  }

  /** @param v the shipped layers the model's layers start from, one per layer; empty for {@link #defaultStartLayers} */
  public FineTuning withStartLayers(List<Integer> v) {
    return new FineTuning(recipe, teacher, teacherRecipe, distillTemperature, distillWeight, augment, threads, maxTokens,
        memoryLimitBytes, feedForwardWidth, v);
  }

  /** The whole recipe as the manifest records it. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>(recipe.toMap());
    m.put("threads", dev.intentinference.train.finetune.TorchRuntime.threads());
    m.put("repeatable", dev.intentinference.train.finetune.TorchRuntime.repeatable());
    m.put("max_tokens", maxTokens);
    if (feedForwardWidth > 0) {
      m.put("feed_forward_width", feedForwardWidth);
    }
    if (teacher != null) {
      Map<String, Object> t = new LinkedHashMap<>();
      if (teacherModel(teacher) == null) {
        t.put("encoder", teacher);
        t.put("recipe", teacherRecipe.toMap());
      } else {
        t.put("model", teacher);
      }
      t.put("temperature", distillTemperature);
      t.put("weight", distillWeight);
      t.put("augment", augment);
      m.put("distillation", t);
    }
    return m;
  }
}
