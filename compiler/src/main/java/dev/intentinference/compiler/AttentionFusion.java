package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.intentinference.core.onnx.OnnxTensors;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites each BERT self-attention block into one ONNX Runtime contrib operator, which has a
 * fused CPU kernel: the Q/K/V projections become one packed {@code [hidden, 3·hidden]} weight,
 * and the split into heads, {@code Q·Kᵀ}, scale, mask, softmax, {@code ·V} and the merge of the
 * heads happen inside the kernel instead of as 4 Reshape, 4 Transpose, 2 MatMul, Div, Add and
 * Softmax nodes per layer (ONNX Runtime's own optimizer does not fuse them once the projections
 * are quantized).
 *
 * <p>Recognised block (the Hugging Face BERT export, as in the shipped encoders):
 * <pre>
 *   q = proj(x), k = proj(x), v = proj(x)            proj: MatMul(x, W) + b, or the int8 form
 *   Q = Transpose[0,2,1,3](Reshape(q, [., ., N, H]))  K: Transpose[0,2,3,1], V: like Q
 *   P = Softmax(MatMul(Q, K) / c + mask)             mask = (1 - float(attention_mask[:, None, None, :])) · big negative
 *   out = Reshape(Transpose[0,2,1,3](MatMul(P, V)), [., ., N·H])
 * </pre>
 * The int8 projection is {@code DynamicQuantizeLinear(x) → MatMulInteger → Cast → Mul(x_scale ·
 * w_scale) [+ b]}, as {@link DynamicQuantizer} and ONNX Runtime's {@code quantize_dynamic} emit
 * it. Float projections become {@code com.microsoft.Attention}; int8 ones become
 * {@code com.microsoft.QAttention} on the same quantized input with per-column weight scales and
 * zero points, so the int32 products are the same as before. The padding mask becomes the raw
 * {@code [batch, sequence]} {@code mask_index} ({@code attention_mask} cast to int32). A block
 * that does not match exactly, or whose intermediate tensors are read elsewhere, is left as it is.
 *
 * <pre>{@code
 * AttentionFusion.Result r = AttentionFusion.fuse(model);   // r.fused() blocks rewritten
 * }</pre>
 */
public final class AttentionFusion {
  static final String MS_DOMAIN = "com.microsoft";
  private static final int[] HEADS_PERM = {0, 2, 1, 3};
  private static final int[] KEYS_PERM = {0, 2, 3, 1};

  /**
   * @param model the rewritten graph (the input itself when nothing was fused)
   * @param fused blocks rewritten into {@code Attention} (float projections)
   * @param fusedQuantized blocks rewritten into {@code QAttention} (int8 projections)
   * @param unfused encoder {@code Softmax} nodes left as they were (not a recognised block)
   */
  public record Result(ModelProto model, int fused, int fusedQuantized, int unfused) {
    public int total() {
      return fused + fusedQuantized;
    }
  }

  private AttentionFusion() {}

  public static Result fuse(ModelProto model) {
    return new AttentionFusion.Run(model).run();
  }

  /** One projection {@code x·W + b}, float or dynamically quantized. */
  private record Projection(boolean quantized, String x, TensorProto weight, TensorProto bias,
      String xScale, String xZeroPoint, TensorProto weightScale, TensorProto weightZeroPoint, List<Integer> nodes) {
    long rows() {
      return weight.getDims(0);
    }

    long cols() {
      return weight.getDims(1);
    }
  }

  /** A projection split into heads: {@code Transpose(Reshape(proj, [., ., heads, headSize]))}. */
  private record Heads(Projection projection, long heads, long headSize, List<Integer> nodes) {}

  private static final class Run {
    private final ModelProto model;
    private final GraphProto g;
    private final List<NodeProto> nodes;
    private final GraphIndex index;
    private final Set<String> available = new HashSet<>();
    private final Set<Integer> removed = new HashSet<>();
    private final Map<Integer, NodeProto> replacement = new HashMap<>();
    private final List<TensorProto> newInits = new ArrayList<>();
    private final GraphEditor names;
    private String maskIndex;
    private NodeProto maskCast;

