package dev.intentinference.train;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.train.finetune.StepBudget;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * A conservative estimate of the native memory fine-tuning needs (weights, gradients, AdamW
 * moments, activations of one batch, libtorch itself), checked before any work so that a machine
 * without it gets one clear line instead of an out-of-memory kill halfway through.
 */
final class MemoryEstimate {
  /** BERT-small shapes: every built-in encoder is 384 wide with a 1536-wide feed-forward layer. */
  private static final long HIDDEN = 384;
  private static final long INTERMEDIATE = 1536;
  private static final long HEADS = 12;
  private static final long VOCABULARY = 30522;
  private static final long LIBTORCH = 400L << 20;

  private MemoryEstimate() {}

  static long bytes(EncoderSpec spec, int labels, int batchSize) {
    long layers = spec.layersRun();
    long perLayer = 4 * HIDDEN * HIDDEN + 2 * HIDDEN * INTERMEDIATE;
    long trainable = layers * perLayer + 512 * HIDDEN + (long) spec.dimension() * labels;
    long weights = VOCABULARY * HIDDEN + trainable;
    // A step's passes stay within a full batch of StepBudget.REFERENCE_TOKENS-token texts, however long the texts.
    long activations = layers * StepBudget.cost(HIDDEN, INTERMEDIATE, HEADS, batchSize, StepBudget.REFERENCE_TOKENS);
    return 4 * (weights + 3 * trainable + activations) + LIBTORCH;
  }

  static void check(EncoderSpec model, EncoderSpec teacher, FineTuning f, int labels) {
    long need = bytes(model, labels, f.recipe().batchSize());
    if (teacher != null) {
      need = Math.max(need, bytes(teacher, labels, f.teacherRecipe().batchSize()));
    }
    long limit = f.memoryLimitBytes() > 0 ? f.memoryLimitBytes() : available();
    if (limit > 0 && need > limit) {
      throw new IntentException(String.format(Locale.ROOT,
          "too little memory to fine-tune: about %d MB needed (%s%s, batch %d) but %d MB %s; "
              + "lower --batch-size, or use --frozen",
          need >> 20, model.id(), teacher == null ? "" : " with teacher " + teacher.id(), f.recipe().batchSize(),
          limit >> 20, f.memoryLimitBytes() > 0 ? "allowed by --memory-limit" : "is all this machine has"));
    }
  }

  /**
   * The machine's physical memory, or 0 when the platform does not say. Not the free memory: on
   * Linux that excludes the page cache, which the kernel gives back on demand.
   */
  private static long available() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return 0;
  }
}
