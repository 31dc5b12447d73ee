package dev.intentinference.train.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {
  @Test
  void aFiniteStepMovesAgainstTheGradientAndANonFiniteOneChangesNothing() {
    try (NDManager m = TorchRuntime.manager(1, 1)) {
      NDArray w = Tensors.owned(m, new float[] {1f, -2f}, new Shape(2));
      w.setRequiresGradient(true);
      Map<String, NDArray> params = Map.of("w.weight", w);
      AdamW adam = new AdamW(0, 1000);

      backward(m, w, 1f);   // d(sum w)/dw = 1: Adam's first step moves each weight by -lr
      double norm = adam.step(params, Map.of("w.weight", 0.1), 1.0);
      assertThat(norm).isCloseTo(Math.sqrt(2), org.assertj.core.data.Offset.offset(1e-6));
      assertThat(w.toFloatArray()).containsExactly(new float[] {0.9f, -2.1f}, org.assertj.core.data.Offset.offset(1e-5f));

      backward(m, w, Float.NaN);
      assertThat(adam.step(params, Map.of("w.weight", 0.1), 1.0)).isNaN();
      assertThat(w.toFloatArray()).containsExactly(new float[] {0.9f, -2.1f}, org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(w.getGradient().toFloatArray()).as("gradients dropped").containsExactly(0f, 0f);
    }
  }

  private static void backward(NDManager m, NDArray w, float scale) {
    try (NDManager s = m.newSubManager(); GradientCollector gc = m.getEngine().newGradientCollector()) {
      gc.backward(w.mul(scale).sum());
    }
  }
}