    Run(ModelProto model) {
      this.model = model;
      this.g = model.getGraph();
      this.index = new GraphIndex(g);
      this.nodes = index.nodes();
      available.addAll(index.initializerNames());
      g.getInputList().forEach(v -> available.add(v.getName()));
      available.add("");
      names = new GraphEditor(g.toBuilder(), "");
    }

    Result run() {
      int fused = 0;
      int fusedQ = 0;
      int softmaxes = 0;
      for (int i = 0; i < nodes.size(); i++) {
        NodeProto n = nodes.get(i);
        if (!GraphIndex.isOp(n, "Softmax") || n.getName().startsWith(ModelCompiler.HEAD_PREFIX)) {
          continue;
        }
        softmaxes++;
        Boolean quantized = tryBlock(i);
        if (quantized != null) {
          if (quantized) {
            fusedQ++;
          } else {
            fused++;
          }
        }
      }
      if (fused + fusedQ == 0) {
        return new Result(model, 0, 0, softmaxes);
      }
      return new Result(assemble(), fused, fusedQ, softmaxes - fused - fusedQ);
    }

    /** Fuses the block around {@code softmax}: true = QAttention, false = Attention, null = left alone. */
    private Boolean tryBlock(int softmax) {
      NodeProto sm = nodes.get(softmax);
      long axis = DynamicQuantizer.intAttr(sm, "axis", -1);
      if (axis != 3 && axis != -1) {
        return null;
      }
      NodeProto add = index.producerOf(sm.getInput(0), "Add");
      if (add == null) {
        return null;
      }
      List<Integer> block = new ArrayList<>(List.of(softmax, index.producer(sm.getInput(0))));
      String scores = null;
      for (int s = 0; s < 2; s++) {
        if (isPaddingMask(add.getInput(1 - s))) {
          scores = add.getInput(s);
        }
      }
      if (scores == null) {
        return null;
      }
      NodeProto scaleNode = index.hasProducer(scores) ? nodes.get(index.producer(scores)) : null;
      if (scaleNode == null || !(GraphIndex.isOp(scaleNode, "Div") || GraphIndex.isOp(scaleNode, "Mul"))) {
        return null;
      }
      // Div(scores, c), or Mul with the constant on either side.
      int constAt = GraphIndex.isOp(scaleNode, "Mul") && index.constantFloats(scaleNode.getInput(0)) != null ? 0 : 1;
      float[] c = index.constantFloats(scaleNode.getInput(constAt));
      if (c == null || c.length != 1 || c[0] == 0) {
        return null;
      }
      float scale = GraphIndex.isOp(scaleNode, "Div") ? 1f / c[0] : c[0];
      block.add(index.producer(scores));
      String product = scaleNode.getInput(1 - constAt);
      NodeProto qk = index.producerOf(product, "MatMul");
      if (qk == null) {
        return null;
      }
      block.add(index.producer(product));
      Heads q = heads(qk.getInput(0), HEADS_PERM);
      Heads k = heads(qk.getInput(1), KEYS_PERM);
      List<Integer> smUsers = index.consumers(sm.getOutput(0));
      if (q == null || k == null || smUsers.size() != 1 || !GraphIndex.isOp(nodes.get(smUsers.get(0)), "MatMul")
          || !nodes.get(smUsers.get(0)).getInput(0).equals(sm.getOutput(0))) {
        return null;
      }
      NodeProto pv = nodes.get(smUsers.get(0));
      block.add(smUsers.get(0));
      Heads v = heads(pv.getInput(1), HEADS_PERM);
      Integer merge = index.onlyConsumer(pv.getOutput(0), "Transpose");
      if (v == null || merge == null || !Arrays.equals(GraphIndex.perm(nodes.get(merge)), HEADS_PERM)) {
        return null;
      }
      block.add(merge);
      Integer reshape = null;
      for (int user : index.consumers(nodes.get(merge).getOutput(0))) {
        if (GraphIndex.isOp(nodes.get(user), "Reshape") && nodes.get(user).getInput(0).equals(nodes.get(merge).getOutput(0))) {
          if (reshape != null) {
            return null;
          }
          reshape = user;
        }
      }
      if (reshape == null) {
        return null;
      }
      block.add(reshape);
      long heads = q.heads();
      long headSize = q.headSize();
      long hidden = heads * headSize;
      long[] outShape = index.shapeOf(nodes.get(reshape).getInput(1));
      if (k.heads() != heads || v.heads() != heads || k.headSize() != headSize || v.headSize() != headSize
          || outShape == null || outShape.length != 3 || outShape[2] != hidden) {
        return null;
      }
      Projection pq = q.projection();
      Projection pk = k.projection();
      Projection pvj = v.projection();
      if (pq.quantized() != pk.quantized() || pq.quantized() != pvj.quantized()
          || !pq.x().equals(pk.x()) || !pq.x().equals(pvj.x())
          || pq.cols() != hidden || pk.cols() != hidden || pvj.cols() != hidden
          || pq.rows() != pk.rows() || pq.rows() != pvj.rows()
          || pq.weight().getDataType() != pk.weight().getDataType() || pq.weight().getDataType() != pvj.weight().getDataType()) {
        return null;
      }
      for (Heads h : List.of(q, k, v)) {
        block.addAll(h.nodes());
        block.addAll(h.projection().nodes());
      }
      if (block.stream().anyMatch(removed::contains)) {
        return null;
      }
      int initsBefore = newInits.size();
      NodeProto castBefore = maskCast;
      NodeProto fusedNode = pq.quantized()
          ? quantizedAttention(sm, pq, pk, pvj, heads, scale)
          : floatAttention(sm, pq, pk, pvj, heads, scale);
      NodeProto out = fusedNode.toBuilder().clearOutput().addOutput(nodes.get(reshape).getOutput(0)).build();
      removed.addAll(block);
      replacement.put(reshape, out);
      if (!consistent()) {
        // An intermediate tensor is read outside the block: undo, leave the block as it is.
        removed.removeAll(block);
        replacement.remove(reshape);
        newInits.subList(initsBefore, newInits.size()).clear();
        maskCast = castBefore;
        if (maskCast == null) {
          maskIndex = null;
        }
        return null;
      }
      return pq.quantized();
    }

