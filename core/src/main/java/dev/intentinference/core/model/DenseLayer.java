package dev.intentinference.core.model;

/**
 * {@code y = activation(W x + b)}.
 *
 * @param inputs size of x
 * @param outputs size of y
 * @param weights {@code outputs * inputs} values, row-major (one row per output, as PyTorch's
 *     {@code Linear.weight})
 * @param bias {@code outputs} values
 * @param activation applied element-wise after the affine map
 */
public record DenseLayer(int inputs, int outputs, float[] weights, float[] bias, Activation activation) {
  public DenseLayer {
    if (weights.length != (long) inputs * outputs) {
      throw new IllegalArgumentException("weights must hold " + inputs + "x" + outputs + " values, has " + weights.length);
    }
    if (bias.length != outputs) {
      throw new IllegalArgumentException("bias must hold " + outputs + " values, has " + bias.length);
    }
  }

  /** Writes {@code activation(W x + b)} into {@code y}. */
  public void forward(float[] x, float[] y) {
    for (int o = 0; o < outputs; o++) {
      float s = bias[o];
      int row = o * inputs;
      for (int i = 0; i < inputs; i++) {
        s += weights[row + i] * x[i];
      }
      y[o] = activation.apply(s);
    }
  }
}
