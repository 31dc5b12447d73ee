package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.intentinference.core.onnx.OrtSessions;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ActivationSmoothing}: the rewrite keeps the float function, takes an outlier channel out
 * of the activation's int8 range (so dynamic int8 gets closer to float), shares one division
 * among the quantized readers of an activation, leaves float readers alone and skips activations
 * without outlier channels; and an int8 compile of a real encoder smooths by default and says so
 * in the manifest.
 */
class ActivationSmoothingTest {
  private static final int IN = 8;
  private static final int ROWS = 64;
  private static final Predicate<NodeProto> KEEP_FLOAT = n -> n.getName().equals("kept");

  @TempDir Path tmp;

  /**
   * x [rows, 8] read by a MatMul [8, 4], a Gemm with transB [3, 8] and bias, and a MatMul [8, 2]
   * the caller keeps in float.
   */
  private static ModelProto graph(Random rnd) {
    GraphProto.Builder g = GraphProto.newBuilder().setName("smoothing-test");
    g.addInput(OnnxNodes.matrixInfo("x", TensorProto.DataType.FLOAT, "rows", IN));
    g.addInitializer(OnnxNodes.floats("w1", new long[] {IN, 4}, random(rnd, IN * 4)));
    g.addInitializer(OnnxNodes.floats("w2", new long[] {3, IN}, random(rnd, 3 * IN)));
    g.addInitializer(OnnxNodes.floats("b2", new long[] {3}, random(rnd, 3)));
    g.addInitializer(OnnxNodes.floats("w3", new long[] {IN, 2}, random(rnd, IN * 2)));
    g.addNode(OnnxNodes.node("MatMul", "first", List.of("x", "w1"), List.of("y1")));
    g.addNode(OnnxNodes.node("Gemm", "second", List.of("x", "w2", "b2"), List.of("y2"), OnnxNodes.intAttr("transB", 1)));
    g.addNode(OnnxNodes.node("MatMul", "kept", List.of("x", "w3"), List.of("y3")));
    g.addOutput(OnnxNodes.matrixInfo("y1", TensorProto.DataType.FLOAT, "rows", 4));
    g.addOutput(OnnxNodes.matrixInfo("y2", TensorProto.DataType.FLOAT, "rows", 3));
    g.addOutput(OnnxNodes.matrixInfo("y3", TensorProto.DataType.FLOAT, "rows", 2));
    return ModelProto.newBuilder().setIrVersion(7).setProducerName("smoothing-test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g).build();
  }

  private static float[] random(Random rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian() * 0.1f;
    }
    return v;
  }

  /** Channel 0 is 50 times wider than the others, as after a transformer's layer norm. */
  private static float[][] activations(Random rnd) {
    float[][] x = new float[ROWS][IN];
    for (float[] row : x) {
      for (int j = 0; j < IN; j++) {
        row[j] = (float) rnd.nextGaussian() * (j == 0 ? 50 : 1);
      }
    }
    return x;
  }

  private static float[] channelMax(float[][] x) {
    float[] max = new float[IN];
    for (float[] row : x) {
      for (int j = 0; j < IN; j++) {
        max[j] = Math.max(max[j], Math.abs(row[j]));
      }
    }
    return max;
  }

