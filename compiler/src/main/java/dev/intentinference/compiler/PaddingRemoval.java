package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the per-token part of a BERT encoder on the real tokens of a batch only. A dynamic batch
 * is padded to its longest text (CLINC150 messages are 3 to 30 tokens), so at 8 texts a batch
 * about a third of every projection, feed-forward product, GELU and LayerNorm works on padding
 * whose result is thrown away. Only attention mixes positions; everything else treats each token
 * on its own, so it can run on a packed {@code [tokens, hidden]} matrix of the real tokens.
 *
 * <p>How: the real tokens' flat positions ({@code NonZero} of the flattened
 * {@code attention_mask}) pack a hidden state with one {@code Gather}; each packed row's position
 * in the padded layout ({@code CumSum} of the mask) unpacks it with another. Packing starts at
 * each attention block's output (the merged heads, or a fused {@code Attention}/{@code QAttention});
 * from there every node that computes per token (elementwise arithmetic with per-feature
 * constants, reductions over the last axis, {@code MatMul} with a weight, the int8 quantize and
 * product nodes) runs packed, and any other reader gets the padded tensor back under its original
 * name, unpacked once. So attention, shape arithmetic and pooling see exactly the tensors they saw
 * before; padded positions that attention reads as keys are masked, and as queries are dropped.
 *
 * <p>One numerical difference: {@code DynamicQuantizeLinear} chooses its int8 range over the
 * tensor it is given, which no longer includes the padding's values (the agreement gate
 * measures it). At batch 1 nothing is padded and the pass only adds its few gathers.
 *
 * <pre>{@code
 * PaddingRemoval.Result r = PaddingRemoval.apply(model);   // r.packed() per-token nodes now run packed
 * }</pre>
 */
public final class PaddingRemoval {
  static final String MASK = "attention_mask";

  /**
   * @param model the rewritten graph (the input itself when nothing was packed)
   * @param packed nodes that now run on packed tokens
   * @param seeds attention outputs where packing starts
   * @param gathers pack and unpack gathers added
   */
  public record Result(ModelProto model, int packed, int seeds, int gathers) {}

  private PaddingRemoval() {}

  public static Result apply(ModelProto model) {
    GraphProto g = model.getGraph();
    if (g.getInputList().stream().noneMatch(i -> i.getName().equals(MASK))) {
      return new Result(model, 0, 0, 0);
    }
    return new Run(model).run();
  }

  private static final Set<String> UNARY = Set.of("Erf", "Sqrt", "Relu", "Tanh", "Sigmoid", "Cast", "Neg", "Reciprocal", "Identity");
  private static final Set<String> MS_UNARY = Set.of("Gelu", "FastGelu", "QuickGelu", "BiasGelu");
  private static final Set<String> BINARY = Set.of("Add", "Sub", "Mul", "Div", "Pow");

  private static final class Run {
    private final ModelProto model;
    private final GraphProto g;
    private final GraphIndex index;
    private final GraphEditor names;
    private final List<NodeProto> out = new ArrayList<>();
    private final Map<String, String> packedName = new HashMap<>();
    /** Tensors that exist under their original (padded) name in the rewritten graph. */
    private final Set<String> padded = new HashSet<>();
    private final Set<String> small = new HashSet<>();
    private String idx;
    private String inv;
    private String shape;
    private int packedNodes;
    private int seeds;
    private int gathers;

    Run(ModelProto model) {
      this.model = model;
      this.g = model.getGraph();
      this.index = new GraphIndex(g);
      this.names = new GraphEditor(g.toBuilder(), "unpad/");
      // The editor knows every existing name; the nodes themselves are re-emitted in order below.
      names.graph().clearNode();
      g.getInputList().forEach(v -> padded.add(v.getName()));
      for (TensorProto t : g.getInitializerList()) {
        padded.add(t.getName());
        if (t.getDimsCount() <= 1) {
          small.add(t.getName());
        }
      }
      padded.add("");
    }

