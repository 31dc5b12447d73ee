package dev.intentinference.cli;

import dev.intentinference.train.HeadTrainer;
import dev.intentinference.train.TrainingListener;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;

/**
 * Draws one bar per encoder (texts/s, ETA) and one for head epochs; when fine-tuning, one bar per
 * network (teacher, then model) over optimisation steps, with the running loss and the last
 * epoch's validation accuracy.
 */
final class TrainingProgressBars implements TrainingListener {
  private final ProgressBars bars;
  private ProgressBar current;
  private double smoothedLoss = Double.NaN;
  private String lastEpoch = "";

  TrainingProgressBars(ProgressBars bars) {
    this.bars = bars;
  }

  @Override
  public void embeddingStarted(String encoderId, int texts) {
    current = bars.start("embed " + encoderId, texts, "texts");
  }

  @Override
  public void embedded(int done) {
    ProgressBars.stepTo(current, done);
  }

  @Override
  public void embeddingFinished(String encoderId, int texts, double seconds) {
    ProgressBars.close(current);
    current = null;
  }

  @Override
  public void headStarted(int maxEpochs) {
    current = bars.start("train head", maxEpochs, "epochs");
  }

  @Override
  public void headEpoch(HeadTrainer.EpochResult epoch) {
    if (current != null) {
      current.stepTo(epoch.epoch());
      current.setExtraMessage(String.format(Locale.ROOT, " val acc %.4f", epoch.validationAccuracy()));
    }
  }

  @Override
  public void headFinished(int epochs, double seconds) {
    ProgressBars.close(current);
    current = null;
  }

  @Override
  public void fineTuneStarted(String role, String encoderId, int epochs, int totalSteps) {
    smoothedLoss = Double.NaN;
    lastEpoch = "";
    current = bars.start("fine-tune " + role + " " + encoderId, totalSteps, "steps");
  }

  @Override
  public void fineTuneStep(int step, int totalSteps, double loss) {
    smoothedLoss = Double.isNaN(smoothedLoss) ? loss : 0.95 * smoothedLoss + 0.05 * loss;
    if (current != null) {
      current.stepTo(step);
      current.setExtraMessage(String.format(Locale.ROOT, " loss %.4f%s", smoothedLoss, lastEpoch));
    }
  }

  @Override
  public void fineTuneEpoch(String role, dev.intentinference.train.finetune.FineTuner.EpochRecord epoch) {
    lastEpoch = String.format(Locale.ROOT, " | epoch %d val acc %.4f", epoch.epoch(), epoch.validationAccuracy());
    bars.log(String.format(Locale.ROOT, "%s epoch %d: train loss %.4f, validation in-scope accuracy %.4f (%.0f s)%s",
        role, epoch.epoch(), epoch.trainLoss(), epoch.validationAccuracy(), epoch.seconds(),
        epoch.skippedSteps() == 0 ? "" : ", " + epoch.skippedSteps() + " steps skipped (non-finite)"));
  }

  @Override
  public void fineTuneFinished(String role, double seconds) {
    ProgressBars.close(current);
    current = null;
  }
}
