package dev.intentinference.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.onnx.Vectors;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncoderLayerSelectionTest {
  private static final EncoderRegistry REGISTRY = EncoderRegistry.builtIn();
  private static final List<String> TEXTS = List.of(
      "change company address", "update the address of my business", "what is the weather tomorrow");

  @Test
  void selectionIsPartOfTheIdAndWidensTheEmbedding() {
    EncoderSpec spec = REGISTRY.get("all-minilm-l6-v2-q@0-3");
    assertThat(spec.id()).isEqualTo("all-minilm-l6-v2-q@0-3");
    assertThat(spec.dimension()).isEqualTo(4 * 384);
    assertThat(spec.layersRun()).isEqualTo(3);
    assertThat(spec.onnxSha256()).isEqualTo(REGISTRY.get("all-minilm-l6-v2-q").onnxSha256());
  }

  @Test
  void theCutGraphKeepsOnlyTheLayersItRuns() {
    int full = EncoderGraphs.model(REGISTRY.get("all-minilm-l6-v2-q")).getGraph().getNodeCount();
    int cut = EncoderGraphs.model(REGISTRY.get("all-minilm-l6-v2-q@0-3")).getGraph().getNodeCount();
    assertThat(cut).isLessThan(full * 2 / 3);
    assertThat(EncoderGraphs.model(REGISTRY.get("all-minilm-l6-v2-q@0-3")).getGraph().getInitializerCount())
        .isLessThan(EncoderGraphs.model(REGISTRY.get("all-minilm-l6-v2-q")).getGraph().getInitializerCount());
  }

  @Test
  void selectingTheLastLayerGivesTheShippedEmbedding() {
    float[][] shipped = embed("all-minilm-l6-v2-q");
    float[][] last = embed("all-minilm-l6-v2-q@6");
    for (int i = 0; i < TEXTS.size(); i++) {
      assertThat(Vectors.cosine(shipped[i], last[i])).isGreaterThan(0.9999f);
    }
  }

  @Test
  void aRangeIsTheConcatenationOfItsStates() {
    float[][] range = embed("all-minilm-l6-v2-q@0-3");
    float[][] third = embed("all-minilm-l6-v2-q@3");
    float[][] embeddings = embed("all-minilm-l6-v2-q@0");
    for (int i = 0; i < TEXTS.size(); i++) {
      assertThat(range[i]).hasSize(1536);
      assertThat(Vectors.dot(range[i], range[i])).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
      assertThat(Vectors.cosine(Arrays.copyOfRange(range[i], 3 * 384, 4 * 384), third[i])).isGreaterThan(0.9999f);
      assertThat(Vectors.cosine(Arrays.copyOfRange(range[i], 0, 384), embeddings[i])).isGreaterThan(0.9999f);
    }
    // Still a sentence embedding: the paraphrase is nearer than the unrelated question.
    assertThat(Vectors.cosine(range[0], range[1])).isGreaterThan(Vectors.cosine(range[0], range[2]) + 0.1f);
  }

  @Test
  void badSelectionsAreRefusedWithTheExpectedForm() {
    assertThatThrownBy(() -> REGISTRY.get("all-minilm-l6-v2-q@7"))
        .isInstanceOf(IntentException.class).hasMessageContaining("has 6 layers");
    for (String bad : List.of("all-minilm-l6-v2-q@3-1", "all-minilm-l6-v2-q@x", "all-minilm-l6-v2-q@", "all-minilm-l6-v2-q@-1", "all-minilm-l6-v2-q@1-2-3")) {
      assertThatThrownBy(() -> REGISTRY.get(bad)).as(bad)
          .isInstanceOf(IntentException.class).hasMessageContaining("FIRST-LAST");
    }
    assertThatThrownBy(() -> REGISTRY.get("nope@3"))
        .isInstanceOf(IntentException.class).hasMessageContaining("unknown encoder 'nope'");
  }

  private static float[][] embed(String id) {
    try (SentenceEncoder enc = SentenceEncoder.load(REGISTRY.get(id), SessionSettings.singleThread())) {
      return enc.embed(TEXTS);
    }
  }
}
