package dev.intentinference.train.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.text.TokenBatch;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The autograd BERT, built from the shipped fp32 graph's weights, computes what the graph computes,
 * and a forward pass leaves only each layer's output behind.
 */
class TorchBertParityTest {
  @Test
  void autogradBertReproducesTheShippedEncoder() {
    EncoderSpec spec = EncoderRegistry.builtIn().get("all-minilm-l6-v2");
    BertWeights w = BertWeights.read(EncoderGraphs.model(spec));
    assertThat(w.config()).isEqualTo(new BertConfig(6, 384, 12, 1536, 1e-12f, -Float.MAX_VALUE));
    List<String> texts = List.of("change company address", "what is my balance", "hi");
    try (SentenceEncoder ort = SentenceEncoder.load(spec, SessionSettings.allCores());
        NDManager m = TorchRuntime.manager(2, 1)) {
      float[][] expected = ort.embed(texts);
      TokenBatch b = TokenBatch.pack(ort.tokenizer().encodeAll(texts));
      TorchBert bert = new TorchBert(m, w, 6, Set.of());
      Shape s = new Shape(b.batch(), b.sequenceLength());
      NDArray mask = m.create(b.attentionMask(), s);
      List<NDArray> states = bert.hiddenStates(m.create(b.ids(), s), m.create(b.typeIds(), s), mask, 0);
      NDArray last = states.get(6);
      NDArray mf = mask.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).expandDims(-1);
      NDArray pooled = last.mul(mf).sum(new int[] {1}).div(mf.sum(new int[] {1}));
      pooled = pooled.div(pooled.square().sum(new int[] {1}, true).sqrt());
      float[] got = pooled.toFloatArray();
      double maxDiff = 0;
      for (int i = 0; i < texts.size(); i++) {
        for (int d = 0; d < 384; d++) {
          maxDiff = Math.max(maxDiff, Math.abs(got[i * 384 + d] - expected[i][d]));
        }
      }
      assertThat(maxDiff).isLessThan(1e-4);
    }
  }

  @Test
  void eachLayerLeavesOnlyItsOutputInTheCallersManager() {
    EncoderSpec spec = EncoderRegistry.builtIn().get("all-minilm-l6-v2");
    BertWeights w = BertWeights.read(EncoderGraphs.model(spec));
    try (NDManager m = TorchRuntime.manager(2, 1)) {
      TorchBert two = new TorchBert(m, w, 2, Set.of());
      TorchBert six = new TorchBert(m, w, 6, Set.of());
      // With dropout, as in training: the backward pass still needs what autograd kept.
      assertThat(arraysLeftBy(six, m, 0.1f) - arraysLeftBy(two, m, 0.1f)).isEqualTo(4);
      assertThat(arraysLeftBy(six, m, 0f) - arraysLeftBy(two, m, 0f)).isEqualTo(4);
    }
  }

  /** Arrays a forward pass over a batch leaves in the manager it ran on. */
  private static int arraysLeftBy(TorchBert bert, NDManager manager, float dropout) {
    long[] ids = {101, 2689, 2194, 4769, 102, 101, 7632, 102, 0, 0};
    long[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
    Shape s = new Shape(2, 5);
    try (NDManager m = manager.newSubManager()) {
      bert.hiddenStates(m.create(ids, s), m.zeros(s, ai.djl.ndarray.types.DataType.INT64), m.create(mask, s), dropout);
      return ((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().size();
    }
  }
}
