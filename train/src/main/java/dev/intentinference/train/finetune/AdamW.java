package dev.intentinference.train.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), with a global gradient-norm clip,
 * written with plain tensor operations so its arithmetic is visible and the same on every engine.
 * Weight decay is not applied to biases and layer-norm weights, as in BERT fine-tuning.
 */
final class AdamW {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  private final double weightDecay;
  private final double maxGradNorm;
  private final Map<String, NDArray[]> moments = new HashMap<>();
  private int steps;

  AdamW(double weightDecay, double maxGradNorm) {
    this.weightDecay = weightDecay;
    this.maxGradNorm = maxGradNorm;
  }

  /**
   * One step over {@code params} (each with a gradient from the last backward pass), each at
   * {@code rate * its group's learning rate}; gradients are zeroed afterwards. A step whose
   * gradients are not finite changes nothing (the gradients are dropped), as mixed-precision
   * trainers skip overflowing steps.
   *
   * @return the global gradient norm before clipping; not finite when the step was skipped
   */
  double step(Map<String, NDArray> params, Map<String, Double> learningRates, double rate) {
    // Every temporary is closed as soon as it is used: the parameters and moments live in the
    // long-lived manager, and anything left attached to it would accumulate step after step.
    Map<String, NDArray> grads = new HashMap<>();
    double sumSquares = 0;
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray g = e.getValue().getGradient();
      grads.put(e.getKey(), g);
      try (NDArray sq = g.square(); NDArray sum = sq.sum()) {
        sumSquares += sum.getFloat();
      }
    }
    double norm = Math.sqrt(sumSquares);
    if (!Double.isFinite(norm)) {
      discard(grads);
      return norm;
    }
    steps++;
    float clip = norm > maxGradNorm ? (float) (maxGradNorm / (norm + 1e-6)) : 1f;
    float correction1 = (float) (1 - Math.pow(BETA1, steps));
    float correction2 = (float) (1 - Math.pow(BETA2, steps));
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      String name = e.getKey();
      NDArray p = e.getValue();
      NDArray[] mv = moments.computeIfAbsent(name, k -> new NDArray[] {p.zerosLike(), p.zerosLike()});
      float lr = (float) (rate * learningRates.get(name));
      try (NDArray g = grads.get(name)) {
        if (clip != 1f) {
          g.muli(clip);
        }
        try (NDArray scaled = g.mul(1 - BETA1)) {
          mv[0].muli(BETA1).addi(scaled);
        }
        try (NDArray squared = g.square()) {
          mv[1].muli(BETA2).addi(squared.muli(1 - BETA2));
        }
        try (NDArray vHat = mv[1].div(correction2);
            NDArray root = vHat.sqrt();
            NDArray update = mv[0].div(correction1)) {
          update.divi(root.addi(EPSILON));
          if (decays(name) && weightDecay > 0) {
            try (NDArray decay = p.mul((float) weightDecay)) {
              update.addi(decay);
            }
          }
          p.subi(update.muli(lr));
        }
        g.muli(0f);
      }
    }
    return norm;
  }

  /** Zeroes the gradients of {@code params} without a step (after a non-finite loss). */
  void skip(Map<String, NDArray> params) {
    Map<String, NDArray> grads = new HashMap<>();
    params.forEach((name, p) -> {
      if (p.hasGradient()) {
        grads.put(name, p.getGradient());
      }
    });
    discard(grads);
  }

  /** Sets the gradients to zero in place (multiplying by 0 would keep a NaN). */
  private static void discard(Map<String, NDArray> grads) {
    for (NDArray g : grads.values()) {
      try (g) {
        g.set(new NDIndex("..."), 0f);
      }
    }
  }

  private static boolean decays(String name) {
    return !name.endsWith(".bias") && !name.contains("LayerNorm");
  }
}
