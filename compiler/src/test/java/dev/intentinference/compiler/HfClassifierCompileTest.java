package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The external Hugging Face classifier path, with a small classifier built in the test. */
class HfClassifierCompileTest {
  @TempDir Path tmp;
  static final LoadOptions ONE_THREAD = LoadOptions.defaults().withSession(SessionSettings.singleThread());

  private HfClassifierSource source(Path onnx) {
    return HfClassifierSource.open(onnx, null, null, null, "2", 0.0);
  }

  @Test
  void compilesAnExternalClassifierIntoAServableArtifact() throws Exception {
    Path onnx = TinyClassifier.write(tmp.resolve("export"), TinyClassifier.model(true, true), TinyClassifier.LABELS);
    Path out = Files.createDirectories(tmp.resolve("dist"));
    ModelCompiler.CompileResult r = new ModelCompiler(CompileOptions.defaults()).compile(source(onnx), out);

    assertThat(r.artifact().getFileName().toString()).isEqualTo("support-bert-2.intent");
    assertThat(r.manifest().labels()).containsExactlyElementsOf(TinyClassifier.LABELS);
    assertThat(r.manifest().maxLength()).isEqualTo(128);
    assertThat(r.report().top1Agreement()).isEqualTo(1.0);
    assertThat(r.report().maxAbsDiff()).isLessThan(1e-5);
    assertThat(r.manifest().compile().get("source").toString()).contains("hf-onnx-classifier").contains("model.onnx");

    IntentArtifact a = IntentArtifact.read(r.artifact());
    ModelProto graph = OnnxModels.parse(a.entry(IntentArtifact.MODEL_ENTRY), "artifact");
    assertThat(OnnxModels.outputNames(graph.getGraph())).containsExactly("logits", "probabilities");
    try (IntentPredictor p = ModelLoader.open(r.artifact(), ONE_THREAD)) {
      assertThat(p.predict("where is my parcel").top()).hasSize(3);
      float sum = 0;
      for (var s : p.predict("where is my parcel").top()) {
        sum += s.confidence();
      }
      assertThat(sum).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
    }
  }

