package dev.intentinference.core.model;

/** Numerically stable softmax. */
public final class Softmax {
  private Softmax() {}

  public static float[] of(float[] logits) {
    float max = Float.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    float[] p = new float[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      p[i] = (float) Math.exp(logits[i] - max);
      sum += p[i];
    }
    float inv = (float) (1 / sum);
    for (int i = 0; i < p.length; i++) {
      p[i] *= inv;
    }
    return p;
  }
}
