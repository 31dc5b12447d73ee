package dev.intentinference.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.model.ClassifierHead;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeadTrainerTest {
  /** Three Gaussian blobs in 8 dimensions, far apart: any working trainer separates them. */
  private static float[][] blobs(int perClass, long seed, int[] labels) {
    Random r = new Random(seed);
    float[][] x = new float[perClass * 3][8];
    for (int i = 0; i < x.length; i++) {
      int c = i % 3;
      labels[i] = c;
      for (int d = 0; d < 8; d++) {
        x[i][d] = (float) (r.nextGaussian() * 0.3 + (d == c ? 2 : 0));
      }
    }
    return x;
  }

  @Test
  void softmaxRegressionAndMlpLearnSeparableClassesDeterministically() {
    int[] y = new int[90];
    int[] vy = new int[30];
    float[][] x = blobs(30, 1, y);
    float[][] vx = blobs(10, 2, vy);
    for (int hidden : new int[] {0, 16}) {
      for (int threads : new int[] {1, 2}) {
        HeadConfig config =
            HeadConfig.defaults().withHiddenUnits(hidden).withBatchSize(8).withMaxEpochs(30).withLearningRate(0.01);
        HeadTrainer.TrainedHead a = new HeadTrainer(config, threads).train(x, y, 3, vx, vy, e -> {});
        HeadTrainer.TrainedHead b = new HeadTrainer(config, threads).train(x, y, 3, vx, vy, e -> {});
        assertThat(a.best().validationAccuracy()).as("hidden=%d threads=%d", hidden, threads).isEqualTo(1.0);
        assertThat(a.head().layers()).hasSize(hidden == 0 ? 1 : 2);
        ClassifierHead h = a.head();
        assertThat(h.inputs()).isEqualTo(8);
        assertThat(h.outputs()).isEqualTo(3);
        // Same seed, data and thread count: the same weights, bit for bit.
        for (int l = 0; l < h.layers().size(); l++) {
          assertThat(b.head().layers().get(l).weights()).containsExactly(h.layers().get(l).weights());
        }
      }
    }
  }

  @Test
  void stopsEarlyWhenValidationStopsImproving() {
    int[] y = new int[90];
    int[] vy = new int[30];
    float[][] x = blobs(30, 3, y);
    float[][] vx = blobs(10, 4, vy);
    // Validation labels unrelated to the features: the more confident the head gets, the worse
    // its validation loss, so training must stop long before the epoch limit.
    for (int i = 0; i < vy.length; i++) {
      vy[i] = (vy[i] + i / 10) % 3;
    }
    HeadConfig config = HeadConfig.defaults().withMaxEpochs(200).withPatience(3).withLearningRate(0.05);
    HeadTrainer.TrainedHead t = new HeadTrainer(config).train(x, y, 3, vx, vy, e -> {});
    assertThat(t.history().size()).isLessThan(200).isEqualTo(t.bestEpoch() + 3);
  }
}
