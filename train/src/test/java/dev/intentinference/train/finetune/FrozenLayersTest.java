package dev.intentinference.train.finetune;

import static dev.intentinference.train.finetune.NetworkFixtures.LABELS;
import static dev.intentinference.train.finetune.NetworkFixtures.TEXTS;
import static dev.intentinference.train.finetune.NetworkFixtures.maxDifference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import dev.intentinference.core.io.ClasspathResources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A fixed lower part of the encoder: its output, computed once per text and re-padded into other
 * batches, gives the logits the whole network gives; training leaves its weights exactly as
 * shipped and moves the rest.
 */
class FrozenLayersTest {
  private static final EncoderSpec WHOLE = EncoderRegistry.builtIn().get("all-minilm-l6-v2");
  /** Read once: the networks copy what they train into tensors and never write back here. */
  private static final BertWeights SHIPPED = BertWeights.read(EncoderGraphs.model(WHOLE));

  @Test
  void statesComputedOnceGiveTheWholeNetworksLogitsInAnyBatch() {
    try (NDManager m = TorchRuntime.manager(2, 3)) {
      List<TokenizedText> tokens = tokens();
      IntentNetwork net = new IntentNetwork(m, WHOLE, weights(), 3, 20, false, 4, 3);
      assertThat(net.startsFromFrozenState()).isTrue();
      FrozenStates states = FrozenStates.of(m, net, tokens);
      // Two short texts, their states computed in a batch padded to the longest text.
      int[] rows = {9, 0};
      float[] expected = net.logits(m, TokenBatch.pack(List.of(tokens.get(9), tokens.get(0))), 0f).toFloatArray();
      FrozenStates.Batch b = states.batch(m, rows);
      assertThat(b.states().getShape().get(1)).isEqualTo(tokens.get(0).length());
      assertThat(b.pooledBelow()).as("a selection above the fixed layers").isNull();
      assertThat(maxDifference(net.logitsFrom(b.states(), b.mask(), b.pooledBelow(), 0f).toFloatArray(), expected)).isLessThan(1e-5);

      assertSameLogits(states.logits(m, net), FineTuner.logits(m, net, tokens));
    }
  }

  @Test
  void trainingMovesOnlyTheLayersAboveTheFrozenOnes() {
    try (NDManager m = TorchRuntime.manager(2, 5)) {
      FineTuner.Result r = train(m, WHOLE, 2, 4);
      assertThat(r.trainStates()).isNotNull();
      assertThat(r.trainStates().size()).isEqualTo(TEXTS.size());
      Map<String, float[]> tuned = r.network().bert().values();
      BertWeights shipped = weights();
      for (String name : BertWeights.EMBEDDINGS) {
        assertThat(tuned.get(name)).as(name).isEqualTo(shipped.get(name).values());
      }
      for (int layer = 0; layer < 6; layer++) {
        for (String name : BertWeights.layerNames(layer)) {
          if (layer < 4) {
            assertThat(tuned.get(name)).as(name).isEqualTo(shipped.get(name).values());
          } else if (name.endsWith("query.weight")) {
            assertThat(maxDifference(tuned.get(name), shipped.get(name).values())).as(name).isGreaterThan(1e-5);
          }
        }
      }
      float[][] fromScratch = FineTuner.logits(m, r.network(), tokens());
      // What the teacher hands on, from the states: what the trained network computes from scratch.
      assertSameLogits(r.trainStates().logits(m, r.network()), fromScratch);
      // The last validation pass, which the manifest's agreement reuses, is the trained network's.
      assertSameLogits(r.validationLogits(), fromScratch);
    }
  }

  @Test
  void withoutFixedLayersTheLastValidationPassIsTheTrainedNetworks() {
    try (NDManager m = TorchRuntime.manager(2, 5)) {
      FineTuner.Result r = train(m, WHOLE, 1, 0);
      assertThat(r.trainStates()).isNull();
      assertSameLogits(r.validationLogits(), FineTuner.logits(m, r.network(), tokens()));
    }
  }

