package dev.intentinference.core.model;

/** Non-linearity after a dense layer of a classification head. */
public enum Activation {
  NONE,
  RELU,
  GELU,
  TANH;

  public float apply(float x) {
    return switch (this) {
      case NONE -> x;
      case RELU -> x > 0 ? x : 0;
      case TANH -> (float) Math.tanh(x);
      // tanh approximation, as used by BERT heads; the compiler emits the same formula.
      case GELU -> (float) (0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))));
    };
  }
}
