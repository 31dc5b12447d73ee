package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.FusedGraphScorer;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --fuse-attention}: every self-attention block of the shipped BERT encoders becomes one
 * ONNX Runtime {@code Attention} (float projections) or {@code QAttention} (int8 projections)
 * node, and the artifact still gives the uncompiled model's answers.
 */
class AttentionFusionTest {
  @TempDir Path tmp;

  @Test
  void floatBlocksBecomeAttentionAndInt8BlocksQAttention() {
    Path model = Fixtures.centroidModel(tmp.resolve("model"), "all-minilm-l6-v2@0-3");
    ModelProto graph = ModelDirectorySource.open(model).fusedGraph();
    OpCounts before = OpCounts.of(graph);

    AttentionFusion.Result f = AttentionFusion.fuse(graph);
    OpCounts after = OpCounts.of(f.model());
    // Layers 0-2 of MiniLM: three blocks, each 4 Reshape, 4 Transpose, 5 MatMul (Q, K, V, QK, PV), Softmax.
    assertThat(f.fused()).isEqualTo(3);
    assertThat(f.fusedQuantized()).isZero();
    assertThat(f.unfused()).isZero();
    assertThat(after.count("Attention")).isEqualTo(3);
    assertThat(after.count("Softmax")).isEqualTo(before.count("Softmax") - 3).isEqualTo(1); // the head's
    assertThat(after.count("Transpose")).isEqualTo(before.count("Transpose") - 12).isZero();
    assertThat(after.count("Reshape")).isEqualTo(before.count("Reshape") - 12).isZero();
    assertThat(after.count("MatMul")).isEqualTo(before.count("MatMul") - 15);
    assertThat(after.total()).isLessThan(before.total());
    assertThat(f.model().getOpsetImportList()).anyMatch(o -> o.getDomain().equals("com.microsoft"));

    ModelProto int8 = new DynamicQuantizer(DynamicQuantizer.DEFAULT_WEIGHT_BITS)
        .quantize(graph, n -> n.getName().startsWith(ModelCompiler.HEAD_PREFIX)).model();
    AttentionFusion.Result q = AttentionFusion.fuse(int8);
    assertThat(q.fusedQuantized()).isEqualTo(3);
    assertThat(q.fused()).isZero();
    assertThat(OpCounts.of(q.model()).count("QAttention")).isEqualTo(3);
    assertThat(OpCounts.of(q.model()).count("MatMulInteger")).isEqualTo(OpCounts.of(int8).count("MatMulInteger") - 9);
    assertThat(OpCounts.of(q.model()).count("Softmax")).isEqualTo(1);
  }

  @Test
  void aGraphWithoutAttentionIsLeftAsItIs() throws Exception {
    ModelProto tiny = OnnxModels.read(TinyClassifier.write(tmp.resolve("export"), TinyClassifier.model(true, true), TinyClassifier.LABELS));
    AttentionFusion.Result r = AttentionFusion.fuse(tiny);
    assertThat(r.total()).isZero();
    assertThat(r.model()).isSameAs(tiny);
  }

  @Test
  void fusedArtifactsAgreeWithTheUncompiledModelOnTheBuiltInSentences() {
    Path model = Fixtures.centroidModel(tmp.resolve("model"), "all-minilm-l6-v2@0-3");
    // fp32: the fused float kernel against the uncompiled model, through compile's own gate.
    ModelCompiler.CompileResult fp32 = new ModelCompiler(CompileOptions.defaults().withFuseAttention(true).withMinAgreement(0.995))
        .compile(ModelDirectorySource.open(model), tmp.resolve("fp32.intent"));
    assertThat(fp32.report().examples()).isEqualTo(Verifier.builtIn().size());
    assertThat(fp32.report().top1Agreement()).isGreaterThanOrEqualTo(0.995);
    assertThat(fp32.report().maxAbsDiff()).isLessThan(1e-3);
    assertThat(fp32.manifest().compile().get("passes").toString()).contains("3 self-attention blocks fused: 3 Attention");
    assertThat(PassStats.ofManifest(fp32.manifest().compile())).anySatisfy(s -> {
      assertThat(s.pass()).isEqualTo("AttentionFusion");
      assertThat(s.after().count("Attention")).isEqualTo(3);
    });
    assertThat(storedOps(fp32).count("Attention")).isEqualTo(3);
    assertThat(storedOps(fp32).count("Softmax")).isEqualTo(1);

    // int8: the same quantized products through QAttention; compared with the unfused int8
    // artifact, so only the fusion's own effect is measured (int8 itself moves near-ties).
    CompileOptions int8 = CompileOptions.defaults().withPrecision(Precision.INT8).withMinAgreement(0);
    ModelCompiler.CompileResult plain = new ModelCompiler(int8).compile(ModelDirectorySource.open(model), tmp.resolve("int8.intent"));
    ModelCompiler.CompileResult fused = new ModelCompiler(int8.withFuseAttention(true)).compile(ModelDirectorySource.open(model), tmp.resolve("int8-fused.intent"));
    assertThat(storedOps(fused).count("QAttention")).isEqualTo(3);
    assertThat(storedOps(fused).count("Softmax")).isEqualTo(1);
    assertThat(fused.manifest().compile().get("options").toString()).contains("fuse_attention=true");
    VerificationReport r;
    try (FusedGraphScorer a = scorer(plain); FusedGraphScorer b = scorer(fused)) {
      r = Verifier.compare(a, b, Verifier.builtIn(), "built-in", "cpu");
    }
    assertThat(r.top1Agreement()).isGreaterThanOrEqualTo(0.995);
    assertThat(r.maxAbsDiff()).isLessThan(0.01);
  }

  @Test
  void shippedInt8BgeSmallBecomesTwelveQAttentionNodes() {
    Path model = Fixtures.centroidModel(tmp.resolve("model"), "bge-small-en-v1.5-q");
    ModelCompiler.CompileResult r = new ModelCompiler(CompileOptions.defaults().withFuseAttention(true).withMinAgreement(0.995))
        .compile(ModelDirectorySource.open(model), tmp.resolve("bge.intent"));
    assertThat(r.manifest().compile().get("passes").toString()).contains("12 self-attention blocks fused: 0 Attention, 12 QAttention");
    assertThat(storedOps(r).count("QAttention")).isEqualTo(12);
    assertThat(storedOps(r).count("Softmax")).isEqualTo(1);
    assertThat(r.report().top1Agreement()).isGreaterThanOrEqualTo(0.995);
    assertThat(r.report().maxAbsDiff()).isLessThan(0.01);
  }

  @Test
  void gpuTargetsAreRefused() {
    assertThatThrownBy(() -> CompileOptions.defaults().withTarget(Target.CUDA).withFuseAttention(true))
        .isInstanceOf(IntentException.class).hasMessageContaining("--fuse-attention").hasMessageContaining("cpu");
  }

  private static OpCounts storedOps(ModelCompiler.CompileResult r) {
    return OpCounts.of(OnnxModels.parse(IntentArtifact.read(r.artifact()).entry(IntentArtifact.MODEL_ENTRY), "artifact"));
  }

  private static FusedGraphScorer scorer(ModelCompiler.CompileResult r) {
    return FusedGraphScorer.open(IntentArtifact.read(r.artifact()), SessionSettings.singleThread());
  }
}
