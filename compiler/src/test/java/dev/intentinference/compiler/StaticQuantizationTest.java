package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --calibration-data}: a model on an fp32 encoder (layers 0-2 of all-minilm-l6-v2) compiled
 * to static int8. Calibrated MatMuls quantize their activations with constants
 * ({@code QuantizeLinear} + {@code MatMulIntegerToFloat}, no {@code DynamicQuantizeLinear}), the
 * artifact passes compile's agreement gate on the built-in sentences, and the manifest says what
 * was calibrated on what.
 */
class StaticQuantizationTest {
  /** 3 layers x (Q, K, V, attention output, intermediate, output). */
  private static final int WEIGHT_MATMULS = 18;

  @TempDir static Path shared;
  @TempDir Path tmp;
  static Path model;

  @BeforeAll
  static void model() {
    model = Fixtures.centroidModel(shared.resolve("model"), "all-minilm-l6-v2@0-3");
  }

  private static CompileOptions staticInt8(CalibrationOptions c) {
    return CompileOptions.defaults().withPrecision(Precision.INT8).withCalibration(c);
  }

  @Test
  void calibratedMatMulsGetConstantActivationQuantizationAndAgreeOnTheBuiltInSentences() {
    // The built-in sentences are generic, near-ties for this 6-intent fixture: int8 itself moves
    // some of them (dynamic int8 agrees on about 96%). Static must pass the same gate and stay
    // as close to the float model as dynamic.
    double gate = 0.95;
    ModelCompiler.CompileResult dynamic = new ModelCompiler(CompileOptions.defaults().withPrecision(Precision.INT8).withMinAgreement(gate))
        .compile(ModelDirectorySource.open(model), tmp.resolve("dynamic.intent"));
    ModelCompiler.CompileResult r = new ModelCompiler(staticInt8(CalibrationOptions.of(Fixtures.verifyCsv())).withMinAgreement(gate))
        .compile(ModelDirectorySource.open(model), tmp.resolve("static.intent"));

    assertThat(r.report().examples()).isEqualTo(Verifier.builtIn().size());
    assertThat(r.report().top1Agreement()).isGreaterThanOrEqualTo(dynamic.report().top1Agreement() - 0.01);
    assertThat(r.report().maxAbsDiff()).isLessThan(0.1);
    Map<String, Object> compile = r.manifest().compile();
    @SuppressWarnings("unchecked")
    Map<String, Object> cal = (Map<String, Object>) compile.get("calibration");
    assertThat(cal).containsEntry("data", "verify-demo.csv").containsEntry("texts", 36).containsEntry("range_rule", "99.99% percentile");
    int staticCount = ((Number) cal.get("static_matmuls")).intValue();
    int dynamicCount = ((Number) cal.get("dynamic_matmuls")).intValue();
    assertThat(staticCount + dynamicCount).isEqualTo(WEIGHT_MATMULS);
    assertThat(staticCount).isGreaterThanOrEqualTo(WEIGHT_MATMULS - 3);
    // Each layer's Q, K and V read one activation: 4 distinct activations per layer.
    assertThat((List<?>) cal.get("activations")).hasSize(12);
    assertThat(compile.get("passes").toString()).contains("int8-static-quantization(calibrated on verify-demo.csv, 36 texts, 99.99% percentile ranges")
        .contains(staticCount + " MatMul/Gemm static").contains(dynamicCount + " left dynamic");
    @SuppressWarnings("unchecked")
    Map<String, Object> options = (Map<String, Object>) compile.get("options");
    assertThat(options.get("calibration").toString()).contains("data=verify-demo.csv").contains("split=train").contains("limit=512");

    PassStats pass = PassStats.ofManifest(compile).stream().filter(s -> s.pass().equals("StaticQuantizer")).findFirst().orElseThrow();
    assertThat(pass.after().count("MatMulIntegerToFloat")).isEqualTo(staticCount);
    assertThat(pass.before().count("MatMul") - pass.after().count("MatMul")).isEqualTo(staticCount);
    assertThat(pass.after().count("DynamicQuantizeLinear")).isZero();
    assertThat(pass.after().count("QuantizeLinear")).isBetween(1, 12);
    assertThat(pass.after().total()).isLessThanOrEqualTo(pass.before().total());

    // What is stored: the static products stay MatMulIntegerToFloat; only the dynamic rest (if
    // any) runs DynamicQuantizeLinear, fused or not.
    OpCounts stored = OpCounts.of(OnnxModels.parse(IntentArtifact.read(r.artifact()).entry(IntentArtifact.MODEL_ENTRY), "artifact"));
    assertThat(stored.count("MatMulIntegerToFloat") + stored.count("DynamicQuantizeMatMul")).isEqualTo(WEIGHT_MATMULS);
    assertThat(stored.count("DynamicQuantizeMatMul")).isLessThanOrEqualTo(dynamicCount);
    if (dynamicCount == 0) {
      assertThat(stored.count("DynamicQuantizeLinear") + stored.count("DynamicQuantizeMatMul")).isZero();
    }
    try (IntentPredictor p = ModelLoader.open(r.artifact(), LoadOptions.defaults().withSession(SessionSettings.singleThread()))) {
      assertThat(p.predict("my credit card got stolen").intent()).isEqualTo("lost_card");
      assertThat(p.predict("book me a flight to boston").intent()).isEqualTo("flight");
    }
  }

