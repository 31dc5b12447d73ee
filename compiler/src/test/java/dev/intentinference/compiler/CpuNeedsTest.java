package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.CpuRequirements;
import dev.intentinference.core.model.CpuRequirements.IfMissing;
import dev.intentinference.core.model.CpuRequirements.Need;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.onnx.CpuFeatures;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CPU the artifact was compiled for, in its manifest, and what loading it elsewhere does. */
class CpuNeedsTest {
  @TempDir Path tmp;
  static final LoadOptions ONE_THREAD = LoadOptions.defaults().withSession(SessionSettings.singleThread());

  private ModelCompiler.CompileResult compile(CompileOptions o) throws Exception {
    Path onnx = TinyClassifier.write(tmp.resolve("export"), TinyClassifier.model(true, true), TinyClassifier.LABELS);
    return new ModelCompiler(o.withMinAgreement(0)).compile(HfClassifierSource.open(onnx, null, null, null, "1", 0), tmp.resolve("a.intent"));
  }

  /** The same artifact with {@code compile.cpu.needs} replaced: a CPU claim this machine cannot meet. */
  private Path withNeeds(Path artifact, List<Need> needs, String name) {
    return ArtifactRewrite.withManifest(artifact, m -> {
      Map<String, Object> compile = new LinkedHashMap<>(m.compile());
      compile.put(CpuRequirements.KEY, CpuRequirements.section(CpuFeatures.current(), needs));
      return m.withCompile(compile);
    }, tmp.resolve(name));
  }

  @Test
  void theManifestRecordsThisCpuAndWhatTheQuantizedGraphNeeds() throws Exception {
    CpuFeatures here = CpuFeatures.current();
    ModelCompiler.CompileResult r = compile(CompileOptions.defaults().withPrecision(Precision.INT8).withWeightBits(8));
    @SuppressWarnings("unchecked")
    Map<String, Object> cpu = (Map<String, Object>) r.manifest().compile().get("cpu");
    assertThat(cpu).containsEntry("arch", here.arch()).containsEntry("features", here.relevant());
    List<Need> needs = CpuRequirements.needs(IntentArtifact.read(r.artifact()).manifest());
    if (here.isX86() && here.hasAny(CpuFeatures.INT8_DOT_PRODUCT)) {
      assertThat(needs).extracting(Need::ifMissing).containsExactly(IfMissing.WARN, IfMissing.REFUSE);
      assertThat(needs).allMatch(n -> n.anyOf().equals(CpuFeatures.INT8_DOT_PRODUCT) && "x86_64".equals(n.arch()));
      assertThat(needs.get(1).why()).contains("--int8-weight-bits 7");
    } else {
      assertThat(needs).as("verified without VNNI: saturation was part of what verification measured").isEmpty();
    }
    // This machine verified it, so it loads here.
    try (IntentPredictor p = ModelLoader.open(r.artifact(), ONE_THREAD)) {
      assertThat(p.predict("where is my parcel").top()).hasSize(3);
    }
  }

  @Test
  void fp32NeedsNothing() throws Exception {
    ModelCompiler.CompileResult r = compile(CompileOptions.defaults());
    assertThat(CpuRequirements.needs(r.manifest())).isEmpty();
  }

  @Test
  void aMissingFeatureThatCouldChangeAnswersRefusesTheLoadWithOneClearLine() throws Exception {
    Path artifact = compile(CompileOptions.defaults().withPrecision(Precision.INT8)).artifact();
    Path refusing = withNeeds(artifact, List.of(new Need(List.of("intent_test_made_up_flag"), null, IfMissing.REFUSE,
        "answers could differ from the verified ones")), "refusing.intent");
    assertThatThrownBy(() -> ModelLoader.open(refusing, ONE_THREAD))
        .isInstanceOf(IntentException.class)
        .hasMessageContaining("refusing.intent: not loaded: this CPU (")
        .hasMessageContaining("has none of intent_test_made_up_flag").hasMessageContaining("answers could differ");
  }

  @Test
  void aMissingFeatureThatOnlyCostsSpeedLoadsAndAnswersTheSame() throws Exception {
    Path artifact = compile(CompileOptions.defaults().withPrecision(Precision.INT8)).artifact();
    // amx_int8: Intel AMX, which the AMD machines this project runs on do not have (and a made-up
    // flag where they do).
    String missing = CpuFeatures.current().has("amx_int8") ? "intent_test_made_up_flag" : "amx_int8";
    Path warning = withNeeds(artifact, List.of(new Need(List.of(missing), null, IfMissing.WARN, "slower here")), "warning.intent");
    assertThat(CpuRequirements.warnings(IntentArtifact.read(warning).manifest(), CpuFeatures.current()))
        .singleElement().asString().contains("has none of " + missing).contains("slower here");
    try (IntentPredictor a = ModelLoader.open(artifact, ONE_THREAD); IntentPredictor w = ModelLoader.open(warning, ONE_THREAD)) {
      for (String t : List.of("where is my parcel", "refund my last bill", "hello")) {
        assertThat(w.predict(t).intent()).isEqualTo(a.predict(t).intent());
        assertThat(w.predict(t).confidence()).isEqualTo(a.predict(t).confidence());
      }
    }
  }
}
