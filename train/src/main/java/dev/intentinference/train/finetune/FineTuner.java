package dev.intentinference.train.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fine-tunes an encoder together with a linear head, end to end, on the CPU: AdamW, linear
 * warm-up and decay, dropout, gradient clipping, and batches of similar length (so little time
 * goes on padding; a batch of long texts runs as several passes within a {@link StepBudget}, its
 * gradients accumulated). Optionally distils: the loss then mixes the labels with a teacher's softened
 * probabilities (Hinton et al.), so a small student learns what a large teacher learnt.
 *
 * <p>Deterministic for a seed and a thread count: shuffling, head initialisation and dropout are
 * all seeded.
 *
 * <pre>{@code
 * try (NDManager m = TorchRuntime.manager(2, 42)) {
 *   FineTuner.Result r = new FineTuner(FineTuneConfig.defaults()).train(m, spec, weights, 150, train, null, val, listener);
 * }
 * }</pre>
 */
public final class FineTuner {
  /** More non-finite steps in a row than this (or more than 1% of all) mean training has diverged. */
  static final int MAX_CONSECUTIVE_SKIPS = 5;
  /** Texts per forward pass when only predicting. */
  static final int PREDICT_BATCH = 128;
  /** Batches are drawn from pools of this many batches sorted by length. */
  private static final int POOL_BATCHES = 50;

  /** Training examples: token ids and a label index per text. */
  public record Examples(List<TokenizedText> tokens, int[] labels) {
    public Examples {
      if (tokens.size() != labels.length) {
        throw new IllegalArgumentException(tokens.size() + " texts but " + labels.length + " labels");
      }
    }

    public int size() {
      return labels.length;
    }
  }

  /**
   * A teacher's logits for every training text, and how they are used.
   *
   * @param logits one row per training text, in the order of the training examples
   * @param temperature softens both teacher and student distributions, (0, 100]
   * @param weight share of the loss that comes from the teacher, [0, 1]
   * @param labelled the first this many rows learn from their labels and the teacher; the rest
   *     (a text's variants, whose label an edit may have made wrong) from the teacher alone
   */
  public record Distillation(float[][] logits, double temperature, double weight, int labelled) {
    /** Every row's label is trusted. */
    public Distillation(float[][] logits, double temperature, double weight) {
      this(logits, temperature, weight, logits.length);
    }

    public Distillation {
      if (labelled < 0 || labelled > logits.length) {
        throw new IllegalArgumentException("labelled must be in 0.." + logits.length + ", was " + labelled);
      }
      if (!(temperature > 0 && temperature <= 100)) {
        throw new IllegalArgumentException("temperature must be in (0, 100], was " + temperature);
      }
      if (!(weight >= 0 && weight <= 1)) {
        throw new IllegalArgumentException("weight must be in [0, 1], was " + weight);
      }
    }
  }

  /** What happens during a run, for progress bars and logs. */
  public interface Listener {
    Listener NONE = new Listener() {};

    default void started(int epochs, int stepsPerEpoch) {}

    default void step(int step, int totalSteps, double loss) {}

    default void epochFinished(EpochRecord epoch) {}
  }

  /**
   * One epoch: mean training loss, validation in-scope accuracy, time taken, and the steps skipped
   * because their loss or gradients were not finite (normally 0).
   */
  public record EpochRecord(int epoch, double trainLoss, double validationAccuracy, double seconds, int skippedSteps,
      StepTime stepTime) {}

  /**
   * Where an epoch's steps spent their time: the forward and backward passes, and the optimizer
   * (gradient norm and update). The rest of the epoch is batching and validation.
   */
  public record StepTime(double passSeconds, double optimizerSeconds) {}

  /**
   * @param trainStates the fixed part's output for every training text, or null when every step
   *     ran the whole encoder
   * @param validationLogits the trained network's logits for the validation examples, in order, as
   *     the last epoch's validation computed them (empty without validation examples)
   */
  public record Result(IntentNetwork network, List<EpochRecord> history, double seconds, FrozenStates trainStates,
      float[][] validationLogits) {}

  private final FineTuneConfig config;
  /** A step's passes hold at most what a full batch of texts this long holds ({@link StepBudget}). */
  private final int budgetTokens;

  public FineTuner(FineTuneConfig config) {
    this(config, StepBudget.REFERENCE_TOKENS);
  }

  /** With another pass budget than a full batch of {@value StepBudget#REFERENCE_TOKENS}-token texts: for tests. */
  FineTuner(FineTuneConfig config, int budgetTokens) {
    this.config = config;
    this.budgetTokens = budgetTokens;
  }

