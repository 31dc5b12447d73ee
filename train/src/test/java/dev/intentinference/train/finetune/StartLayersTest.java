package dev.intentinference.train.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.train.FineTuning;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A 3-layer model can start from any of its encoder's six layers, and the graph written back carries them. */
class StartLayersTest {
  private static EncoderSpec cut;
  private static BertWeights three;
  private static BertWeights six;

  @BeforeAll
  static void read() {
    cut = EncoderRegistry.builtIn().get("all-minilm-l6-v2@0-3");
    three = BertWeights.read(EncoderGraphs.model(cut));
    six = BertWeights.read(EncoderGraphs.shippedModel(cut));
  }

  @Test
  void eachLayerTakesTheNamedLayersWeightsAndKeepsItsInitializer() {
    BertWeights moved = three.withLayersFrom(six, List.of(0, 3, 5));
    int[] from = {0, 3, 5};
    for (int l = 0; l < 3; l++) {
      List<String> to = BertWeights.layerNames(l);
      List<String> source = BertWeights.layerNames(from[l]);
      for (int i = 0; i < to.size(); i++) {
        assertThat(moved.get(to.get(i)).values()).as(to.get(i)).isEqualTo(six.get(source.get(i)).values());
        assertThat(moved.get(to.get(i)).initializer()).isEqualTo(three.get(to.get(i)).initializer());
      }
    }
    assertThat(moved.get("encoder.layer.1.output.dense.weight").values())
        .isNotEqualTo(three.get("encoder.layer.1.output.dense.weight").values());
    for (String e : BertWeights.EMBEDDINGS) {
      assertThat(moved.get(e).values()).as(e).isEqualTo(three.get(e).values());
    }
  }

  @Test
  void theGraphWrittenBackRunsTheMovedLayersInTheModelsSlots() {
    ModelProto written = three.withLayersFrom(six, List.of(0, 3, 5)).writeInto(EncoderGraphs.shippedModel(cut));
    BertWeights back = BertWeights.read(written);
    assertThat(back.config().layers()).isEqualTo(6);
    assertThat(back.get("encoder.layer.2.attention.self.value.weight").values())
        .isEqualTo(six.get("encoder.layer.5.attention.self.value.weight").values());
    // The shipped graph's layers past the model's keep their own weights; the model's cut never runs them.
    assertThat(back.get("encoder.layer.5.attention.self.value.weight").values())
        .isEqualTo(six.get("encoder.layer.5.attention.self.value.weight").values());
  }

  @Test
  void aLayerTheEncoderLacksIsRefused() {
    assertThatThrownBy(() -> three.withLayersFrom(six, List.of(0, 3, 6))).isInstanceOf(IntentException.class)
        .hasMessage("layer 6 is not one of the encoder's (0..5)");
    assertThatThrownBy(() -> three.withLayersFrom(six, List.of(-1, 3, 5))).isInstanceOf(IntentException.class)
        .hasMessage("layer -1 is not one of the encoder's (0..5)");
  }

  @Test
  void byDefaultTheFirstLayersInOrder() {
    assertThat(FineTuning.defaultStartLayers(3)).containsExactly(0, 1, 2);
    assertThat(FineTuning.defaultStartLayers(1)).containsExactly(0);
    assertThatThrownBy(() -> FineTuning.defaultStartLayers(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
