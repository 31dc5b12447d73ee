package dev.intentinference.train.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.encoder.LayerSelection;
import dev.intentinference.core.encoder.Pooling;
import dev.intentinference.core.model.Activation;
import dev.intentinference.core.model.ClassifierHead;
import dev.intentinference.core.model.DenseLayer;
import dev.intentinference.core.text.TokenBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Encoder, pooling and head as one autograd network: the computation the served model does
 * (selected hidden states concatenated, pooled as the encoder's spec says, L2-normalised, then a
 * linear head), so that what is trained here is exactly what ONNX Runtime later runs.
 *
 * <p>The pooled vector has unit length, so the head multiplies by a fixed {@code logitScale}
 * (a cosine-style classifier); the scale is folded into the exported head's weights.
 */
public final class IntentNetwork {
  static final String HEAD_WEIGHT = "head.weight";
  static final String HEAD_BIAS = "head.bias";

  private final EncoderSpec spec;
  private final TorchBert bert;
  private final NDArray headWeight;
  private final NDArray headBias;
  private final float logitScale;
  private final int labels;

  /**
   * @param weights the encoder's weights (fp32), read from its ONNX graph
   * @param labels number of classes
   */
  public IntentNetwork(NDManager manager, EncoderSpec spec, BertWeights weights, int labels, double logitScale,
      boolean trainWordEmbeddings, long seed) {
    this(manager, spec, weights, labels, logitScale, trainWordEmbeddings, 0, seed);
  }