  public FineTuneConfig config() {
    return config;
  }

  public Result train(NDManager manager, EncoderSpec spec, BertWeights weights, int labels, Examples train,
      Distillation teacher, Examples validation, Listener listener) {
    if (teacher != null && teacher.logits().length != train.size()) {
      throw new IllegalArgumentException("teacher gives " + teacher.logits().length + " rows for " + train.size() + " texts");
    }
    long start = System.nanoTime();
    IntentNetwork net = ExitGuard.process().call(() -> new IntentNetwork(manager, spec, weights, labels,
        config.logitScale(), config.trainWordEmbeddings(), config.frozenLayers(), config.seed()));
    boolean cache = net.startsFromFrozenState() && fitsInHeap(net, train, validation);
    FrozenStates trainStates = cache ? FrozenStates.of(manager, net, train.tokens()) : null;
    FrozenStates validationStates = cache ? FrozenStates.of(manager, net, validation.tokens()) : null;
    StepBudget budget = StepBudget.of(net.bert().config(), config.batchSize(), budgetTokens);
    int[] lengths = LengthChunks.lengths(train.tokens());
    Map<String, NDArray> params = net.trainable();
    Map<String, Double> rates = new HashMap<>();
    params.keySet().forEach(n -> rates.put(n, n.startsWith("head.") ? config.headLearningRate() : config.encoderLearningRate()));
    AdamW optimizer = new AdamW(config.weightDecay(), config.maxGradNorm());
    Random rng = new Random(config.seed());
    int perEpoch = (train.size() + config.batchSize() - 1) / config.batchSize();
    int epochs = config.epochsFor(perEpoch);
    int total = perEpoch * epochs;
    int warmup = (int) Math.round(total * config.warmupFraction());
    listener.started(epochs, perEpoch);
    List<EpochRecord> history = new ArrayList<>();
    float[][] validationLogits = new float[0][];
    int step = 0;
    int skipped = 0;
    int consecutiveSkips = 0;
    for (int epoch = 1; epoch <= epochs; epoch++) {
      long epochStart = System.nanoTime();
      long passNanos = 0;
      long optimizerNanos = 0;
      double lossSum = 0;
      int epochSkipped = 0;
      List<int[]> batches = batches(train.tokens(), config.batchSize(), rng);
      for (int[] batch : batches) {
        if (Thread.currentThread().isInterrupted()) {
          throw new IntentException("fine-tuning interrupted at step " + step + " of " + total);
        }
        double rate = step < warmup ? (step + 1.0) / warmup : Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
        long passStart = System.nanoTime();
        double loss = 0;
        List<int[]> pieces = budget.split(batch, lengths, batch.length);
        for (int[] piece : pieces) {
          // Each piece's mean loss weighted by its share of the batch: the gradients the passes
          // add up are the batch's mean loss's. A batch in one piece keeps its float operations.
          float share = pieces.size() == 1 ? 1f : (float) piece.length / batch.length;
          // Every pass and update through the exit's guard: an exit waits for the one under way
          // (a pass holds at most the step budget's tokens: on CLINC150 with the defaults, 2 cores,
          // 0.13 s for the model and 0.36 s for the teacher on average, the manifest's
          // forward_backward_seconds per step) and none starts after it, so libtorch is not torn
          // down under a pass, and the training goes no further while the exit deletes its output.
          loss += ExitGuard.process().call(() -> pass(manager, net, train, trainStates, teacher, labels, piece, share));
        }
        long optimizerStart = System.nanoTime();
        passNanos += optimizerStart - passStart;
        boolean applied;
        if (Double.isFinite(loss)) {
          applied = Double.isFinite(ExitGuard.process().call(() -> optimizer.step(params, rates, rate)));
        } else {
          ExitGuard.process().run(() -> optimizer.skip(params));
          applied = false;
        }
        optimizerNanos += System.nanoTime() - optimizerStart;
        if (applied) {
          lossSum += loss;
          consecutiveSkips = 0;
        } else {
          skipped++;
          epochSkipped++;
          if (++consecutiveSkips > MAX_CONSECUTIVE_SKIPS || skipped > Math.max(MAX_CONSECUTIVE_SKIPS, total / 100)) {
            throw new IntentException("fine-tuning diverged: " + skipped + " of " + (step + 1)
                + " steps had a non-finite loss or gradient; lower the learning rates");
          }
        }
        step++;
        listener.step(step, total, loss);
      }
      validationLogits = validation.size() == 0 ? new float[0][]
          : validationStates != null ? validationStates.logits(manager, net)
          : logits(manager, net, validation.tokens());
      double accuracy = validationLogits.length == 0 ? Double.NaN : accuracy(validationLogits, validation.labels());
      EpochRecord record = new EpochRecord(epoch, lossSum / Math.max(1, batches.size() - epochSkipped), accuracy,
          (System.nanoTime() - epochStart) / 1e9, epochSkipped, new StepTime(passNanos / 1e9, optimizerNanos / 1e9));
      history.add(record);
      listener.epochFinished(record);
    }
    return new Result(net, List.copyOf(history), (System.nanoTime() - start) / 1e9, trainStates, validationLogits);
  }

