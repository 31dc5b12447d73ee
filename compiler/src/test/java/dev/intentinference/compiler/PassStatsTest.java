package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.intentinference.core.model.IntentArtifact;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-pass node counts: computed from the real graphs, recorded in the manifest, read back. */
class PassStatsTest {
  @TempDir Path tmp;

  @Test
  void everyPassIsRecordedWithTheOperatorCountsItChanged() throws Exception {
    ModelProto source = TinyClassifier.model(true, true);
    Path onnx = TinyClassifier.write(tmp.resolve("export"), source, TinyClassifier.LABELS);
    ModelCompiler.CompileResult r = new ModelCompiler(CompileOptions.defaults().withPrecision(Precision.INT8).withMinAgreement(0))
        .compile(HfClassifierSource.open(onnx, null, null, null, "1", 0), tmp.resolve("q.intent"));

    List<PassStats> passes = PassStats.ofManifest(IntentArtifact.read(r.artifact()).manifest().compile());
    assertThat(passes).extracting(PassStats::pass)
        .containsExactly("HeadFusion", "ActivationSmoothing", "DynamicQuantizer", "OfflineOptimizer(extended_opt)");

    PassStats fuse = passes.get(0);
    assertThat(fuse.before()).isEqualTo(OpCounts.of(source));
    assertThat(fuse.changes()).containsOnlyKeys("Softmax");
    assertThat(fuse.describe()).contains("HeadFusion: 13 -> 14 nodes; Softmax +1");

    PassStats smooth = passes.get(1);
    assertThat(smooth.before()).isEqualTo(fuse.after());
    // Smoothing adds at most one Mul per quantized activation (2 here) and changes nothing else.
    assertThat(smooth.changes().keySet()).isSubsetOf("Mul");
    assertThat(smooth.after().count("Mul") - smooth.before().count("Mul")).isBetween(0, 2);

    PassStats quant = passes.get(2);
    assertThat(quant.before()).isEqualTo(smooth.after());
    assertThat(quant.after().count("MatMul")).isZero();
    assertThat(quant.after().count("Gemm")).isZero();
    assertThat(quant.after().count("MatMulInteger")).isEqualTo(2);
    assertThat(quant.after().count("DynamicQuantizeLinear")).isEqualTo(2);
    assertThat(quant.describe()).contains("MatMul 1 -> 0").contains("Gemm 1 -> 0").contains("MatMulInteger +2")
        .contains("DynamicQuantizeLinear +2");

    PassStats opt = passes.get(3);
    assertThat(opt.before()).isEqualTo(quant.after());
    ModelProto stored = OnnxModels.parse(IntentArtifact.read(r.artifact()).entry(IntentArtifact.MODEL_ENTRY), "artifact");
    assertThat(opt.after()).as("the last pass's counts are the stored graph's").isEqualTo(OpCounts.of(stored));
    assertThat(opt.after().total()).as("the optimizer fuses, it never adds").isLessThanOrEqualTo(opt.before().total());

    @SuppressWarnings("unchecked")
    Map<String, Object> first = (Map<String, Object>) ((List<?>) r.manifest().compile().get("pass_stats")).get(0);
    assertThat(first).containsEntry("pass", "HeadFusion").containsEntry("nodes_before", 13).containsEntry("nodes_after", 14)
        .containsEntry("changed", Map.of("Softmax", List.of(0, 1)));
  }

  @Test
  void describeListsTheLargestChangesFirst() {
    PassStats s = new PassStats("P", new OpCounts(Map.of("MatMul", 36, "Add", 10)),
        new OpCounts(Map.of("MatMulInteger", 36, "DynamicQuantizeLinear", 12, "Add", 10)));
    assertThat(s.describe()).isEqualTo("P: 46 -> 58 nodes; MatMul 36 -> 0, MatMulInteger +36, DynamicQuantizeLinear +12");
    assertThat(new PassStats("Q", s.after(), s.after()).describe()).isEqualTo("Q: 58 -> 58 nodes; no operator count changed");
    assertThat(PassStats.fromMap(s.toMap())).isEqualTo(s);
    assertThat(PassStats.ofManifest(Map.of())).isEmpty();
  }
}