    private NodeProto floatAttention(NodeProto sm, Projection q, Projection k, Projection v, long heads, float scale) {
      String base = prefix(sm.getName());
      int rows = (int) q.rows();
      int cols = (int) q.cols();
      float[][] w = {OnnxTensors.floatValues(q.weight()), OnnxTensors.floatValues(k.weight()), OnnxTensors.floatValues(v.weight())};
      float[] packed = new float[rows * 3 * cols];
      for (int r = 0; r < rows; r++) {
        for (int p = 0; p < 3; p++) {
          System.arraycopy(w[p], r * cols, packed, r * 3 * cols + p * cols, cols);
        }
      }
      String weight = addInitializer(base + "qkv_weight", OnnxNodes.floats("w", new long[] {rows, 3L * cols}, packed));
      String bias = addInitializer(base + "qkv_bias", OnnxNodes.floats("b", new long[] {3L * cols}, packedBias(q, k, v)));
      return OnnxNodes.node("Attention", names.fresh(base + "Attention"), List.of(q.x(), weight, bias, maskIndex()), List.of(),
              OnnxNodes.intAttr("num_heads", heads), OnnxNodes.floatAttr("scale", scale))
          .toBuilder().setDomain(MS_DOMAIN).build();
    }

    private NodeProto quantizedAttention(NodeProto sm, Projection q, Projection k, Projection v, long heads, float scale) {
      String base = prefix(sm.getName());
      int rows = (int) q.rows();
      int cols = (int) q.cols();
      byte[][] w = {GraphIndex.bytes(q.weight()), GraphIndex.bytes(k.weight()), GraphIndex.bytes(v.weight())};
      byte[] packed = new byte[rows * 3 * cols];
      for (int r = 0; r < rows; r++) {
        for (int p = 0; p < 3; p++) {
          System.arraycopy(w[p], r * cols, packed, r * 3 * cols + p * cols, cols);
        }
      }
      TensorProto.DataType wType = TensorProto.DataType.forNumber(q.weight().getDataType());
      float[] scales = new float[3 * cols];
      byte[] zeroPoints = new byte[3 * cols];
      Projection[] pr = {q, k, v};
      for (int p = 0; p < 3; p++) {
        float[] s = OnnxTensors.floatValues(pr[p].weightScale());
        byte[] z = pr[p].weightZeroPoint() == null ? new byte[1] : GraphIndex.bytes(pr[p].weightZeroPoint());
        for (int j = 0; j < cols; j++) {
          scales[p * cols + j] = s.length == 1 ? s[0] : s[j];
          zeroPoints[p * cols + j] = z.length == 1 ? z[0] : z[j];
        }
      }
      String weight = addInitializer(base + "qkv_weight_quantized", OnnxNodes.raw("w", wType, new long[] {rows, 3L * cols}, packed));
      String bias = addInitializer(base + "qkv_bias", OnnxNodes.floats("b", new long[] {3L * cols}, packedBias(q, k, v)));
      String wScale = addInitializer(base + "qkv_weight_scale", OnnxNodes.floats("s", new long[] {3L * cols}, scales));
      String wZero = addInitializer(base + "qkv_weight_zero_point", OnnxNodes.raw("z", wType, new long[] {3L * cols}, zeroPoints));
      return OnnxNodes.node("QAttention", names.fresh(base + "QAttention"),
              List.of(q.x(), weight, bias, q.xScale(), wScale, maskIndex(), q.xZeroPoint(), wZero), List.of(),
              OnnxNodes.intAttr("num_heads", heads), OnnxNodes.floatAttr("scale", scale))
          .toBuilder().setDomain(MS_DOMAIN).build();
    }

