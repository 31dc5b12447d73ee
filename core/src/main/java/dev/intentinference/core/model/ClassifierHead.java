package dev.intentinference.core.model;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.SafeTensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A stack of dense layers mapping a sentence embedding to one logit per label. Temperature and
 * any other calibration are folded into the last layer, so probabilities are a plain softmax of
 * the logits (and the compiler can fuse the head into an ONNX graph as Gemm + Softmax).
 *
 * <p>Stored as safetensors: {@code layer{i}.weight} {@code [out, in]} and {@code layer{i}.bias}
 * {@code [out]}; the activations are listed in the manifest.
 */
public record ClassifierHead(List<DenseLayer> layers) {
  public ClassifierHead {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("a head needs at least one layer");
    }
    for (int i = 1; i < layers.size(); i++) {
      if (layers.get(i).inputs() != layers.get(i - 1).outputs()) {
        throw new IllegalArgumentException("layer " + i + " takes " + layers.get(i).inputs()
            + " inputs but layer " + (i - 1) + " gives " + layers.get(i - 1).outputs());
      }
    }
    layers = List.copyOf(layers);
  }

  public int inputs() {
    return layers.get(0).inputs();
  }

  public int outputs() {
    return layers.get(layers.size() - 1).outputs();
  }

  /** Logits for one embedding. */
  public float[] logits(float[] x) {
    float[] current = x;
    for (DenseLayer layer : layers) {
      float[] next = new float[layer.outputs()];
      layer.forward(current, next);
      current = next;
    }
    return current;
  }

  public List<String> activationNames() {
    return layers.stream().map(l -> l.activation().name().toLowerCase(Locale.ROOT)).toList();
  }

  public byte[] toSafeTensors() {
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    for (int i = 0; i < layers.size(); i++) {
      DenseLayer l = layers.get(i);
      tensors.put("layer" + i + ".weight", new SafeTensors.Tensor(new long[] {l.outputs(), l.inputs()}, l.weights()));
      tensors.put("layer" + i + ".bias", new SafeTensors.Tensor(new long[] {l.outputs()}, l.bias()));
    }
    return SafeTensors.write(tensors);
  }

  public static ClassifierHead fromSafeTensors(byte[] file, List<String> activations) {
    Map<String, SafeTensors.Tensor> tensors = SafeTensors.read(file);
    List<DenseLayer> layers = new ArrayList<>();
    for (int i = 0; i < activations.size(); i++) {
      SafeTensors.Tensor w = tensors.get("layer" + i + ".weight");
      SafeTensors.Tensor b = tensors.get("layer" + i + ".bias");
      if (w == null || b == null || w.shape().length != 2) {
        throw new IntentException("head weights: layer" + i + ".weight/.bias missing or not 2-D/1-D");
      }
      Activation act;
      try {
        act = Activation.valueOf(activations.get(i).toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IntentException("head: unknown activation '" + activations.get(i) + "'", e);
      }
      try {
        layers.add(new DenseLayer((int) w.shape()[1], (int) w.shape()[0], w.values(), b.values(), act));
      } catch (IllegalArgumentException e) {
        throw new IntentException("head weights: layer" + i + ": " + e.getMessage(), e);
      }
    }
    try {
      return new ClassifierHead(layers);
    } catch (IllegalArgumentException e) {
      throw new IntentException("head weights: " + e.getMessage(), e);
    }
  }
}