    Result run() {
      indices();
      for (NodeProto n : index.nodes()) {
        if (GraphIndex.isOp(n, "Constant")) {
          out.add(n);
          n.getOutputList().forEach(padded::add);
          TensorProto v = index.constant(n.getOutput(0));
          if (v != null && v.getDimsCount() <= 1) {
            small.add(n.getOutput(0));
          }
          continue;
        }
        boolean anyPacked = n.getInputList().stream().anyMatch(packedName::containsKey);
        if (anyPacked && perToken(n)) {
          emitPacked(n);
        } else {
          emitPadded(n);
          if (isSeed(n)) {
            pack(n.getOutput(0));
            seeds++;
          }
        }
      }
      if (seeds == 0) {
        return new Result(model, 0, 0, 0);
      }
      for (ValueInfoProto o : g.getOutputList()) {
        ensurePadded(o.getName());
      }
      GraphProto.Builder b = names.graph().clearNode().addAllNode(out);
      DynamicQuantizer.removeUnused(b);
      Set<String> produced = new HashSet<>();
      out.forEach(n -> produced.addAll(n.getOutputList()));
      List<ValueInfoProto> infos = new ArrayList<>(b.getValueInfoList());
      infos.removeIf(vi -> !produced.contains(vi.getName()));
      b.clearValueInfo().addAllValueInfo(infos);
      return new Result(model.toBuilder().setGraph(b).build(), packedNodes, seeds, gathers);
    }

    /** Flat positions of the real tokens, and each padded position's packed row. */
    private void indices() {
      String flat = names.op("Reshape", List.of(MASK, longs("minus_one", -1)));
      String nz = names.op("NonZero", List.of(flat));
      idx = names.op("Reshape", List.of(nz, longs("minus_one_shape", -1)), names.fresh("token_positions"));
      String count = names.op("CumSum", List.of(flat, scalarLong("axis0", 0)));
      // A padding position points at the real row before it (any row would do: its values are never
      // used); a -1, only if a batch began with padding, is still a valid Gather index (the last row).
      inv = names.op("Sub", List.of(count, scalarLong("one", 1)), names.fresh("padded_rows"));
      String maskShape = names.op("Shape", List.of(MASK));
      shape = names.op("Concat", List.of(maskShape, longs("rest", -1)), names.fresh("padded_shape"),
          OnnxNodes.intAttr("axis", 0));
      takeEditorNodes();
    }

    private String longs(String hint, long... v) {
      return names.constant(hint, OnnxNodes.longs(hint, new long[] {v.length}, v));
    }

    private String scalarLong(String hint, long v) {
      return names.constant(hint, OnnxNodes.longs(hint, new long[0], v));
    }

    /** An attention block's output: a fused attention node, or the merged heads after softmax·V. */
    private boolean isSeed(NodeProto n) {
      if (AttentionFusion.MS_DOMAIN.equals(n.getDomain())
          && (n.getOpType().equals("Attention") || n.getOpType().equals("QAttention"))) {
        return true;
      }
      if (!GraphIndex.isOp(n, "Reshape")) {
        return false;
      }
      NodeProto merge = index.producerOf(n.getInput(0), "Transpose");
      if (merge == null) {
        return false;
      }
      NodeProto pv = index.producerOf(merge.getInput(0), "MatMul");
      return pv != null && index.producerOf(pv.getInput(0), "Softmax") != null;
    }

