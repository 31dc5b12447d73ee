package dev.intentinference.train.finetune;

import static dev.intentinference.train.finetune.NetworkFixtures.features;
import static dev.intentinference.train.finetune.NetworkFixtures.maxDifference;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.text.TokenizedText;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What is trained is what is served: the encoder written back into the ONNX graph gives, in ONNX
 * Runtime, the features the autograd network computes, before and after fine-tuning, with a
 * layer selection applied on top of the written graph.
 */
class ExportParityTest {
  private static final EncoderSpec SPEC = EncoderRegistry.builtIn().get("all-minilm-l6-v2@0-3");
  private static final List<String> TEXTS = List.of(
      "what's my balance", "how much money do i have", "send 20 dollars to bob", "move money to savings",
      "tell me a joke", "say something funny", "what is the balance on my checking account",
      "transfer 100 from checking to savings please", "make me laugh", "hi");
  private static final int[] LABELS = {0, 0, 1, 1, 2, 2, 0, 1, 2, 2};

  @Test
  void exportedEncoderMatchesTheNetworkBeforeAndAfterFineTuning() throws Exception {
    ModelProto shipped = EncoderGraphs.shippedModel(SPEC);
    try (SentenceEncoder ort = SentenceEncoder.load(SPEC, SessionSettings.allCores());
        NDManager m = TorchRuntime.manager(2, 7)) {
      List<TokenizedText> tokens = ort.tokenizer().encodeAll(TEXTS);
      FineTuner.Examples examples = new FineTuner.Examples(tokens, LABELS);
      IntentNetwork before = new IntentNetwork(m, SPEC, BertWeights.read(EncoderGraphs.model(SPEC)), 3, 20, false, 7);
      assertThat(maxDifference(features(m, before, tokens), ort.embed(TEXTS))).isLessThan(1e-4);

      FineTuneConfig quick = FineTuneConfig.defaults().withEpochs(3).withBatchSize(4).withLearningRates(1e-3, 1e-2);
      FineTuner.Result r = new FineTuner(quick).train(m, SPEC, BertWeights.read(EncoderGraphs.model(SPEC)), 3,
          examples, null, examples, FineTuner.Listener.NONE);
      byte[] tuned = r.network().encoderWeights(BertWeights.read(shipped)).writeInto(shipped).toByteArray();
      try (SentenceEncoder exported = SentenceEncoder.load(SPEC, tuned, SessionSettings.allCores())) {
        float[][] served = exported.embed(TEXTS);
        assertThat(maxDifference(features(m, r.network(), tokens), served)).isLessThan(1e-4);
        // The weights really moved: the served features are no longer the shipped encoder's.
        assertThat(maxDifference(served, ort.embed(TEXTS))).isGreaterThan(1e-3);
      }
      assertThat(ModelProto.parseFrom(tuned).getGraph().getNodeCount()).isEqualTo(shipped.getGraph().getNodeCount());
    }
  }

  /**
   * A model whose upper layers keep only part of their feed-forward units is written back with the
   * narrower initializers, and ONNX Runtime computes what the network does from them.
   */
  @Test
  void narrowedFeedForwardIsWrittenWithItsShapesAndServesWhatTheNetworkComputes() throws Exception {
    ModelProto shipped = EncoderGraphs.shippedModel(SPEC);
    BertWeights narrow = BertWeights.read(EncoderGraphs.model(SPEC)).withFeedForwardWidth(256, 1, 3);
    try (SentenceEncoder ort = SentenceEncoder.load(SPEC, SessionSettings.allCores());
        NDManager m = TorchRuntime.manager(2, 7)) {
      List<TokenizedText> tokens = ort.tokenizer().encodeAll(TEXTS);
      FineTuneConfig quick = FineTuneConfig.defaults().withEpochs(2).withBatchSize(4).withLearningRates(1e-3, 1e-2)
          .withFrozenLayers(1);
      FineTuner.Result r = new FineTuner(quick).train(m, SPEC, narrow, 3, new FineTuner.Examples(tokens, LABELS), null,
          new FineTuner.Examples(tokens, LABELS), FineTuner.Listener.NONE);
      ModelProto written = r.network().encoderWeights(narrow).writeInto(shipped);
      Map<String, List<Long>> dims = new HashMap<>();
      written.getGraph().getInitializerList().forEach(t -> dims.put(t.getName(), t.getDimsList()));
      for (int layer = 0; layer < 3; layer++) {
        long units = layer == 1 || layer == 2 ? 256 : 1536;
        String p = "encoder.layer." + layer + ".";
        assertThat(dims.get(p + "intermediate.dense.bias")).as("layer %d", layer).containsExactly(units);
        assertThat(dims.get(narrow.get(p + "output.dense.weight").initializer())).containsExactly(units, 384L);
      }
      try (SentenceEncoder exported = SentenceEncoder.load(SPEC, written.toByteArray(), SessionSettings.allCores())) {
        assertThat(maxDifference(features(m, r.network(), tokens), exported.embed(TEXTS))).isLessThan(1e-4);
      }
    }
  }
}
