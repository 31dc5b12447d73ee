package dev.intentinference.train.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.core.text.TokenBatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The constants of the forward pass (attention scale, logit scale, temperature, loss weights) are
 * still there when the backward pass needs them, even when the garbage collector has run in
 * between and freed memory was written over. The eighth to tenth sessions' rare non-finite steps
 * came from DJL's number overloads, whose operand lives in a buffer nothing keeps alive.
 */
class BackwardAfterCollectionTest {
  private static final EncoderSpec CUT = EncoderRegistry.builtIn().get("all-minilm-l6-v2@0-3");
  private static final List<String> TEXTS = List.of("what's my balance", "send 20 dollars to bob",
      "how much money do i have", "move money to savings");
  private static final int[] LABELS = {0, 1, 0, 1};
  /** Forward passes summed before one backward pass: each leaves constants for it to read. */
  private static final int PASSES = 40;

  @Test
  void gradientsAreTheSameWhenTheCollectorRunsBeforeTheBackwardPass() {
    Map<String, float[]> quiet = gradients(false);
    Map<String, float[]> collected = gradients(true);
    assertThat(collected.keySet()).isEqualTo(quiet.keySet());
    quiet.forEach((name, g) -> {
      assertThat(nonFinite(g)).as(name).isZero();
      // isEqualTo compares arrays element by element, without containsExactly's costly diff.
      assertThat(collected.get(name)).as(name).isEqualTo(g);
    });
  }

  private static Map<String, float[]> gradients(boolean collectBeforeBackward) {
    BertWeights weights = BertWeights.read(EncoderGraphs.model(CUT));
    TokenBatch batch;
    try (TextTokenizer tok = TextTokenizer.fromBytes(ClasspathResources.readAll(CUT.tokenizerResource()), 64)) {
      batch = TokenBatch.pack(tok.encodeAll(TEXTS));
    }
    // Both parts of the loss: labels and a teacher at temperature 2.
    FineTuner.Distillation teacher = new FineTuner.Distillation(
        new float[][] {{3, -1}, {-2, 2}, {1, 0}, {0, 1}}, 2, 0.5);
    FineTuner tuner = new FineTuner(FineTuneConfig.defaults());
    try (NDManager m = TorchRuntime.manager(1, 7); NDManager step = m.newSubManager()) {
      IntentNetwork net = new IntentNetwork(m, CUT, weights, 2, 20, false, 7);
      try (GradientCollector gc = m.getEngine().newGradientCollector()) {
        NDArray total = null;
        for (int i = 0; i < PASSES; i++) {
          NDArray loss = tuner.loss(step, net.logits(step, batch, 0f), LABELS, teacher, 2, new int[] {0, 1, 2, 3});
          total = total == null ? loss : total.add(loss);
        }
        if (collectBeforeBackward) {
          collectAndOverwriteFreedMemory();
        }
        gc.backward(total);
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      net.trainable().forEach((name, p) -> out.put(name, p.getGradient().toFloatArray()));
      return out;
    }
  }

  private static int nonFinite(float[] values) {
    int n = 0;
    for (float v : values) {
      n += Float.isFinite(v) ? 0 : 1;
    }
    return n;
  }

  /** Frees unreachable direct buffers and fills small new ones with NaN, which reuse their memory. */
  private static void collectAndOverwriteFreedMemory() {
    List<ByteBuffer> keep = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      for (int k = 0; k < 2000; k++) {
        ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        b.putFloat(0, Float.NaN);
        keep.add(b);
      }
    }
  }
}
