package dev.intentinference.cli;

import dev.intentinference.train.HeadTrainer;
import dev.intentinference.train.TrainingListener;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;

/** Draws one bar per encoder (texts/s, ETA) and one for head epochs. */
final class TrainingProgressBars implements TrainingListener {
  private final ProgressBars bars;
  private ProgressBar current;

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
}
