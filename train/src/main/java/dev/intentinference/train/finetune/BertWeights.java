package dev.intentinference.train.finetune;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.onnx.OnnxTensors;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainable weights of a BERT encoder, named as in Hugging Face ({@code
 * encoder.layer.0.attention.self.query.weight}), read from and written back into the
 * initializers of its ONNX export. Dense weights keep the export's {@code [in, out]} layout (the
 * graph computes {@code x @ W + b}), so nothing is transposed either way and a graph written back
 * has exactly the topology it was read from.
 *
 * <p>Dense weights are found through the node that reads them ({@code
 * /encoder/layer.N/attention/self/query/MatMul}), since the exporter gives them generated names;
 * biases, layer norms and embeddings through their own names.
 *
 * <pre>{@code
 * BertWeights w = BertWeights.read(EncoderGraphs.model(spec));
 * ModelProto tuned = w.with(newValues).writeInto(shipped);
 * }</pre>
 */
public final class BertWeights {
  /** Dense sub-layers of one transformer layer: HF path, and the exporter's node path. */
  static final List<String> DENSE = List.of(
      "attention.self.query", "attention.self.key", "attention.self.value",
      "attention.output.dense", "intermediate.dense", "output.dense");
  static final List<String> NORMS = List.of("attention.output.LayerNorm", "output.LayerNorm");
  static final List<String> EMBEDDINGS = List.of(
      "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
      "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias");

  /** One tensor: its HF name, the initializer that holds it, its shape and values. */
  public record Tensor(String name, String initializer, long[] shape, float[] values) {
    public int size() {
      return values.length;
    }
  }

  private final BertConfig config;
  private final Map<String, Tensor> tensors;

  private BertWeights(BertConfig config, Map<String, Tensor> tensors) {
    this.config = config;
    this.tensors = tensors;
  }

  public BertConfig config() {
    return config;
  }