  private static float[][][] run(ModelProto model, float[][] x) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = OrtSessions.create(model.toByteArray(), SessionSettings.singleThread());
        OnnxTensor in = OnnxTensor.createTensor(env, x);
        OrtSession.Result r = s.run(Map.of("x", in))) {
      return new float[][][] {(float[][]) r.get(0).getValue(), (float[][]) r.get(1).getValue(), (float[][]) r.get(2).getValue()};
    }
  }

  private static double maxDiff(float[][] a, float[][] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        d = Math.max(d, Math.abs(a[i][j] - b[i][j]));
      }
    }
    return d;
  }

  private static double meanDiff(float[][] a, float[][] b) {
    double sum = 0;
    int n = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        sum += Math.abs(a[i][j] - b[i][j]);
        n++;
      }
    }
    return sum / n;
  }

  @Test
  void keepsTheFloatFunctionAndBringsDynamicInt8CloserToIt() throws Exception {
    Random rnd = new Random(42);
    ModelProto model = graph(rnd);
    float[][] x = activations(rnd);
    ActivationSmoothing.Result r = ActivationSmoothing.apply(model, KEEP_FLOAT, Map.of("x", channelMax(x)), SmoothingOptions.DEFAULT_ALPHA);

    assertThat(r.candidates()).isEqualTo(1);
    assertThat(r.activations()).isEqualTo(1);
    assertThat(r.weights()).isEqualTo(2);
    List<NodeProto> nodes = r.model().getGraph().getNodeList();
    NodeProto mul = nodes.get(0);
    assertThat(mul.getOpType()).isEqualTo("Mul");
    assertThat(mul.getInput(0)).isEqualTo("x");
    String smoothed = mul.getOutput(0);
    assertThat(nodes.stream().filter(n -> n.getName().equals("first") || n.getName().equals("second")).map(n -> n.getInput(0)))
        .containsOnly(smoothed);
    NodeProto kept = nodes.stream().filter(n -> n.getName().equals("kept")).findFirst().orElseThrow();
    assertThat(kept.getInputList()).containsExactly("x", "w3");
    assertThat(r.model().getGraph().getInitializerList().stream().map(TensorProto::getName))
        .doesNotContain("w1", "w2").contains("b2", "w3");

    float[][][] reference = run(model, x);
    float[][][] smoothedFloat = run(r.model(), x);
    for (int k = 0; k < 3; k++) {
      assertThat(maxDiff(reference[k], smoothedFloat[k])).as("output %d in float", k).isLessThan(1e-4);
    }

    float[][][] plainInt8 = run(new DynamicQuantizer(DynamicQuantizer.DEFAULT_WEIGHT_BITS).quantize(model, KEEP_FLOAT).model(), x);
    float[][][] smoothedInt8 = run(new DynamicQuantizer(DynamicQuantizer.DEFAULT_WEIGHT_BITS).quantize(r.model(), KEEP_FLOAT).model(), x);
    for (int k = 0; k < 2; k++) {
      double plain = meanDiff(reference[k], plainInt8[k]);
      double withSmoothing = meanDiff(reference[k], smoothedInt8[k]);
      assertThat(withSmoothing).as("output %d: mean int8 error with smoothing vs %s without", k, plain).isLessThan(plain * 0.6);
    }
    assertThat(maxDiff(reference[2], smoothedInt8[2])).as("the float reader").isLessThan(1e-4);
  }

  @Test
  void anActivationWithoutOutlierChannelsIsLeftAlone() {
    Random rnd = new Random(7);
    ModelProto model = graph(rnd);
    float[] flat = new float[IN];
    java.util.Arrays.fill(flat, 2f);
    flat[3] = 2f * (float) ActivationSmoothing.MIN_SPREAD; // exactly at the limit: not above it
    ActivationSmoothing.Result r = ActivationSmoothing.apply(model, KEEP_FLOAT, Map.of("x", flat), SmoothingOptions.DEFAULT_ALPHA);
    assertThat(r.candidates()).isEqualTo(1);
    assertThat(r.activations()).isZero();
    assertThat(r.model().getGraph().getNodeList()).isEqualTo(model.getGraph().getNodeList());
    assertThat(ActivationSmoothing.spread(flat)).isEqualTo(ActivationSmoothing.MIN_SPREAD);
  }

  @Test
  void factorsFollowTheFormulaAndLeaveDeadChannelsAlone() {
    float[] s = ActivationSmoothing.factors(new float[] {16, 1, 0, 3, 1e12f}, new float[] {1, 0.0625f, 2, 0, 1e-12f}, 0.75);
    assertThat(s[0]).isEqualTo(8f, org.assertj.core.data.Offset.offset(1e-5f)); // 16^0.75 / 1^0.25
    assertThat(s[1]).isEqualTo(2f, org.assertj.core.data.Offset.offset(1e-5f)); // 1 / 0.0625^0.25
    assertThat(s[2]).isEqualTo(1f); // never active
    assertThat(s[3]).isEqualTo(1f); // no weight reads it
    assertThat(s[4]).isEqualTo(ActivationSmoothing.MAX_FACTOR);
  }

  @Test
  void anInt8CompileSmoothsByDefaultAndRecordsIt() {
    Path model = Fixtures.centroidModel(tmp.resolve("model"), "all-minilm-l6-v2@0-3");
    ModelCompiler.CompileResult on = new ModelCompiler(Fixtures.quick().withPrecision(Precision.INT8))
        .compile(ModelDirectorySource.open(model), tmp.resolve("on.intent"));
    Map<String, Object> compile = on.manifest().compile();
    // 3 layers x 4 activations read by weight MatMuls (Q/K/V share one); the shipped encoder's
    // layer-norm and GELU outputs feeding the feed-forward block have outlier channels.
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("activation-smoothing\\(alpha 0\\.75 on the built-in sentences, "
        + Verifier.builtIn().size() + " texts: (\\d+) of 12 activations with channel spread > 5 divided per channel, (\\d+) weight"
        + " matrices scaled to match\\)").matcher(compile.get("passes").toString());
    assertThat(m.find()).as(compile.get("passes").toString()).isTrue();
    int smoothed = Integer.parseInt(m.group(1));
    assertThat(smoothed).isBetween(3, 11);
    assertThat(Integer.parseInt(m.group(2))).isBetween(smoothed, 18);
    assertThat(((Map<?, ?>) compile.get("options")).get("int8_smooth").toString()).contains("alpha=0.75").contains("data=built-in");
    PassStats pass = PassStats.ofManifest(compile).stream().filter(s -> s.pass().equals("ActivationSmoothing")).findFirst().orElseThrow();
    assertThat(pass.after().count("Mul") - pass.before().count("Mul")).isEqualTo(smoothed);
    List<?> spreads = (List<?>) compile.get("smoothing");
    assertThat(spreads).hasSize(12);
    assertThat(spreads.stream().map(e -> (Map<?, ?>) e)).allSatisfy(e -> assertThat(
        (Boolean) e.get("smoothed")).isEqualTo(((Number) e.get("channel_spread")).doubleValue() > ActivationSmoothing.MIN_SPREAD));
    assertThat(spreads.stream().filter(e -> Boolean.TRUE.equals(((Map<?, ?>) e).get("smoothed")))).hasSize(smoothed);
    assertThat(pass.after().count("MatMul")).isEqualTo(pass.before().count("MatMul"));
    assertThat(on.report().top1Agreement()).isGreaterThanOrEqualTo(0.99);

    ModelCompiler.CompileResult off = new ModelCompiler(Fixtures.quick().withPrecision(Precision.INT8).withSmoothing(null))
        .compile(ModelDirectorySource.open(model), tmp.resolve("off.intent"));
    assertThat(off.manifest().compile().get("passes").toString()).doesNotContain("smoothing");
    assertThat(((Map<?, ?>) off.manifest().compile().get("options")).get("int8_smooth")).isEqualTo("off");
  }
}