    private float[] packedBias(Projection q, Projection k, Projection v) {
      int cols = (int) q.cols();
      float[] packed = new float[3 * cols];
      Projection[] pr = {q, k, v};
      for (int p = 0; p < 3; p++) {
        if (pr[p].bias() != null) {
          System.arraycopy(OnnxTensors.floatValues(pr[p].bias()), 0, packed, p * cols, cols);
        }
      }
      return packed;
    }

    private String addInitializer(String hint, TensorProto t) {
      String name = names.fresh(hint);
      newInits.add(t.toBuilder().setName(name).build());
      return name;
    }

    /** {@code attention_mask} as int32, the raw {@code [batch, sequence]} mask_index; one Cast shared by every block. */
    private String maskIndex() {
      if (maskIndex == null) {
        maskIndex = names.fresh("attention/mask_index");
        maskCast = OnnxNodes.node("Cast", names.fresh("attention/mask_index_Cast"), List.of("attention_mask"), List.of(maskIndex),
            OnnxNodes.intAttr("to", TensorProto.DataType.INT32_VALUE));
      }
      return maskIndex;
    }

    /** The graph minus the fused blocks (and what only they used), plus the fused nodes. */
    private ModelProto assemble() {
      Set<Integer> live = live();
      GraphProto.Builder out = g.toBuilder().clearNode();
      out.addNode(maskCast);
      Set<String> produced = new HashSet<>(maskCast.getOutputList());
      for (int i = 0; i < nodes.size(); i++) {
        if (!live.contains(i)) {
          continue;
        }
        NodeProto n = replacement.getOrDefault(i, nodes.get(i));
        out.addNode(n);
        produced.addAll(n.getOutputList());
      }
      out.addAllInitializer(newInits);
      DynamicQuantizer.removeUnused(out);
      List<ValueInfoProto> infos = new ArrayList<>(out.getValueInfoList());
      infos.removeIf(vi -> !produced.contains(vi.getName()));
      out.clearValueInfo().addAllValueInfo(infos);
      ModelProto.Builder m = model.toBuilder().setGraph(out);
      if (m.getOpsetImportList().stream().noneMatch(o -> o.getDomain().equals(MS_DOMAIN))) {
        m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(MS_DOMAIN).setVersion(1));
      }
      return m.build();
    }

    /** Whether every live node still finds its inputs once the current blocks are replaced. */
    private boolean consistent() {
      Set<Integer> live = live();
      Set<String> produced = new HashSet<>(available);
      if (maskCast != null) {
        produced.addAll(maskCast.getOutputList());
      }
      newInits.forEach(t -> produced.add(t.getName()));
      for (int i : live) {
        produced.addAll(replacement.getOrDefault(i, nodes.get(i)).getOutputList());
      }
      for (int i : live) {
        for (String in : replacement.getOrDefault(i, nodes.get(i)).getInputList()) {
          if (!produced.contains(in)) {
            return false;
          }
        }
      }
      return true;
    }

