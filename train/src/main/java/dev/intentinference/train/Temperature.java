package dev.intentinference.train;

import dev.intentinference.core.model.ClassifierHead;
import dev.intentinference.core.model.DenseLayer;
import java.util.ArrayList;
import java.util.List;

/**
 * Softmax temperature folded into a head's last layer: dividing the last layer's weights and
 * bias by {@code t} divides the logits by {@code t}, so the stored head still ends in a plain
 * softmax (one Gemm + Softmax in a compiled graph) and the out-of-scope rule stays "best
 * in-scope probability below the threshold".
 *
 * <pre>{@code
 * ClassifierHead calibrated = Temperature.fold(head, 1.5); // softer probabilities
 * }</pre>
 */
public final class Temperature {
  private Temperature() {}

  /**
   * @param t temperature, (0, 100]; above 1 softens the probabilities, below 1 sharpens them
   */
  public static ClassifierHead fold(ClassifierHead head, double t) {
    if (!(t > 0 && t <= 100)) {
      throw new IllegalArgumentException("temperature must be in (0, 100], was " + t);
    }
    List<DenseLayer> layers = new ArrayList<>(head.layers());
    DenseLayer last = layers.get(layers.size() - 1);
    float inv = (float) (1 / t);
    float[] w = last.weights().clone();
    float[] b = last.bias().clone();
    for (int i = 0; i < w.length; i++) {
      w[i] *= inv;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] *= inv;
    }
    layers.set(layers.size() - 1, new DenseLayer(last.inputs(), last.outputs(), w, b, last.activation()));
    return new ClassifierHead(layers);
  }
}