  @Test
  void keepDynamicLeavesTheMatchingMatMulsToRunTimeQuantization() {
    ModelProto graph = ModelDirectorySource.open(model).fusedGraph();
    ModelCompiler.CompileResult r = new ModelCompiler(staticInt8(CalibrationOptions.of(Fixtures.verifyCsv())
        .withKeepDynamic("/output/dense/").withMaxOutlierRatio(0)).withVerifyData(Fixtures.verifyCsv(), "val", 1000))
        .compile(ModelDirectorySource.open(model), tmp.resolve("mixed.intent"));
    long matching = graph.getGraph().getNodeList().stream()
        .filter(n -> n.getOpType().equals("MatMul") && n.getName().contains("/output/dense/")).count();
    assertThat(matching).isEqualTo(6); // attention output and FFN output of 3 layers
    String passes = r.manifest().compile().get("passes").toString();
    assertThat(passes).contains((WEIGHT_MATMULS - 6) + " MatMul/Gemm static").contains("6 left dynamic")
        .contains("6 kept by --int8-keep-dynamic").contains("6 MatMul/Gemm quantized");
    PassStats dyn = PassStats.ofManifest(r.manifest().compile()).stream().filter(s -> s.pass().equals("DynamicQuantizer")).findFirst().orElseThrow();
    assertThat(dyn.after().count("DynamicQuantizeLinear")).isEqualTo(6);
    assertThat(r.report().top1Agreement()).isGreaterThanOrEqualTo(0.99);
  }

  @Test
  void aShippedInt8EncoderGetsConstantRangesSoAnAnswerNoLongerDependsOnItsBatchMates() {
    // all-minilm-l6-v2-q ships with DynamicQuantizeLinear before its integer products: one range
    // per tensor over the whole batch, so a long text batched beside a short one moves the short
    // one's probabilities. Constant ranges make each answer the same alone and in any batch.
    Path shipped = Fixtures.centroidModel(tmp.resolve("q-model"), "all-minilm-l6-v2-q@0-3");
    ModelCompiler.CompileResult dynamic = new ModelCompiler(CompileOptions.defaults().withPrecision(Precision.INT8).withMinAgreement(0.95))
        .compile(ModelDirectorySource.open(shipped), tmp.resolve("q-dynamic.intent"));
    ModelCompiler.CompileResult fixed = new ModelCompiler(staticInt8(CalibrationOptions.of(Fixtures.verifyCsv())).withMinAgreement(0.95))
        .compile(ModelDirectorySource.open(shipped), tmp.resolve("q-static.intent"));

    PassStats pass = PassStats.ofManifest(fixed.manifest().compile()).stream()
        .filter(s -> s.pass().equals("StaticQuantizer")).findFirst().orElseThrow();
    int runTime = pass.before().count("DynamicQuantizeLinear");
    assertThat(runTime).isEqualTo(12); // per layer: Q/K/V's input, attention output, FFN in, FFN out
    @SuppressWarnings("unchecked")
    Map<String, Object> cal = (Map<String, Object>) fixed.manifest().compile().get("calibration");
    assertThat(cal).containsEntry("shipped_run_time_quantizations", runTime);
    int constant = ((Number) cal.get("shipped_run_time_quantizations_fixed")).intValue();
    assertThat(constant).as("no activation of this encoder has outliers past the default ratio").isEqualTo(runTime);
    assertThat(pass.after().count("DynamicQuantizeLinear")).isEqualTo(runTime - constant);
    assertThat(pass.after().count("QuantizeLinear")).isEqualTo(constant);
    int staticProducts = ((Number) cal.get("static_matmuls")).intValue();
    assertThat(staticProducts + ((Number) cal.get("dynamic_matmuls")).intValue()).isEqualTo(WEIGHT_MATMULS);
    // Each product on a constant range is one MatMulIntegerToFloat, its Cast and rescaling Mul gone.
    assertThat(pass.before().count("MatMulInteger")).isEqualTo(WEIGHT_MATMULS);
    assertThat(pass.after().count("MatMulIntegerToFloat")).isEqualTo(staticProducts);
    assertThat(pass.after().count("MatMulInteger")).isEqualTo(WEIGHT_MATMULS - staticProducts);
    assertThat(pass.before().count("Cast") - pass.after().count("Cast")).isEqualTo(staticProducts);
    assertThat(fixed.manifest().compile().get("passes").toString())
        .contains(constant + " of the shipped int8 encoder's " + runTime + " run-time quantizations given constant ranges");
    // The reference is the shipped int8 graph itself (no float twin), on this fixture's near-ties:
    // the gate the float fixture's int8 artifacts pass.
    assertThat(fixed.report().top1Agreement()).isGreaterThanOrEqualTo(0.95);
    assertThat(fixed.report().maxAbsDiff()).isLessThan(0.1);

    String shortText = "my card got stolen";
    List<String> batch = List.of(shortText, "I would like to book a flight from boston to denver next tuesday morning, please, in business class");
    double staticShift = batchShift(fixed.artifact(), shortText, batch);
    assertThat(staticShift).isLessThan(1e-5);
    assertThat(batchShift(dynamic.artifact(), shortText, batch)).isGreaterThan(Math.max(1e-4, 10 * staticShift));
  }