  /**
   * @param frozenLayers the embeddings and this many first transformer layers stay fixed (see
   *     {@link TorchBert}), at most the layers the spec runs
   */
  public IntentNetwork(NDManager manager, EncoderSpec spec, BertWeights weights, int labels, double logitScale,
      boolean trainWordEmbeddings, int frozenLayers, long seed) {
    this.spec = spec;
    this.labels = labels;
    this.logitScale = (float) logitScale;
    Set<String> frozen = trainWordEmbeddings ? Set.of() : Set.of("embeddings.word_embeddings.weight");
    this.bert = new TorchBert(manager, weights, spec.layersRun(), frozen, Math.min(frozenLayers, spec.layersRun()));
    int features = spec.dimension();
    float[] w = new float[features * labels];
    Random r = new Random(seed);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (r.nextGaussian() * 0.02);
    }
    this.headWeight = Tensors.owned(manager, w, new Shape(features, labels));
    this.headWeight.setRequiresGradient(true);
    this.headBias = manager.zeros(new Shape(labels));
    this.headBias.setRequiresGradient(true);
  }

  public EncoderSpec spec() {
    return spec;
  }

  public TorchBert bert() {
    return bert;
  }

  /** The weights that train, by name: the encoder's (less any frozen) and the head's. */
  public Map<String, NDArray> trainable() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    bert.parameters().forEach((name, a) -> {
      if (bert.isTrainable(name)) {
        out.put(name, a);
      }
    });
    out.put(HEAD_WEIGHT, headWeight);
    out.put(HEAD_BIAS, headBias);
    return out;
  }

  /** Logits {@code [batch, labels]} for a packed batch, on {@code m}'s device. */
  public NDArray logits(NDManager m, TokenBatch batch, float dropout) {
    NDArray features = features(m, batch, dropout);
    return features.matMul(headWeight).mul(Tensors.scalar(features.getManager(), logitScale)).add(headBias);
  }

  /**
   * The head's input {@code [batch, features]}: what the exported encoder gives for the batch
   * (selected states, pooled, normalised).
   */
  public NDArray features(NDManager m, TokenBatch batch, float dropout) {
    NDArray mask = mask(m, batch);
    Shape s = mask.getShape();
    List<NDArray> states = bert.hiddenStates(Tensors.owned(m, batch.ids(), s), Tensors.owned(m, batch.typeIds(), s), mask,
        dropout, poolsFirstTokenOfTop());
    return normalized(pool(selectedFrom(states, 0), mask));
  }

  /**
   * Whether the head reads only the top layer's first token ([CLS] pooling of the last state
   * alone), so the top layer need not compute the other tokens' outputs.
   */
  boolean poolsFirstTokenOfTop() {
    LayerSelection sel = spec.selection();
    return spec.pooling() == Pooling.CLS && (sel == null || sel.count() == 1 && sel.last() == bert.layers());
  }

  /**
   * Whether {@link #logitsFrom} can stand for {@link #logits}: some layers are fixed. Pooled states
   * below the fixed part's output depend on the text alone too, so they come in pooled with it
   * ({@link #fixedPart}).
   */
  public boolean startsFromFrozenState() {
    return bert.frozenLayers() > 0;
  }

  /**
   * What the fixed part gives for a packed batch, without dropout or gradient: state {@link
   * TorchBert#frozenLayers()} {@code [batch, sequence, hidden]}, and the pooled (not yet
   * normalised) vectors {@code [batch, k * hidden]} of the k selected states below it, or null
   * when the selection starts at or above it.
   */
  public FixedPart fixedPart(NDManager m, TokenBatch batch) {
    NDArray mask = mask(m, batch);
    Shape s = mask.getShape();
    List<NDArray> states = bert.frozenStates(Tensors.owned(m, batch.ids(), s), Tensors.owned(m, batch.typeIds(), s), mask);
    int below = selectedBelowFixed();
    NDArray pooled = below == 0 ? null : pool(states.subList(spec.selection().first(), spec.selection().first() + below), mask);
    return new FixedPart(states.get(states.size() - 1), pooled);
  }

  /** @param pooledBelow null when no selected state lies below the fixed part's output */
  public record FixedPart(NDArray state, NDArray pooledBelow) {}

  /** How many of the selected states lie below the fixed part's output (0 without a selection). */
  int selectedBelowFixed() {
    LayerSelection sel = spec.selection();
    return sel == null ? 0 : Math.max(0, Math.min(bert.frozenLayers(), sel.last() + 1) - sel.first());
  }

  /**
   * The same as {@link #logits} for the batch whose {@link #fixedPart} is {@code state} and
   * {@code pooledBelow}.
   */
  public NDArray logitsFrom(NDArray state, NDArray mask, NDArray pooledBelow, float dropout) {
    if (!startsFromFrozenState()) {
      throw new IllegalStateException(spec.id() + " has no fixed layers to start from");
    }
    if ((pooledBelow == null) != (selectedBelowFixed() == 0)) {
      throw new IllegalArgumentException("the pooled states below the fixed part's output must come with it");
    }
    List<NDArray> states = bert.hiddenStatesFrom(state, mask, dropout, poolsFirstTokenOfTop());
    NDArray above = pool(selectedFrom(states, bert.frozenLayers()), mask);
    NDArray features = normalized(pooledBelow == null ? above : NDArrays.concat(new NDList(pooledBelow, above), -1));
    return features.matMul(headWeight).mul(Tensors.scalar(features.getManager(), logitScale)).add(headBias);
  }

  private static NDArray mask(NDManager m, TokenBatch batch) {
    return Tensors.owned(m, batch.attentionMask(), new Shape(batch.batch(), batch.sequenceLength()));
  }

  /**
   * The selected states among {@code states} (hidden states {@code first..}, by index from
   * {@code first}): those of the spec's layer range at or above {@code first}, or the top state.
   */
  private List<NDArray> selectedFrom(List<NDArray> states, int first) {
    LayerSelection sel = spec.selection();
    return sel == null ? states.subList(states.size() - 1, states.size())
        : states.subList(Math.max(sel.first(), first) - first, sel.last() + 1 - first);
  }

  /**
   * {@code states} concatenated along the hidden axis and pooled as the spec says. Pooling works
   * per column, so pooling parts of a selection apart and concatenating the results gives the same.
   */
  private NDArray pool(List<NDArray> states, NDArray mask) {
    NDArray hidden = states.size() == 1 ? states.get(0) : NDArrays.concat(new NDList(states), -1);
    if (spec.pooling() == Pooling.CLS) {
      return hidden.get(":, 0, :");
    }
    NDArray weights = mask.toType(DataType.FLOAT32, false).expandDims(-1);
    return hidden.mul(weights).sum(new int[] {1}).div(weights.sum(new int[] {1}).maximum(1f));
  }

  private NDArray normalized(NDArray pooled) {
    if (!spec.normalize()) {
      return pooled;
    }
    NDArray norm = pooled.square().sum(new int[] {1}, true).sqrt();
    return pooled.div(norm.maximum(Tensors.scalar(norm.getManager(), 1e-12f)));
  }

  /** The head as the model directory stores it: one dense layer, the logit scale folded in. */
  public ClassifierHead head() {
    int features = spec.dimension();
    float[] w = headWeight.toFloatArray(); // [features, labels]
    float[] out = new float[labels * features]; // [labels, features]
    for (int f = 0; f < features; f++) {
      for (int l = 0; l < labels; l++) {
        out[l * features + f] = w[f * labels + l] * logitScale;
      }
    }
    return new ClassifierHead(List.of(new DenseLayer(features, labels, out, headBias.toFloatArray(), Activation.NONE)));
  }

  /** The encoder's weights as trained, over {@code base} (layers that were not built keep theirs). */
  public BertWeights encoderWeights(BertWeights base) {
    return base.with(bert.values());
  }
}
