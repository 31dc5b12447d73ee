package dev.intentinference.train;

/**
 * Hears how a training run progresses, e.g. to draw progress bars. Every method has a no-op
 * default; calls come from the training thread.
 */
public interface TrainingListener {
  TrainingListener NONE = new TrainingListener() {};

  /** An encoder is about to embed {@code texts} texts. */
  default void embeddingStarted(String encoderId, int texts) {}

  /** {@code done} of the announced texts are embedded. */
  default void embedded(int done) {}

  /** The encoder finished after {@code seconds} of wall time. */
  default void embeddingFinished(String encoderId, int texts, double seconds) {}

  /** Head training starts; at most {@code maxEpochs} epochs follow. */
  default void headStarted(int maxEpochs) {}

  default void headEpoch(HeadTrainer.EpochResult epoch) {}

  default void headFinished(int epochs, double seconds) {}

  /** Fine-tuning of {@code encoderId} starts ({@code role} is {@code teacher} or {@code model}): {@code totalSteps} steps follow. */
  default void fineTuneStarted(String role, String encoderId, int epochs, int totalSteps) {}

  /** One optimisation step finished with this batch loss. */
  default void fineTuneStep(int step, int totalSteps, double loss) {}

  /** One epoch finished, with its validation in-scope accuracy. */
  default void fineTuneEpoch(String role, dev.intentinference.train.finetune.FineTuner.EpochRecord epoch) {}

  /** Fine-tuning of {@code role} finished. */
  default void fineTuneFinished(String role, double seconds) {}
}