  /** The largest change in any of {@code text}'s probabilities between scoring it alone and first in {@code batch}. */
  private static double batchShift(Path artifact, String text, List<String> batch) {
    try (IntentPredictor p = ModelLoader.open(artifact, LoadOptions.defaults().withSession(SessionSettings.singleThread()))) {
      float[] alone = p.scorer().score(List.of(text)).probabilities()[0];
      float[] together = p.scorer().score(batch).probabilities()[0];
      double shift = 0;
      for (int i = 0; i < alone.length; i++) {
        shift = Math.max(shift, Math.abs(alone[i] - together[i]));
      }
      return shift;
    }
  }

  @Test
  void percentilesClipTheTailsAndMinMaxKeepsThem() {
    ActivationHistogram h = new ActivationHistogram();
    float[] v = new float[100_000];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i % 1000) / 1000f * 2 - 0.5f; // uniform-ish in [-0.5, 1.5)
    }
    v[7] = 40f; // one outlier
    h.add(v, 0, v.length);
    ActivationRange exact = h.range(100);
    assertThat(exact.low()).isEqualTo(-0.5f);
    assertThat(exact.high()).isEqualTo(40f);
    assertThat(exact.outlierRatio()).isGreaterThan(15);
    ActivationRange clipped = h.range(99.99);
    assertThat(clipped.high()).isBetween(1.45f, 1.55f);
    assertThat(clipped.low()).isBetween(-0.52f, -0.48f);
    assertThat(clipped.zeroPoint()).isBetween(62, 66); // 0.5 / (2 / 255)
    assertThat(CalibrationOptions.of(Fixtures.verifyCsv()).isStatic(clipped)).isFalse();
    assertThat(CalibrationOptions.of(Fixtures.verifyCsv()).withMaxOutlierRatio(0).isStatic(clipped)).isTrue();

    ActivationHistogram positive = new ActivationHistogram();
    positive.add(new float[] {0.5f, 2f, 3f}, 0, 3);
    assertThat(positive.range(100).low()).isZero(); // the range always holds 0
    assertThat(positive.range(100).zeroPoint()).isZero();
  }

  @Test
  void badCalibrationInputIsRefusedBeforeAnyWorkAndNothingIsWritten() throws Exception {
    Path out = tmp.resolve("x.intent");
    Path empty = Files.writeString(tmp.resolve("empty.csv"), "text,intent\n");
    assertThatThrownBy(() -> new ModelCompiler(staticInt8(CalibrationOptions.of(empty))).compile(ModelDirectorySource.open(model), out))
        .isInstanceOf(IntentException.class).hasMessageStartingWith("--calibration-data: ").hasMessageContaining("empty.csv");
    assertThatThrownBy(() -> new ModelCompiler(staticInt8(CalibrationOptions.of(tmp.resolve("missing.csv"))))
        .compile(ModelDirectorySource.open(model), out))
        .isInstanceOf(IntentException.class).hasMessageStartingWith("--calibration-data: ").hasMessageContaining("no such file");
    assertThat(out).doesNotExist();

    assertThatThrownBy(() -> CompileOptions.defaults().withCalibration(CalibrationOptions.of(empty)))
        .isInstanceOf(IntentException.class).hasMessageStartingWith("--calibration-data: only for --precision int8");
    assertThatThrownBy(() -> staticInt8(CalibrationOptions.of(empty)).withFuseAttention(true))
        .isInstanceOf(IntentException.class).hasMessageContaining("cannot be combined with --fuse-attention");
    assertThatThrownBy(() -> CalibrationOptions.of(empty).withPercentile(90))
        .isInstanceOf(IntentException.class).hasMessageStartingWith("--calibration-percentile: must be in [99, 100]");
  }
}
