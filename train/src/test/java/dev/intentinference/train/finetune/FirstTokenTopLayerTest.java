package dev.intentinference.train.finetune;

import static dev.intentinference.train.finetune.NetworkFixtures.LABELS;
import static dev.intentinference.train.finetune.NetworkFixtures.TEXTS;
import static dev.intentinference.train.finetune.NetworkFixtures.features;
import static dev.intentinference.train.finetune.NetworkFixtures.maxDifference;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.encoder.Pooling;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A [CLS]-pooled encoder's top layer computes its output for the first token alone: the features
 * are still the served encoder's, with or without a fixed lower part, and the top layer still
 * trains.
 */
class FirstTokenTopLayerTest {
  /** bge-small-en-v1.5 pools [CLS]; three of its layers keep the test quick. */
  private static final EncoderSpec CLS = EncoderRegistry.builtIn().get("bge-small-en-v1.5@3");
  private static final BertWeights SHIPPED = BertWeights.read(EncoderGraphs.model(CLS));

  @Test
  void theTopLayersFirstRowIsTheWholeLayersAndTheServedFeatures() throws Exception {
    assertThat(CLS.pooling()).isEqualTo(Pooling.CLS);
    try (SentenceEncoder ort = SentenceEncoder.load(CLS, SessionSettings.allCores());
        NDManager m = TorchRuntime.manager(2, 7)) {
      List<TokenizedText> tokens = ort.tokenizer().encodeAll(TEXTS);
      IntentNetwork net = new IntentNetwork(m, CLS, SHIPPED, 3, 20, false, 7);
      assertThat(net.poolsFirstTokenOfTop()).isTrue();
      assertThat(maxDifference(features(m, net, tokens), ort.embed(TEXTS))).isLessThan(1e-4);

      TokenBatch b = TokenBatch.pack(tokens);
      Shape s = new Shape(b.batch(), b.sequenceLength());
      try (NDManager scratch = m.newSubManager()) {
        NDArray ids = scratch.create(b.ids(), s);
        NDArray types = scratch.create(b.typeIds(), s);
        NDArray mask = scratch.create(b.attentionMask(), s);
        NDArray whole = net.bert().hiddenStates(ids, types, mask, 0).get(3);
        NDArray first = net.bert().hiddenStates(ids, types, mask, 0, true).get(3);
        assertThat(first.getShape()).isEqualTo(new Shape(b.batch(), 1, CLS.dimension()));
        assertThat(maxDifference(first.toFloatArray(), whole.get(":, 0:1, :").toFloatArray())).isLessThan(1e-5);
      }
    }
  }

  @Test
  void meanPooledOrMultiStateEncodersKeepEveryTokenOnTop() {
    try (NDManager m = TorchRuntime.manager(2, 7)) {
      EncoderSpec mean = EncoderRegistry.builtIn().get("all-minilm-l6-v2@3");
      EncoderSpec several = EncoderRegistry.builtIn().get("bge-small-en-v1.5@2-3");
      assertThat(new IntentNetwork(m, mean, BertWeights.read(EncoderGraphs.model(mean)), 3, 20, false, 7)
          .poolsFirstTokenOfTop()).isFalse();
      assertThat(new IntentNetwork(m, several, SHIPPED, 3, 20, false, 7).poolsFirstTokenOfTop()).isFalse();
    }
  }

  @Test
  void withAFixedLowerPartTheCachedStatesGiveTheSameLogitsAndTheTopLayerTrains() throws Exception {
    try (SentenceEncoder ort = SentenceEncoder.load(CLS, SessionSettings.allCores());
        NDManager m = TorchRuntime.manager(2, 5)) {
      List<TokenizedText> tokens = ort.tokenizer().encodeAll(TEXTS);
      FineTuner.Examples examples = new FineTuner.Examples(tokens, LABELS);
      FineTuneConfig recipe = FineTuneConfig.defaults().withEpochs(2).withBatchSize(4).withLearningRates(1e-3, 1e-2)
          .withFrozenLayers(1);
      FineTuner.Result r = new FineTuner(recipe).train(m, CLS, SHIPPED, 3, examples, null, examples,
          FineTuner.Listener.NONE);
      assertThat(r.trainStates()).isNotNull();
      float[][] cached = r.trainStates().logits(m, r.network());
      float[][] whole = FineTuner.logits(m, r.network(), tokens);
      for (int i = 0; i < whole.length; i++) {
        assertThat(maxDifference(cached[i], whole[i])).as("text %d", i).isLessThan(1e-5);
      }
      String top = "encoder.layer.2.attention.self.query.weight";
      assertThat(maxDifference(r.network().bert().values().get(top), SHIPPED.get(top).values())).isGreaterThan(1e-5);
    }
  }
}
