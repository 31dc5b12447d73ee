package dev.intentinference.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a classification head is trained on frozen embeddings. Validated on construction: every
 * error names the parameter, its value and the accepted range.
 *
 * <pre>{@code
 * HeadConfig c = HeadConfig.defaults().withHiddenUnits(0).withSeed(7); // softmax regression
 * }</pre>
 *
 * @param hiddenUnits units of the hidden ReLU layer, 0..8192; 0 trains softmax regression
 * @param maxEpochs passes over the training data at most, 1..1000
 * @param patience epochs without a better validation accuracy before stopping, 1..1000
 * @param batchSize examples per gradient step, 1..65536
 * @param learningRate Adam step size, (0, 1]
 * @param weightDecay decoupled (AdamW) weight decay per step, relative to the learning rate, [0, 1)
 * @param dropout share of hidden units dropped while training, [0, 0.9]
 * @param labelSmoothing probability mass spread over all labels in the targets, [0, 0.5]
 * @param seed seeds weight initialisation, shuffling and dropout
 */
public record HeadConfig(
    int hiddenUnits,
    int maxEpochs,
    int patience,
    int batchSize,
    double learningRate,
    double weightDecay,
    double dropout,
    double labelSmoothing,
    long seed) {

  public static final int DEFAULT_HIDDEN_UNITS = 256;
  public static final int DEFAULT_MAX_EPOCHS = 40;
  public static final int DEFAULT_PATIENCE = 5;
  public static final int DEFAULT_BATCH_SIZE = 64;
  public static final double DEFAULT_LEARNING_RATE = 2e-3;
  public static final double DEFAULT_WEIGHT_DECAY = 0;
  public static final double DEFAULT_DROPOUT = 0.5;
  public static final double DEFAULT_LABEL_SMOOTHING = 0.1;
  public static final long DEFAULT_SEED = 42;

  public HeadConfig {
    range("hiddenUnits", hiddenUnits, 0, 8192);
    range("maxEpochs", maxEpochs, 1, 1000);
    range("patience", patience, 1, 1000);
    range("batchSize", batchSize, 1, 65536);
    if (!(learningRate > 0 && learningRate <= 1)) {
      throw new IllegalArgumentException("learningRate must be in (0, 1], was " + learningRate);
    }
    if (!(weightDecay >= 0 && weightDecay < 1)) {
      throw new IllegalArgumentException("weightDecay must be in [0, 1), was " + weightDecay);
    }
    if (!(dropout >= 0 && dropout <= 0.9)) {
      throw new IllegalArgumentException("dropout must be in [0, 0.9], was " + dropout);
    }
    if (!(labelSmoothing >= 0 && labelSmoothing <= 0.5)) {
      throw new IllegalArgumentException("labelSmoothing must be in [0, 0.5], was " + labelSmoothing);
    }
  }

  public static HeadConfig defaults() {
    return new HeadConfig(DEFAULT_HIDDEN_UNITS, DEFAULT_MAX_EPOCHS, DEFAULT_PATIENCE, DEFAULT_BATCH_SIZE,
        DEFAULT_LEARNING_RATE, DEFAULT_WEIGHT_DECAY, DEFAULT_DROPOUT, DEFAULT_LABEL_SMOOTHING, DEFAULT_SEED);
  }

  public HeadConfig withHiddenUnits(int v) {
    return new HeadConfig(v, maxEpochs, patience, batchSize, learningRate, weightDecay, dropout, labelSmoothing, seed);
  }

  public HeadConfig withMaxEpochs(int v) {
    return new HeadConfig(hiddenUnits, v, patience, batchSize, learningRate, weightDecay, dropout, labelSmoothing, seed);
  }

  public HeadConfig withPatience(int v) {
    return new HeadConfig(hiddenUnits, maxEpochs, v, batchSize, learningRate, weightDecay, dropout, labelSmoothing, seed);
  }

  public HeadConfig withBatchSize(int v) {
    return new HeadConfig(hiddenUnits, maxEpochs, patience, v, learningRate, weightDecay, dropout, labelSmoothing, seed);
  }

  public HeadConfig withLearningRate(double v) {
    return new HeadConfig(hiddenUnits, maxEpochs, patience, batchSize, v, weightDecay, dropout, labelSmoothing, seed);
  }

  public HeadConfig withWeightDecay(double v) {
    return new HeadConfig(hiddenUnits, maxEpochs, patience, batchSize, learningRate, v, dropout, labelSmoothing, seed);
  }

  public HeadConfig withDropout(double v) {
    return new HeadConfig(hiddenUnits, maxEpochs, patience, batchSize, learningRate, weightDecay, v, labelSmoothing, seed);
  }

  public HeadConfig withLabelSmoothing(double v) {
    return new HeadConfig(hiddenUnits, maxEpochs, patience, batchSize, learningRate, weightDecay, dropout, v, seed);
  }

  public HeadConfig withSeed(long v) {
    return new HeadConfig(hiddenUnits, maxEpochs, patience, batchSize, learningRate, weightDecay, dropout, labelSmoothing, v);
  }

  /** The hyperparameters as recorded in a manifest's {@code training} map. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("head", hiddenUnits == 0 ? "softmax-regression" : "mlp");
    m.put("hidden_units", hiddenUnits);
    m.put("max_epochs", maxEpochs);
    m.put("patience", patience);
    m.put("batch_size", batchSize);
    m.put("optimizer", "adamw");
    m.put("learning_rate", learningRate);
    m.put("weight_decay", weightDecay);
    m.put("dropout", hiddenUnits == 0 ? 0.0 : dropout);
    m.put("label_smoothing", labelSmoothing);
    m.put("seed", seed);
    return m;
  }

  private static void range(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + value);
    }
  }
}