    /** Whether {@code n} computes each token on its own, given which of its inputs are packed. */
    private boolean perToken(NodeProto n) {
      String op = n.getOpType();
      boolean ms = AttentionFusion.MS_DOMAIN.equals(n.getDomain());
      if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx") && !ms) {
        return false;
      }
      List<String> in = n.getInputList();
      if ((ms ? MS_UNARY : UNARY).contains(op)) {
        return packedName.containsKey(in.get(0)) && smallFrom(in, 1);
      }
      if (ms) {
        return switch (op) {
          // A [tokens, k] input times a constant weight; scales and zero points are per tensor or per column.
          case "DynamicQuantizeMatMul", "MatMulIntegerToFloat" -> packedName.containsKey(in.get(0))
              && index.initializer(in.get(1)) != null && smallFrom(in, 2);
          default -> false;
        };
      }
      return switch (op) {
        // A padded [batch, sequence, ...] operand (the first block's input in its residual sum, a
        // mask in pooling) is packed to meet the packed one.
        case "Add", "Sub", "Mul", "Div", "Pow" -> in.size() == 2;
        case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin" -> {
          long[] axes = in.size() == 2 ? index.constantLongs(in.get(1)) : GraphIndex.intsAttr(n, "axes");
          yield axes != null && axes.length == 1 && axes[0] == -1 && packedName.containsKey(in.get(0));
        }
        case "LayerNormalization" -> DynamicQuantizer.intAttr(n, "axis", -1) == -1 && smallFrom(in, 1);
        case "MatMul" -> packedName.containsKey(in.get(0)) && weight(in.get(1));
        case "MatMulInteger" -> packedName.containsKey(in.get(0)) && index.initializer(in.get(1)) != null && smallFrom(in, 2);
        case "DynamicQuantizeLinear" -> true;
        case "QuantizeLinear", "DequantizeLinear" -> packedName.containsKey(in.get(0)) && smallFrom(in, 1);
        default -> false;
      };
    }

    /** Whether every input from {@code first} on is absent or a scalar/per-feature constant. */
    private boolean smallFrom(List<String> inputs, int first) {
      return inputs.stream().skip(first).allMatch(t -> t.isEmpty() || small.contains(t));
    }

    private boolean weight(String tensor) {
      TensorProto t = index.initializer(tensor);
      return t != null && t.getDimsCount() == 2;
    }

    private void emitPacked(NodeProto n) {
      NodeProto.Builder b = n.toBuilder().clearInput().clearOutput();
      boolean elementwise = BINARY.contains(n.getOpType()) && n.getDomain().isEmpty();
      for (String in : n.getInputList()) {
        if (elementwise && !packedName.containsKey(in) && !small.contains(in)) {
          pack(in);
        }
        b.addInput(packedName.getOrDefault(in, in));
      }
      boolean quantize = GraphIndex.isOp(n, "DynamicQuantizeLinear");
      for (int i = 0; i < n.getOutputCount(); i++) {
        String o = n.getOutput(i);
        if (quantize && i > 0) {
          // Its scale and zero point are scalars: they stay what they are, under their own names.
          b.addOutput(o);
          padded.add(o);
          small.add(o);
        } else {
          String p = names.fresh(o + "/packed");
          b.addOutput(p);
          packedName.put(o, p);
        }
      }
      out.add(b.build());
      packedNodes++;
    }

    private void emitPadded(NodeProto n) {
      for (String in : n.getInputList()) {
        ensurePadded(in);
      }
      out.add(n);
      n.getOutputList().forEach(padded::add);
      if (BINARY.contains(n.getOpType()) || GraphIndex.isOp(n, "Cast")) {
        if (n.getInputList().stream().allMatch(small::contains)) {
          n.getOutputList().forEach(small::add);
        }
      }
    }

    /** {@code Gather(Flatten(t, 2), token_positions)}: the real tokens' rows of a padded tensor. */
    private void pack(String tensor) {
      String flat = names.op("Flatten", List.of(tensor), OnnxNodes.intAttr("axis", 2));
      takeEditorNodes();
      String p = names.fresh(tensor + "/packed");
      out.add(OnnxNodes.node("Gather", names.fresh("pack"), List.of(flat, idx), List.of(p), OnnxNodes.intAttr("axis", 0)));
      packedName.put(tensor, p);
      gathers++;
    }

    /** Makes the padded tensor exist under its own name, unpacking it the first time it is needed. */
    private void ensurePadded(String tensor) {
      if (padded.contains(tensor) || !packedName.containsKey(tensor)) {
        return;
      }
      String rows = names.fresh(tensor + "/rows");
      out.add(OnnxNodes.node("Gather", names.fresh("unpack"), List.of(packedName.get(tensor), inv), List.of(rows),
          OnnxNodes.intAttr("axis", 0)));
      out.add(OnnxNodes.node("Reshape", names.fresh("unpack_reshape"), List.of(rows, shape), List.of(tensor)));
      padded.add(tensor);
      gathers++;
    }

    /** Moves the nodes the editor appended into the output, in order. */
    private void takeEditorNodes() {
      out.addAll(names.graph().getNodeList());
      names.graph().clearNode();
    }
  }
}