    /** Nodes the graph outputs depend on, with fused blocks replaced (removed nodes count only as replaced). */
    private Set<Integer> live() {
      Set<Integer> live = new HashSet<>();
      Deque<String> todo = new ArrayDeque<>();
      g.getOutputList().forEach(o -> todo.add(o.getName()));
      Set<String> seen = new HashSet<>();
      while (!todo.isEmpty()) {
        String t = todo.pop();
        if (!seen.add(t)) {
          continue;
        }
        Integer p = index.producer(t);
        if (p == null || (removed.contains(p) && !replacement.containsKey(p)) || !live.add(p)) {
          continue;
        }
        todo.addAll(replacement.getOrDefault(p, nodes.get(p)).getInputList());
      }
      return live;
    }

    /** {@code Transpose[perm](Reshape(projection, [., ., heads, headSize]))}. */
    private Heads heads(String tensor, int[] perm) {
      NodeProto t = index.producerOf(tensor, "Transpose");
      if (t == null || !Arrays.equals(GraphIndex.perm(t), perm)) {
        return null;
      }
      NodeProto r = index.producerOf(t.getInput(0), "Reshape");
      if (r == null) {
        return null;
      }
      long[] shape = index.shapeOf(r.getInput(1));
      if (shape == null || shape.length != 4 || shape[2] <= 0 || shape[3] <= 0) {
        return null;
      }
      Projection p = projection(r.getInput(0));
      if (p == null) {
        return null;
      }
      return new Heads(p, shape[2], shape[3], List.of(index.producer(tensor), index.producer(t.getInput(0))));
    }

    /** {@code x·W [+ b]}, float ({@code MatMul}) or int8 ({@code MatMulInteger → Cast → Mul}). */
    private Projection projection(String tensor) {
      List<Integer> chain = new ArrayList<>();
      TensorProto bias = null;
      String product = tensor;
      NodeProto add = index.producerOf(tensor, "Add");
      if (add != null) {
        for (int s = 0; s < 2 && bias == null; s++) {
          TensorProto b = index.initializer(add.getInput(s));
          if (b != null && b.getDataType() == TensorProto.DataType.FLOAT_VALUE && b.getDimsCount() == 1) {
            bias = b;
            product = add.getInput(1 - s);
          }
        }
        if (bias == null) {
          return null;
        }
        chain.add(index.producer(tensor));
      }
      NodeProto mm = index.producerOf(product, "MatMul");
      if (mm != null) {
        TensorProto w = index.initializer(mm.getInput(1));
        if (w == null || w.getDataType() != TensorProto.DataType.FLOAT_VALUE || w.getDimsCount() != 2
            || (bias != null && bias.getDims(0) != w.getDims(1))) {
          return null;
        }
        chain.add(index.producer(product));
        return new Projection(false, mm.getInput(0), w, bias, null, null, null, null, chain);
      }
      NodeProto mul = index.producerOf(product, "Mul");
      if (mul == null) {
        return null;
      }
      for (int s = 0; s < 2; s++) {
        NodeProto cast = index.producerOf(mul.getInput(s), "Cast");
        NodeProto scaleMul = index.producerOf(mul.getInput(1 - s), "Mul");
        if (cast == null || scaleMul == null || DynamicQuantizer.intAttr(cast, "to", 0) != TensorProto.DataType.FLOAT_VALUE) {
          continue;
        }
        NodeProto mi = index.producerOf(cast.getInput(0), "MatMulInteger");
        if (mi == null || mi.getInputCount() < 3) {
          continue;
        }
        NodeProto dql = index.producerOf(mi.getInput(0), "DynamicQuantizeLinear");
        TensorProto w = index.initializer(mi.getInput(1));
        TensorProto wz = mi.getInputCount() > 3 && !mi.getInput(3).isEmpty() ? index.initializer(mi.getInput(3)) : null;
        if (dql == null || dql.getOutputCount() != 3 || !mi.getInput(2).equals(dql.getOutput(2)) || w == null || w.getDimsCount() != 2
            || (w.getDataType() != TensorProto.DataType.INT8_VALUE && w.getDataType() != TensorProto.DataType.UINT8_VALUE)
            || (mi.getInputCount() > 3 && !mi.getInput(3).isEmpty() && (wz == null || wz.getDataType() != w.getDataType()))
            || (bias != null && bias.getDims(0) != w.getDims(1))) {
          continue;
        }
        TensorProto ws = null;
        for (int t = 0; t < 2; t++) {
          if (scaleMul.getInput(t).equals(dql.getOutput(1))) {
            ws = index.initializer(scaleMul.getInput(1 - t));
          }
        }
        long cols = w.getDims(1);
        if (ws == null || ws.getDataType() != TensorProto.DataType.FLOAT_VALUE || !perColumnOrScalar(ws, cols)
            || (wz != null && !perColumnOrScalar(wz, cols)) || !GraphIndex.hasBytes(w) || (wz != null && !GraphIndex.hasBytes(wz))) {
          continue;
        }
        chain.addAll(List.of(index.producer(product), index.producer(mul.getInput(s)), index.producer(cast.getInput(0)),
            index.producer(mul.getInput(1 - s))));
        return new Projection(true, dql.getOutput(0), w, bias, dql.getOutput(1), dql.getOutput(2), ws, wz, chain);
      }
      return null;
    }

