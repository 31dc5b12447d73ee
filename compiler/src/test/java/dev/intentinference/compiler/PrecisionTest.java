package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.intentinference.core.model.IntentArtifact;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fp16 conversion and the fp32-encoder int8 path. */
class PrecisionTest {
  @TempDir Path tmp;

  @Test
  void halfConversionRoundsLikeIeee754() {
    assertThat(HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(1f))).isEqualTo(1f);
    assertThat(HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(-2.5f))).isEqualTo(-2.5f);
    assertThat(HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(65504f))).isEqualTo(65504f);
    assertThat(HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(1e6f))).isInfinite();
    assertThat(HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(0.1f))).isEqualTo(0.099975586f);
    assertThat(HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(6e-8f))).isEqualTo(5.9604645e-8f); // smallest subnormal
    assertThat(HalfPrecision.floatToHalf(1e-9f)).isZero();
  }

  @Test
  void fp16ForAGpuTargetConvertsWeightsKeepsFloatOutputsAndIsVerified() throws Exception {
    Path onnx = TinyClassifier.write(tmp.resolve("export"), TinyClassifier.model(true, true), TinyClassifier.LABELS);
    ModelCompiler.CompileResult r = new ModelCompiler(CompileOptions.defaults().withTarget(Target.CUDA).withPrecision(Precision.FP16))
        .compile(HfClassifierSource.open(onnx, null, null, null, "1", 0), tmp.resolve("h.intent"));
    assertThat(r.manifest().compile()).containsEntry("precision", "fp16").containsEntry("target", "cuda");
    assertThat(r.report().top1Agreement()).isGreaterThanOrEqualTo(0.99);
    assertThat(r.report().verifiedOn()).contains("fp16");
    ModelProto stored = OnnxModels.parse(IntentArtifact.read(r.artifact()).entry(IntentArtifact.MODEL_ENTRY), "artifact");
    assertThat(stored.getGraph().getInitializerList()).filteredOn(t -> t.getName().contains("weight"))
        .isNotEmpty().allMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT16_VALUE);
    assertThat(OnnxModels.outputNames(stored.getGraph())).containsExactly("logits", "probabilities");
  }
}