  /**
   * The served default's selection ({@code @0-3}) pools the embedding output and every layer's
   * state: with the first layer fixed, the pooled vectors of states 0 and 1 are kept next to state
   * 1, and the logits from them are the whole network's.
   */
  @Test
  void aSelectionThatPoolsFixedStatesKeepsTheirPooledVectors() {
    EncoderSpec cut = EncoderRegistry.builtIn().get("all-minilm-l6-v2@0-3");
    try (NDManager m = TorchRuntime.manager(2, 5)) {
      List<TokenizedText> tokens = tokens();
      for (int frozen : new int[] {1, 3}) {
        IntentNetwork net = new IntentNetwork(m, cut, weights(), 3, 20, false, frozen, 3);
        assertThat(net.startsFromFrozenState()).isTrue();
        assertThat(net.selectedBelowFixed()).as("states 0..%d", frozen - 1).isEqualTo(frozen);
        FrozenStates states = FrozenStates.of(m, net, tokens);
        int[] rows = {9, 0};
        float[] expected = net.logits(m, TokenBatch.pack(List.of(tokens.get(9), tokens.get(0))), 0f).toFloatArray();
        FrozenStates.Batch b = states.batch(m, rows);
        assertThat(b.pooledBelow().getShape().get(1)).isEqualTo(frozen * 384L);
        assertThat(maxDifference(net.logitsFrom(b.states(), b.mask(), b.pooledBelow(), 0f).toFloatArray(), expected))
            .as("%d fixed", frozen).isLessThan(1e-5);
        assertSameLogits(states.logits(m, net), FineTuner.logits(m, net, tokens));
        assertThatThrownBy(() -> net.logitsFrom(b.states(), b.mask(), null, 0f))
            .isInstanceOf(IllegalArgumentException.class);
      }

      FineTuner.Result r = train(m, cut, 1, 1);
      assertThat(r.trainStates()).isNotNull();
      String fixed = "encoder.layer.0.intermediate.dense.weight";
      String trained = "encoder.layer.1.intermediate.dense.weight";
      Map<String, float[]> tuned = r.network().bert().values();
      assertThat(tuned.get(fixed)).isEqualTo(weights().get(fixed).values());
      assertThat(maxDifference(tuned.get(trained), weights().get(trained).values())).isGreaterThan(1e-5);
      assertSameLogits(r.trainStates().logits(m, r.network()), FineTuner.logits(m, r.network(), tokens()));
    }
  }

  @Test
  void aNetworkWithoutFixedLayersHasNothingToStartFrom() {
    try (NDManager m = TorchRuntime.manager(2, 5)) {
      IntentNetwork net = new IntentNetwork(m, WHOLE, weights(), 3, 20, false, 0, 3);
      assertThat(net.startsFromFrozenState()).isFalse();
      assertThatThrownBy(() -> net.logitsFrom(null, null, null, 0f)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void frozenLayersOutOfRangeAreRefusedByName() {
    assertThatThrownBy(() -> FineTuneConfig.defaults().withFrozenLayers(49))
        .hasMessage("frozenLayers must be in 0..48, was 49");
  }

  /** Trains on the ten texts (validated on them too) with the embeddings and {@code frozenLayers} layers fixed. */
  private static FineTuner.Result train(NDManager m, EncoderSpec spec, int epochs, int frozenLayers) {
    FineTuner.Examples examples = new FineTuner.Examples(tokens(), LABELS);
    FineTuneConfig recipe = FineTuneConfig.defaults().withEpochs(epochs).withBatchSize(4).withLearningRates(1e-3, 1e-2)
        .withFrozenLayers(frozenLayers);
    return new FineTuner(recipe).train(m, spec, weights(), 3, examples, null, examples, FineTuner.Listener.NONE);
  }

  private static BertWeights weights() {
    return SHIPPED;
  }

  private static List<TokenizedText> tokens() {
    try (TextTokenizer tok = TextTokenizer.fromBytes(ClasspathResources.readAll(WHOLE.tokenizerResource()), 64)) {
      return tok.encodeAll(TEXTS);
    }
  }

  private static void assertSameLogits(float[][] actual, float[][] expected) {
    assertThat(actual.length).isEqualTo(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(maxDifference(actual[i], expected[i])).as("text %d", i).isLessThan(1e-5);
    }
  }
}
