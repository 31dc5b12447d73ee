package dev.intentinference.train.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import java.util.List;

/** Ten short banking and small-talk texts in three intents, and ways to compare what networks compute for them. */
final class NetworkFixtures {
  static final List<String> TEXTS = List.of(
      "what's my balance", "how much money do i have", "send 20 dollars to bob", "move money to savings",
      "tell me a joke", "say something funny", "what is the balance on my checking account right now please",
      "transfer 100 from checking to savings please", "make me laugh", "hi");
  static final int[] LABELS = {0, 0, 1, 1, 2, 2, 0, 1, 2, 2};

  private NetworkFixtures() {}

  /** The head's input for each text, one row per text. */
  static float[][] features(NDManager m, IntentNetwork net, List<TokenizedText> tokens) {
    try (NDManager s = m.newSubManager()) {
      float[] flat = net.features(s, TokenBatch.pack(tokens), 0f).toFloatArray();
      int width = flat.length / tokens.size();
      float[][] out = new float[tokens.size()][width];
      for (int i = 0; i < out.length; i++) {
        System.arraycopy(flat, i * width, out[i], 0, width);
      }
      return out;
    }
  }

  static double maxDifference(float[][] a, float[][] b) {
    assertThat(a.length).isEqualTo(b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, maxDifference(a[i], b[i]));
    }
    return max;
  }

  static double maxDifference(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
