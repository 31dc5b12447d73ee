package dev.intentinference.train.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A BERT encoder as autograd tensors: the same computation as the Hugging Face ONNX export it was
 * read from (embeddings, post-norm layers, erf GELU, additive attention mask), so weights trained
 * here can be written back into that graph ({@link BertWeights#writeInto}). Only the layers that
 * are needed are built.
 */
public final class TorchBert {
  private final BertConfig config;
  private final int layers;
  private final int frozenLayers;
  private final Map<String, NDArray> params = new LinkedHashMap<>();
  private final Set<String> trainable;
  private final float scale;

  /**
   * @param layers transformer layers to build (the graph may hold more)
   * @param frozen weight names kept fixed (no gradient)
   */
  public TorchBert(NDManager manager, BertWeights weights, int layers, Set<String> frozen) {
    this(manager, weights, layers, frozen, 0);
  }

  /**
   * @param layers transformer layers to build (the graph may hold more)
   * @param frozen weight names kept fixed (no gradient)
   * @param frozenLayers the embeddings and this many first layers are kept fixed and run without
   *     dropout, so their output depends on the text alone and can be computed once per text
   *     ({@link #frozenStates}); 0 trains the embeddings (less {@code frozen}) too
   */
  public TorchBert(NDManager manager, BertWeights weights, int layers, Set<String> frozen, int frozenLayers) {
    if (layers < 0 || layers > weights.config().layers()) {
      throw new IllegalArgumentException("layers must be in 0.." + weights.config().layers() + ", was " + layers);
    }
    if (frozenLayers < 0 || frozenLayers > layers) {
      throw new IllegalArgumentException("frozenLayers must be in 0.." + layers + ", was " + frozenLayers);
    }
    this.config = weights.config();
    this.layers = layers;
    this.frozenLayers = frozenLayers;
    List<String> names = new ArrayList<>(BertWeights.EMBEDDINGS);
    Set<String> fixed = new java.util.HashSet<>(frozen);
    if (frozenLayers > 0) {
      fixed.addAll(BertWeights.EMBEDDINGS);
    }
    for (int l = 0; l < layers; l++) {
      names.addAll(BertWeights.layerNames(l));
      if (l < frozenLayers) {
        fixed.addAll(BertWeights.layerNames(l));
      }
    }
    Set<String> train = new java.util.LinkedHashSet<>();
    for (String name : names) {
      BertWeights.Tensor t = weights.get(name);
      NDArray a = Tensors.owned(manager, t.values(), new Shape(t.shape()));
      if (!fixed.contains(name)) {
        a.setRequiresGradient(true);
        train.add(name);
      }
      params.put(name, a);
    }
    this.trainable = Set.copyOf(train);
    this.scale = (float) Math.sqrt(config.headSize());
  }

  public BertConfig config() {
    return config;
  }

  public int layers() {
    return layers;
  }

  /** The embeddings and this many first layers are fixed: state {@code frozenLayers()} depends on the text alone. */
  public int frozenLayers() {
    return frozenLayers;
  }

  /** Every weight by name, trainable or not. */
  public Map<String, NDArray> parameters() {
    return params;
  }

  public boolean isTrainable(String name) {
    return trainable.contains(name);
  }

  /**
   * Hidden states 0 (the embedding output) to {@link #layers()}, each {@code [batch, sequence,
   * hidden]}.
   *
   * @param ids token ids {@code [batch, sequence]}, int64
   * @param typeIds segment ids, int64
   * @param mask 1 for real tokens, 0 for padding, int64
   * @param dropout drop rate while training, 0 for inference
   */
  public List<NDArray> hiddenStates(NDArray ids, NDArray typeIds, NDArray mask, float dropout) {
    return hiddenStates(ids, typeIds, mask, dropout, false);
  }

  /**
   * The same, but with {@code firstTokenOnlyOnTop} the top layer computes its output for the first
   * token alone ({@code [batch, 1, hidden]}): all a first-token ([CLS]) pooling reads. Its keys and
   * values still come from every token, so that row is the one the whole layer would give, for
   * about a sixth of the layer's multiply-adds.
   */
  public List<NDArray> hiddenStates(NDArray ids, NDArray typeIds, NDArray mask, float dropout, boolean firstTokenOnlyOnTop) {
    List<NDArray> states = new ArrayList<>();
    NDArray x = embeddings(ids, typeIds, frozenLayers > 0 ? 0 : dropout);
    states.add(x);
    NDArray additiveMask = additiveMask(mask);
    for (int l = 0; l < layers; l++) {
      x = layer(l, x, additiveMask, l < frozenLayers ? 0 : dropout, firstTokenOnlyOnTop && l == layers - 1);
      states.add(x);
    }
    return states;
  }

  /**
   * States 0 to {@link #frozenLayers()} without dropout or gradient: what the fixed part of the
   * network gives, the same in every epoch.
   */
  public List<NDArray> frozenStates(NDArray ids, NDArray typeIds, NDArray mask) {
    List<NDArray> states = new ArrayList<>();
    NDArray x = embeddings(ids, typeIds, 0);
    states.add(x);
    NDArray additiveMask = additiveMask(mask);
    for (int l = 0; l < frozenLayers; l++) {
      x = layer(l, x, additiveMask, 0, false);
      states.add(x);
    }
    return states;
  }

  /**
   * Hidden states {@link #frozenLayers()} to {@link #layers()} from state {@code frozenLayers()}
   * (the last of {@link #frozenStates}, possibly computed in another batch: padding does not reach real tokens).
   * Index 0 of the list is {@code state} itself. {@code firstTokenOnlyOnTop} as for
   * {@link #hiddenStates(NDArray, NDArray, NDArray, float, boolean)}.
   */
  public List<NDArray> hiddenStatesFrom(NDArray state, NDArray mask, float dropout, boolean firstTokenOnlyOnTop) {
    List<NDArray> states = new ArrayList<>();
    states.add(state);
    NDArray additiveMask = additiveMask(mask);
    NDArray x = state;
    for (int l = frozenLayers; l < layers; l++) {
      x = layer(l, x, additiveMask, dropout, firstTokenOnlyOnTop && l == layers - 1);
      states.add(x);
    }
    return states;
  }

  private NDArray embeddings(NDArray ids, NDArray typeIds, float dropout) {
    NDManager m = ids.getManager();
    long seq = ids.getShape().get(1);
    NDArray positions = m.arange(0, (int) seq, 1, DataType.INT64);
    NDArray x = embed(ids, "embeddings.word_embeddings.weight")
        .add(embed(typeIds, "embeddings.token_type_embeddings.weight"))
        .add(embed(positions, "embeddings.position_embeddings.weight"));
    x = norm(x, "embeddings.LayerNorm");
    return drop(x, dropout, dropout > 0);
  }

  private NDArray additiveMask(NDArray mask) {
    long batch = mask.getShape().get(0);
    long seq = mask.getShape().get(1);
    return mask.toType(DataType.FLOAT32, false).neg().add(1f).mul(config.maskValue()).reshape(batch, 1, 1, seq);
  }

  /**
   * One layer. DJL keeps every intermediate array until its manager closes, so a forward pass
   * over many layers would hold all their intermediates at once (the teacher's pass over the
   * variants, 128 texts through bge-small's 12 layers, was the largest use of memory before this);
   * each layer's work goes into its own manager instead, and only the output outlives it.
   * Autograd keeps what the backward pass needs by itself.
   */
  private NDArray layer(int l, NDArray x, NDArray additiveMask, float dropout, boolean firstTokenOnly) {
    NDManager keep = x.getManager();
    try (NDManager scratch = keep.newSubManager()) {
      x.tempAttach(scratch);
      NDArray out = layerOps(l, x, additiveMask, dropout, firstTokenOnly);
      out.attach(keep);
      return out;
    }
  }

  /** @param firstTokenOnly queries, and so the output, for the first token alone (keys and values from all) */
  private NDArray layerOps(int l, NDArray x, NDArray additiveMask, float dropout, boolean firstTokenOnly) {
    boolean training = dropout > 0;
    long batch = x.getShape().get(0);
    long seq = x.getShape().get(1);
    int h = config.hidden();
    String p = "encoder.layer." + l + ".";
    NDArray rows = firstTokenOnly ? x.get(":, 0:1, :") : x;
    long queries = firstTokenOnly ? 1 : seq;
    NDArray q = heads(dense(rows, p + "attention.self.query"), batch, queries);
    NDArray k = heads(dense(x, p + "attention.self.key"), batch, seq);
    NDArray v = heads(dense(x, p + "attention.self.value"), batch, seq);
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div(Tensors.scalar(x.getManager(), scale)).add(additiveMask);
    NDArray probs = drop(scores.softmax(-1), dropout, training);
    NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch, queries, h);
    NDArray attention = drop(dense(context, p + "attention.output.dense"), dropout, training);
    NDArray a = norm(attention.add(rows), p + "attention.output.LayerNorm");
    NDArray inner = Activation.gelu(dense(a, p + "intermediate.dense"));
    NDArray out = drop(dense(inner, p + "output.dense"), dropout, training);
    return norm(out.add(a), p + "output.LayerNorm");
  }

  private NDArray embed(NDArray ids, String table) {
    return Embedding.embedding(ids, params.get(table), SparseFormat.DENSE).singletonOrThrow();
  }

  private NDArray dense(NDArray x, String name) {
    return x.matMul(params.get(name + ".weight")).add(params.get(name + ".bias"));
  }

  private NDArray heads(NDArray x, long batch, long seq) {
    return x.reshape(batch, seq, config.heads(), config.headSize()).transpose(0, 2, 1, 3);
  }

  private NDArray norm(NDArray x, String name) {
    NDList out = LayerNorm.layerNorm(x, new Shape(config.hidden()), params.get(name + ".weight"),
        params.get(name + ".bias"), config.layerNormEpsilon());
    return out.singletonOrThrow();
  }

  private static NDArray drop(NDArray x, float rate, boolean training) {
    return training ? Dropout.dropout(x, rate, true).singletonOrThrow() : x;
  }

  /** The current values of every weight, by name, for {@link BertWeights#with}. */
  public Map<String, float[]> values() {
    Map<String, float[]> out = new LinkedHashMap<>();
    params.forEach((name, a) -> out.put(name, a.toFloatArray()));
    return out;
  }
}