  /**
   * Whether the fixed part's output for both data sets fits in a quarter of the heap; beyond that
   * the steps run the fixed part again (no backward pass through it either way).
   */
  private static boolean fitsInHeap(IntentNetwork net, Examples train, Examples validation) {
    int hidden = net.bert().config().hidden();
    int pooled = net.selectedBelowFixed() * hidden;
    long bytes = FrozenStates.bytes(train.tokens(), hidden, pooled) + FrozenStates.bytes(validation.tokens(), hidden, pooled);
    return bytes <= Runtime.getRuntime().maxMemory() / 4;
  }

  /**
   * One forward and backward pass over the rows {@code batch}, adding its gradients to the
   * parameters'; returns its loss, times {@code share} when that is not 1.
   */
  private double pass(NDManager manager, IntentNetwork net, Examples train, FrozenStates trainStates, Distillation teacher,
      int labels, int[] batch, float share) {
    try (NDManager m = manager.newSubManager()) {
      NDArray loss;
      try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
        NDArray logits;
        if (trainStates != null) {
          FrozenStates.Batch b = trainStates.batch(m, batch);
          logits = net.logitsFrom(b.states(), b.mask(), b.pooledBelow(), (float) config.dropout());
        } else {
          List<TokenizedText> texts = new ArrayList<>(batch.length);
          for (int i : batch) {
            texts.add(train.tokens().get(i));
          }
          logits = net.logits(m, TokenBatch.pack(texts), (float) config.dropout());
        }
        loss = loss(m, logits, train.labels(), teacher, labels, batch);
        if (share != 1f) {
          loss = loss.mul(Tensors.scalar(m, share));
        }
        gc.backward(loss);
      }
      return loss.getFloat();
    }
  }

  /**
   * The loss of a batch from its logits: cross-entropy with the labels, mixed with the teacher's
   * softened probabilities when distilling.
   *
   * @param gold every training text's label index; {@code batch} holds rows of it
   */
  NDArray loss(NDManager m, NDArray logits, int[] gold, Distillation teacher, int labels, int[] batch) {
    NDArray loss;
    Shape shape = new Shape(batch.length, labels);
    NDArray target = Tensors.owned(m, targets(gold, batch, labels), shape);
    NDArray hard = logits.logSoftmax(-1).mul(target).sum(new int[] {1}).neg();
    if (teacher != null && teacher.weight() > 0) {
      float t = (float) teacher.temperature();
      NDArray soft = Tensors.owned(m, softTargets(teacher, batch, labels), shape);
      NDArray kd = logits.div(Tensors.scalar(m, t)).logSoftmax(-1).mul(soft).sum(new int[] {1}).neg();
      float w = (float) teacher.weight();
      // Batches without variants keep the former float operations in their order, so runs
      // without --augment repeat earlier models bit for bit.
      if (allLabelled(teacher, batch)) {
        loss = hard.mean().mul(Tensors.scalar(m, (float) (1 - teacher.weight())))
            .add(kd.mean().mul(Tensors.scalar(m, t * t)).mul(Tensors.scalar(m, w)));
      } else {
        RowWeights weights = rowWeights(teacher, batch);
        loss = hard.mul(Tensors.owned(m, weights.label(), new Shape(batch.length)))
            .add(kd.mul(Tensors.owned(m, weights.teacher(), new Shape(batch.length)))).mean();
      }
    } else {
      loss = hard.mean();
    }
    return loss;
  }

  /**
   * Per row of a batch: the weight of its label's cross-entropy and of the teacher's
   * (temperature-squared included).
   */
  record RowWeights(float[] label, float[] teacher) {}

  /** Labelled rows of {@code batch} mix label and teacher; variants learn from the teacher alone. */
  static RowWeights rowWeights(Distillation teacher, int[] batch) {
    float t2 = (float) (teacher.temperature() * teacher.temperature());
    float[] hard = new float[batch.length];
    float[] soft = new float[batch.length];
    for (int r = 0; r < batch.length; r++) {
      boolean labelled = batch[r] < teacher.labelled();
      hard[r] = labelled ? (float) (1 - teacher.weight()) : 0;
      soft[r] = (labelled ? (float) teacher.weight() : 1) * t2;
    }
    return new RowWeights(hard, soft);
  }

  private static boolean allLabelled(Distillation teacher, int[] batch) {
    for (int i : batch) {
      if (i >= teacher.labelled()) {
        return false;
      }
    }
    return true;
  }

  private float[] targets(int[] gold, int[] batch, int labels) {
    float smooth = (float) config.labelSmoothing();
    float[] t = new float[batch.length * labels];
    for (int r = 0; r < batch.length; r++) {
      for (int c = 0; c < labels; c++) {
        t[r * labels + c] = smooth / labels;
      }
      t[r * labels + gold[batch[r]]] += 1 - smooth;
    }
    return t;
  }

  private static float[] softTargets(Distillation teacher, int[] batch, int labels) {
    float[] t = new float[batch.length * labels];
    for (int r = 0; r < batch.length; r++) {
      float[] z = teacher.logits()[batch[r]];
      double max = Double.NEGATIVE_INFINITY;
      for (float v : z) {
        max = Math.max(max, v / teacher.temperature());
      }
      double sum = 0;
      for (int c = 0; c < labels; c++) {
        double e = Math.exp(z[c] / teacher.temperature() - max);
        t[r * labels + c] = (float) e;
        sum += e;
      }
      for (int c = 0; c < labels; c++) {
        t[r * labels + c] /= (float) sum;
      }
    }
    return t;
  }

  /** Share of rows whose highest logit is their label. */
  private static double accuracy(float[][] logits, int[] labels) {
    int correct = 0;
    for (int i = 0; i < logits.length; i++) {
      if (argMax(logits[i]) == labels[i]) {
        correct++;
      }
    }
    return (double) correct / logits.length;
  }

  /** Logits for every text, in order, without dropout or gradients. */
  public static float[][] logits(NDManager manager, IntentNetwork net, List<TokenizedText> texts) {
    float[][] out = new float[texts.size()][];
    for (int[] rows : LengthChunks.of(LengthChunks.lengths(texts), PREDICT_BATCH, net.bert().config())) {
      List<TokenizedText> chunk = new ArrayList<>(rows.length);
      for (int r : rows) {
        chunk.add(texts.get(r));
      }
      ExitGuard.process().run(() -> {
        try (NDManager m = manager.newSubManager()) {
          scatter(net.logits(m, TokenBatch.pack(chunk), 0f), rows, out);
        }
      });
    }
    return out;
  }

  /** Row {@code i} of {@code logits} {@code [rows, labels]} into {@code out[rows[i]]}. */
  static void scatter(NDArray logits, int[] rows, float[][] out) {
    int labels = (int) logits.getShape().get(1);
    float[] flat = logits.toFloatArray();
    for (int i = 0; i < rows.length; i++) {
      out[rows[i]] = java.util.Arrays.copyOfRange(flat, i * labels, (i + 1) * labels);
    }
  }

  /**
   * Batches for one epoch: indices shuffled, then pools of {@link #POOL_BATCHES} batches sorted by
   * length and cut, then the batches shuffled, so each batch holds texts of similar length.
   */
  static List<int[]> batches(List<TokenizedText> texts, int batchSize, Random rng) {
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      idx.add(i);
    }
    Collections.shuffle(idx, rng);
    List<int[]> batches = new ArrayList<>();
    int pool = batchSize * POOL_BATCHES;
    for (int from = 0; from < idx.size(); from += pool) {
      List<Integer> chunk = new ArrayList<>(idx.subList(from, Math.min(idx.size(), from + pool)));
      chunk.sort(Comparator.comparingInt(i -> texts.get(i).length()));
      for (int b = 0; b < chunk.size(); b += batchSize) {
        batches.add(chunk.subList(b, Math.min(chunk.size(), b + batchSize)).stream().mapToInt(Integer::intValue).toArray());
      }
    }
    Collections.shuffle(batches, rng);
    return batches;
  }

  /** The index of the highest value, the first on a tie. */
  public static int argMax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
