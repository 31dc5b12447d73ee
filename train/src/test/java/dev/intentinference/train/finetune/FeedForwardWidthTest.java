package dev.intentinference.train.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.onnx.EncoderGraphs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cutting a layer's feed-forward block keeps its strongest units, their weights untouched and in order. */
class FeedForwardWidthTest {
  private static final String IN = "encoder.layer.1.intermediate.dense.weight";
  private static final String BIAS = "encoder.layer.1.intermediate.dense.bias";
  private static final String OUT = "encoder.layer.1.output.dense.weight";
  private static BertWeights shipped;

  @BeforeAll
  static void read() {
    shipped = BertWeights.read(EncoderGraphs.model(EncoderRegistry.builtIn().get("all-minilm-l6-v2")));
  }

  @Test
  void keepsTheUnitsWithTheLargestWeightsOnBothSides() {
    int hidden = 384;
    int units = 1536;
    BertWeights cut = shipped.withFeedForwardWidth(8, 1, 2);
    assertThat(cut.get(IN).shape()).containsExactly(hidden, 8);
    assertThat(cut.get(BIAS).shape()).containsExactly(8);
    assertThat(cut.get(OUT).shape()).containsExactly(8, hidden);

    float[] in = shipped.get(IN).values();
    float[] out = shipped.get(OUT).values();
    // Which source unit each kept one is: the one whose bias and output row it carries.
    List<Integer> kept = new ArrayList<>();
    for (int k = 0; k < 8; k++) {
      kept.add(sourceUnit(cut.get(OUT).values(), k, out, hidden, units));
      int u = kept.get(k);
      assertThat(cut.get(BIAS).values()[k]).isEqualTo(shipped.get(BIAS).values()[u]);
      for (int r = 0; r < hidden; r++) {
        assertThat(cut.get(IN).values()[r * 8 + k]).isEqualTo(in[r * units + u]);
      }
    }
    assertThat(kept).isSorted().doesNotHaveDuplicates();
    double weakestKept = kept.stream().mapToDouble(u -> score(in, out, u, hidden, units)).min().orElseThrow();
    for (int u = 0; u < units; u++) {
      if (!kept.contains(u)) {
        assertThat(score(in, out, u, hidden, units)).as("dropped unit %d", u).isLessThanOrEqualTo(weakestKept);
      }
    }
  }

  @Test
  void onlyTheLayersInTheRangeChange() {
    BertWeights cut = shipped.withFeedForwardWidth(100, 1, 2);
    for (int layer : new int[] {0, 2, 5}) {
      for (String name : BertWeights.layerNames(layer)) {
        assertThat(cut.get(name).values()).as(name).isEqualTo(shipped.get(name).values());
      }
    }
    assertThat(cut.get("encoder.layer.1.attention.self.query.weight").values())
        .isEqualTo(shipped.get("encoder.layer.1.attention.self.query.weight").values());
  }

  @Test
  void theFullWidthChangesNothingAndAWiderOneIsRefused() {
    BertWeights same = shipped.withFeedForwardWidth(1536, 0, 6);
    for (BertWeights.Tensor t : shipped.tensors()) {
      assertThat(same.get(t.name()).values()).as(t.name()).isEqualTo(t.values());
    }
    assertThatThrownBy(() -> shipped.withFeedForwardWidth(1537, 2, 3)).isInstanceOf(IntentException.class)
        .hasMessage("a feed-forward width of 1537 is more than layer 2's 1536 units");
  }

  private static int sourceUnit(float[] cutOut, int k, float[] out, int hidden, int units) {
    for (int u = 0; u < units; u++) {
      boolean same = true;
      for (int r = 0; r < hidden && same; r++) {
        same = cutOut[k * hidden + r] == out[u * hidden + r];
      }
      if (same) {
        return u;
      }
    }
    throw new AssertionError("kept unit " + k + " is no unit of the source");
  }

  private static double score(float[] in, float[] out, int u, int hidden, int units) {
    double a = 0;
    double b = 0;
    for (int r = 0; r < hidden; r++) {
      a += (double) in[r * units + u] * in[r * units + u];
      b += (double) out[u * hidden + r] * out[u * hidden + r];
    }
    return Math.sqrt(a) * Math.sqrt(b);
  }
}