    private static boolean perColumnOrScalar(TensorProto t, long cols) {
      long n = 1;
      for (long d : t.getDimsList()) {
        n *= d;
      }
      return n == 1 || (t.getDimsCount() == 1 && n == cols);
    }

    /**
     * Whether {@code tensor} is the extended padding mask {@code (1 - float(m[:, None, None, :])) · c}
     * of the graph input {@code attention_mask}, with {@code c} a large negative constant.
     */
    private boolean isPaddingMask(String tensor) {
      NodeProto mul = index.producerOf(tensor, "Mul");
      if (mul == null) {
        return false;
      }
      for (int s = 0; s < 2; s++) {
        float[] c = index.constantFloats(mul.getInput(1 - s));
        NodeProto sub = index.producerOf(mul.getInput(s), "Sub");
        if (c == null || c.length != 1 || c[0] > -1000f || sub == null) {
          continue;
        }
        float[] one = index.constantFloats(sub.getInput(0));
        if (one == null || one.length != 1 || one[0] != 1f) {
          continue;
        }
        if (isBroadcastMask(sub.getInput(1))) {
          return true;
        }
      }
      return false;
    }

    /** {@code attention_mask} through Cast(float) and Unsqueeze nodes to {@code [batch, 1, 1, sequence]}. */
    private boolean isBroadcastMask(String tensor) {
      List<String> dims = new ArrayList<>(List.of("B", "S"));
      List<NodeProto> chain = new ArrayList<>();
      String t = tensor;
      boolean castToFloat = false;
      while (!t.equals("attention_mask")) {
        Integer p = index.producer(t);
        if (p == null || chain.size() > 4) {
          return false;
        }
        NodeProto n = nodes.get(p);
        if (GraphIndex.isOp(n, "Cast")) {
          castToFloat |= chain.isEmpty() && DynamicQuantizer.intAttr(n, "to", 0) == TensorProto.DataType.FLOAT_VALUE;
        } else if (!GraphIndex.isOp(n, "Unsqueeze")) {
          return false;
        }
        chain.add(0, n);
        t = n.getInput(0);
      }
      if (!castToFloat) {
        return false;
      }
      for (NodeProto n : chain) {
        if (GraphIndex.isOp(n, "Unsqueeze")) {
          long[] axes = GraphIndex.intsAttr(n, "axes");
          if (axes == null && n.getInputCount() > 1) {
            axes = index.constantLongs(n.getInput(1)); // opset 13+: axes as an input
          }
          if (axes == null) {
            return false;
          }
          int rank = dims.size() + axes.length;
          long[] sorted = Arrays.stream(axes).map(a -> a < 0 ? a + rank : a).sorted().toArray();
          for (long a : sorted) {
            int at = (int) a;
            if (at < 0 || at > dims.size()) {
              return false;
            }
            dims.add(at, "1");
          }
        }
      }
      return dims.equals(List.of("B", "1", "1", "S"));
    }

    /** {@code /encoder/layer.0/attention/self/Softmax} → {@code /encoder/layer.0/attention/self/}. */
    private static String prefix(String nodeName) {
      int slash = nodeName.lastIndexOf('/');
      return slash < 0 ? "attention/" : nodeName.substring(0, slash + 1);
    }
  }
}