  /** Tensors in a stable order: embeddings first, then layer by layer. */
  public List<Tensor> tensors() {
    return List.copyOf(tensors.values());
  }

  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no weight named " + name);
    }
    return t;
  }

  /** Names of the weights of transformer layer {@code layer} (0-based). */
  public static List<String> layerNames(int layer) {
    List<String> names = new ArrayList<>();
    String p = "encoder.layer." + layer + ".";
    for (String d : DENSE) {
      names.add(p + d + ".weight");
      names.add(p + d + ".bias");
    }
    for (String n : NORMS) {
      names.add(p + n + ".weight");
      names.add(p + n + ".bias");
    }
    return names;
  }

  /** Reads every weight of a Hugging Face BERT export with fp32 initializers. */
  public static BertWeights read(ModelProto model) {
    GraphProto g = model.getGraph();
    Map<String, TensorProto> inits = new HashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      inits.put(t.getName(), t);
    }
    Map<String, NodeProto> nodes = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      nodes.put(n.getName(), n);
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : EMBEDDINGS) {
      out.put(name, tensor(name, name, inits));
    }
    int layers = 0;
    while (nodes.containsKey("/encoder/layer." + layers + "/attention/self/query/MatMul")) {
      layers++;
    }
    if (layers == 0) {
      throw new IntentException("not a Hugging Face BERT export: no node /encoder/layer.0/attention/self/query/MatMul");
    }
    for (int l = 0; l < layers; l++) {
      String p = "encoder.layer." + l + ".";
      for (String d : DENSE) {
        String node = "/encoder/layer." + l + "/" + d.replace('.', '/') + "/MatMul";
        NodeProto matMul = nodes.get(node);
        if (matMul == null || matMul.getInputCount() != 2 || !inits.containsKey(matMul.getInput(1))) {
          throw new IntentException("not a Hugging Face BERT export: " + node + " does not multiply by a weight");
        }
        out.put(p + d + ".weight", tensor(p + d + ".weight", matMul.getInput(1), inits));
        out.put(p + d + ".bias", tensor(p + d + ".bias", p + d + ".bias", inits));
      }
      for (String n : NORMS) {
        out.put(p + n + ".weight", tensor(p + n + ".weight", p + n + ".weight", inits));
        out.put(p + n + ".bias", tensor(p + n + ".bias", p + n + ".bias", inits));
      }
    }
    Tensor query = out.get("encoder.layer.0.attention.self.query.weight");
    Tensor inter = out.get("encoder.layer.0.intermediate.dense.weight");
    int hidden = (int) query.shape()[0];
    int heads = (int) scalar(nodes, inits, "/encoder/layer.0/attention/self/Constant_2");
    float eps = (float) scalar(nodes, inits, "/embeddings/LayerNorm/Constant_1");
    float mask = (float) scalar(nodes, inits, "/Constant_1");
    BertConfig config = new BertConfig(layers, hidden, heads, (int) inter.shape()[1], eps, mask);
    return new BertWeights(config, out);
  }

  /** The same weights with some replaced by name (shapes must match). */
  public BertWeights with(Map<String, float[]> values) {
    Map<String, Tensor> copy = new LinkedHashMap<>(tensors);
    values.forEach((name, v) -> {
      Tensor t = get(name);
      if (v.length != t.size()) {
        throw new IllegalArgumentException(name + ": " + v.length + " values for shape " + java.util.Arrays.toString(t.shape()));
      }
      copy.put(name, new Tensor(name, t.initializer(), t.shape(), v));
    });
    return new BertWeights(config, copy);
  }

  /**
   * These weights with transformer layer {@code i} taken from layer {@code layers.get(i)} of {@code
   * source}, an encoder of the same widths: a model that runs fewer layers than its encoder can
   * start from any of them. Initializer names stay these weights', so the graph written back keeps
   * its topology.
   *
   * @throws IntentException when a layer is not one of the source's
   */
  public BertWeights withLayersFrom(BertWeights source, List<Integer> layers) {
    Map<String, Tensor> copy = new LinkedHashMap<>(tensors);
    for (int l = 0; l < layers.size(); l++) {
      int from = layers.get(l);
      if (from < 0 || from >= source.config.layers()) {
        throw new IntentException("layer " + from + " is not one of the encoder's (0.." + (source.config.layers() - 1) + ")");
      }
      List<String> to = layerNames(l);
      List<String> names = layerNames(from);
      for (int i = 0; i < to.size(); i++) {
        Tensor mine = get(to.get(i));
        Tensor theirs = source.get(names.get(i));
        if (!java.util.Arrays.equals(mine.shape(), theirs.shape())) {
          throw new IntentException(names.get(i) + " has shape " + java.util.Arrays.toString(theirs.shape()) + ", "
              + to.get(i) + " " + java.util.Arrays.toString(mine.shape()));
        }
        copy.put(mine.name(), new Tensor(mine.name(), mine.initializer(), mine.shape(), theirs.values()));
      }
    }
    return new BertWeights(config, copy);
  }

  /**
   * These weights with the feed-forward block of layers {@code from} to {@code to - 1} cut to
   * {@code width} units each: the units whose input column and output row have the largest product
   * of norms, kept in their order. A unit's contribution to the layer's output is its activation
   * times its output row, so units with small weights on both sides change it least; training
   * afterwards recovers the rest. Layers outside the range keep every unit.
   *
   * @throws IntentException when a layer in the range has fewer than {@code width} units
   */
  public BertWeights withFeedForwardWidth(int width, int from, int to) {
    if (width < 1) {
      throw new IllegalArgumentException("feed-forward width must be positive, was " + width);
    }
    Map<String, Tensor> copy = new LinkedHashMap<>(tensors);
    for (int l = from; l < to; l++) {
      String p = "encoder.layer." + l + ".";
      Tensor in = get(p + "intermediate.dense.weight");
      Tensor bias = get(p + "intermediate.dense.bias");
      Tensor out = get(p + "output.dense.weight");
      int hidden = (int) in.shape()[0];
      int units = (int) in.shape()[1];
      if (width > units) {
        throw new IntentException("a feed-forward width of " + width + " is more than layer " + l + "'s " + units + " units");
      }
      int[] kept = strongestUnits(in.values(), out.values(), hidden, units, width);
      float[] inKept = new float[hidden * width];
      float[] biasKept = new float[width];
      float[] outKept = new float[width * hidden];
      for (int k = 0; k < width; k++) {
        int u = kept[k];
        for (int r = 0; r < hidden; r++) {
          inKept[r * width + k] = in.values()[r * units + u];
        }
        biasKept[k] = bias.values()[u];
        System.arraycopy(out.values(), u * hidden, outKept, k * hidden, hidden);
      }
      copy.put(in.name(), new Tensor(in.name(), in.initializer(), new long[] {hidden, width}, inKept));
      copy.put(bias.name(), new Tensor(bias.name(), bias.initializer(), new long[] {width}, biasKept));
      copy.put(out.name(), new Tensor(out.name(), out.initializer(), new long[] {width, hidden}, outKept));
    }
    return new BertWeights(config, copy);
  }

  /** Indices, ascending, of the {@code width} units with the largest |input column| x |output row|. */
  private static int[] strongestUnits(float[] in, float[] out, int hidden, int units, int width) {
    double[] score = new double[units];
    for (int u = 0; u < units; u++) {
      double a = 0;
      double b = 0;
      for (int r = 0; r < hidden; r++) {
        double x = in[r * units + u];
        double y = out[u * hidden + r];
        a += x * x;
        b += y * y;
      }
      score[u] = Math.sqrt(a * b);
    }
    // Ties go to the lower index, so the choice does not depend on the sort's stability.
    return java.util.stream.IntStream.range(0, units).boxed()
        .sorted((x, y) -> score[x] != score[y] ? Double.compare(score[y], score[x]) : Integer.compare(x, y))
        .limit(width).mapToInt(Integer::intValue).sorted().toArray();
  }

  /**
   * {@code model} with these weights in its initializers: same nodes, same names. Only the
   * initializers this object read are replaced; the rest of the graph is left byte for byte. An
   * initializer takes the tensor's shape, which differs from the graph's only for a feed-forward
   * block cut by {@link #withFeedForwardWidth}.
   */
  public ModelProto writeInto(ModelProto model) {
    Map<String, Tensor> byInitializer = new HashMap<>();
    for (Tensor t : tensors.values()) {
      byInitializer.put(t.initializer(), t);
    }
    GraphProto.Builder g = model.getGraph().toBuilder();
    int replaced = 0;
    for (int i = 0; i < g.getInitializerCount(); i++) {
      TensorProto old = g.getInitializer(i);
      Tensor t = byInitializer.get(old.getName());
      if (t == null) {
        continue;
      }
      g.setInitializer(i, OnnxTensors.withFloatValues(old, t.shape(), t.values()));
      replaced++;
    }
    if (replaced != byInitializer.size()) {
      throw new IntentException("the graph holds " + replaced + " of the " + byInitializer.size()
          + " weights read: it is not the graph they came from");
    }
    return model.toBuilder().setGraph(g).build();
  }

  private static Tensor tensor(String name, String initializer, Map<String, TensorProto> inits) {
    TensorProto t = inits.get(initializer);
    if (t == null) {
      throw new IntentException("not a Hugging Face BERT export: no initializer " + initializer);
    }
    if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
      throw new IntentException("weight " + initializer + " is not fp32 (type " + t.getDataType()
          + "); fine-tuning starts from an fp32 encoder");
    }
    return new Tensor(name, initializer, OnnxTensors.dims(t), OnnxTensors.floatValues(t));
  }

  /** The single number a Constant node (or a scalar initializer) holds. */
  private static double scalar(Map<String, NodeProto> nodes, Map<String, TensorProto> inits, String nodeName) {
    NodeProto n = nodes.get(nodeName);
    if (n == null || n.getAttributeCount() == 0 || !n.getAttribute(0).hasT()) {
      throw new IntentException("not a Hugging Face BERT export: no constant " + nodeName);
    }
    TensorProto t = n.getAttribute(0).getT();
    switch (t.getDataType()) {
      case TensorProto.DataType.FLOAT_VALUE:
        return OnnxTensors.floatValues(t)[0];
      case TensorProto.DataType.INT64_VALUE:
        return t.getRawData().isEmpty() ? t.getInt64Data(0)
            : t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
      case TensorProto.DataType.DOUBLE_VALUE:
        return t.getRawData().isEmpty() ? t.getDoubleData(0)
            : t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getDouble(0);
      default:
        throw new IntentException("constant " + nodeName + " has unexpected type " + t.getDataType());
    }
  }
}