  @Test
  void int8QuantizesASmallFloatGraphWithThePatternOnnxRuntimeEmits() throws Exception {
    ModelProto fp32 = TinyClassifier.model(true, true);
    DynamicQuantizer.Result q = new DynamicQuantizer(7).quantize(fp32);
    assertThat(q.quantized()).isEqualTo(2);
    assertThat(new DynamicQuantizer(7).quantize(fp32, n -> n.getName().equals("classifier")).quantized()).isEqualTo(1);
    List<String> ops = q.model().getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
    assertThat(ops).contains("DynamicQuantizeLinear", "MatMulInteger").doesNotContain("MatMul", "Gemm");
    assertThat(q.model().getGraph().getInitializerList()).noneMatch(t -> t.getName().equals("dense.weight") || t.getName().equals("classifier.weight"));
    var w = q.model().getGraph().getInitializerList().stream().filter(t -> t.getName().startsWith("quant/dense.weight_quantized")).findFirst().orElseThrow();
    assertThat(w.getDataType()).isEqualTo(ai.onnx.proto.OnnxMl.TensorProto.DataType.INT8_VALUE);
    byte[] raw = w.getRawData().toByteArray();
    assertThat(raw).hasSize(TinyClassifier.DIM * TinyClassifier.HIDDEN);
    for (byte b : raw) {
      assertThat((int) b).isBetween(-63, 63);
    }
    // Same inputs through both graphs: logits agree within int8 error.
    float[][] a = logits(fp32);
    float[][] b = logits(q.model());
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        assertThat(b[i][j]).as("logit %d,%d", i, j).isCloseTo(a[i][j], org.assertj.core.data.Offset.offset(0.05f * (1 + Math.abs(a[i][j]))));
      }
    }

    Path onnx = TinyClassifier.write(tmp.resolve("export"), fp32, TinyClassifier.LABELS);
    ModelCompiler.CompileResult r = new ModelCompiler(CompileOptions.defaults().withPrecision(Precision.INT8).withMinAgreement(0.9))
        .compile(source(onnx), tmp.resolve("q.intent"));
    assertThat(r.manifest().compile().get("passes").toString()).contains("2 MatMul/Gemm quantized");
    assertThat(r.report().top1Agreement()).isGreaterThanOrEqualTo(0.95);
    ModelProto stored = OnnxModels.parse(IntentArtifact.read(r.artifact()).entry(IntentArtifact.MODEL_ENTRY), "artifact");
    assertThat(stored.getGraph().getNodeList()).anyMatch(n -> n.getOpType().contains("Integer") || n.getOpType().contains("Quant"));
  }

  private static float[][] logits(ModelProto m) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[] ids = {101, 2073, 2003, 2026, 11835, 102, 101, 7592, 102, 0, 0, 0};
    long[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};
    long[] types = new long[12];
    long[] shape = {2, 6};
    try (OrtSession s = env.createSession(m.toByteArray(), new OrtSession.SessionOptions());
        OnnxTensor t1 = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(ids), shape);
        OnnxTensor t2 = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(mask), shape);
        OnnxTensor t3 = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(types), shape);
        OrtSession.Result r = s.run(Map.of("input_ids", t1, "attention_mask", t2, "token_type_ids", t3), Set.of("logits"))) {
      return (float[][]) r.get(0).getValue();
    }
  }

  @Test
  void corruptOrTruncatedOnnxIsRejectedInOneLine() throws Exception {
    Path onnx = TinyClassifier.write(tmp.resolve("export"), TinyClassifier.model(true, true), TinyClassifier.LABELS);
    byte[] good = Files.readAllBytes(onnx);
    Files.write(onnx, Arrays.copyOf(good, good.length / 2));
    assertThatThrownBy(() -> source(onnx)).isInstanceOf(IntentException.class).hasMessageContaining("not a valid ONNX model");
    byte[] junk = new byte[4096];
    new java.util.Random(1).nextBytes(junk);
    Files.write(onnx, junk);
    assertThatThrownBy(() -> source(onnx)).isInstanceOf(IntentException.class).hasMessageContaining("not a valid ONNX model");
    Files.write(onnx, new byte[0]);
    assertThatThrownBy(() -> source(onnx)).isInstanceOf(IntentException.class).hasMessageContaining("empty");
  }

  @Test
  void graphWithoutTheExpectedInputsOrOutputsIsRejected() throws Exception {
    ModelProto m = TinyClassifier.model(true, false);
    ModelProto noIds = m.toBuilder().setGraph(m.getGraph().toBuilder().setInput(0, m.getGraph().getInput(0).toBuilder().setName("ids"))).build();
    Path a = TinyClassifier.write(tmp.resolve("a"), noIds, TinyClassifier.LABELS);
    assertThatThrownBy(() -> source(a)).isInstanceOf(IntentException.class).hasMessageContaining("must take input_ids and attention_mask");
    ModelProto noLogits = m.toBuilder().setGraph(m.getGraph().toBuilder().setOutput(0, m.getGraph().getOutput(0).toBuilder().setName("scores"))).build();
    Path b = TinyClassifier.write(tmp.resolve("b"), noLogits, TinyClassifier.LABELS);
    assertThatThrownBy(() -> source(b)).isInstanceOf(IntentException.class).hasMessageContaining("must have a 'logits' output");
  }

  @Test
  void labelsThatDoNotMatchTheLogitsWidthAreRejected() throws Exception {
    List<String> four = List.of("a", "b", "c", "d");
    Path declared = TinyClassifier.write(tmp.resolve("static"), TinyClassifier.model(true, true), four);
    assertThatThrownBy(() -> source(declared)).isInstanceOf(IntentException.class)
        .hasMessageContaining("logits have width 3").hasMessageContaining("4 labels");
    // When the graph does not declare its width, the first verification batch finds out.
    Path dynamic = TinyClassifier.write(tmp.resolve("dynamic"), TinyClassifier.model(false, true), four);
    Path out = tmp.resolve("never.intent");
    assertThatThrownBy(() -> new ModelCompiler(CompileOptions.defaults()).compile(source(dynamic), out))
        .isInstanceOf(IntentException.class).hasMessageContaining("gives 3").hasMessageContaining("4 labels");
    assertThat(out).doesNotExist();
    Files.writeString(dynamic.resolveSibling("config.json"), "{\"model_type\": \"bert\"}");
    assertThatThrownBy(() -> source(dynamic)).isInstanceOf(IntentException.class).hasMessageContaining("no id2label");
  }
}
