package dev.intentinference.train.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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

  private final NDManager manager;
  private final double weightDecay;
  private final double maxGradNorm;
  private final Map<String, NDArray[]> moments = new HashMap<>();
  private int steps;

  AdamW(NDManager manager, double weightDecay, double maxGradNorm) {
    this.manager = manager;
    this.weightDecay = weightDecay;
    this.maxGradNorm = maxGradNorm;
  }

  /**
   * One step over {@code params} (each with a gradient from the last backward pass), each at
   * {@code rate * its group's learning rate}; gradients are zeroed afterwards.
   *
   * @return the global gradient norm before clipping
   */
  double step(Map<String, NDArray> params, Map<String, Double> learningRates, double rate) {
    steps++;
    try (NDManager scratch = manager.newSubManager()) {
      Map<String, NDArray> grads = new HashMap<>();
      NDArray total = null;
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        NDArray g = e.getValue().getGradient();
        g.attach(scratch);
        grads.put(e.getKey(), g);
        NDArray sq = g.square().sum();
        total = total == null ? sq : total.add(sq);
      }
      double norm = Math.sqrt(total.getFloat());
      float clip = norm > maxGradNorm ? (float) (maxGradNorm / (norm + 1e-6)) : 1f;
      float correction1 = (float) (1 - Math.pow(BETA1, steps));
      float correction2 = (float) (1 - Math.pow(BETA2, steps));
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        String name = e.getKey();
        NDArray p = e.getValue();
        NDArray g = grads.get(name);
        NDArray[] mv = moments.computeIfAbsent(name, k -> new NDArray[] {p.zerosLike(), p.zerosLike()});
        NDArray m = mv[0];
        NDArray v = mv[1];
        p.tempAttach(scratch);
        m.tempAttach(scratch);
        v.tempAttach(scratch);
        NDArray clipped = clip == 1f ? g : g.mul(clip);
        m.muli(BETA1).addi(clipped.mul(1 - BETA1));
        v.muli(BETA2).addi(clipped.square().muli(1 - BETA2));
        float lr = (float) (rate * learningRates.get(name));
        NDArray update = m.div(correction1).divi(v.div(correction2).sqrt().addi(EPSILON));
        if (decays(name) && weightDecay > 0) {
          update.addi(p.mul((float) weightDecay));
        }
        p.subi(update.muli(lr));
        g.muli(0f);
      }
      return norm;
    }
  }

  private static boolean decays(String name) {
    return !name.endsWith(".bias") && !name.contains("LayerNorm");
  }
}
