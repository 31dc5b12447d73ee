package dev.intentinference.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.model.CpuRequirements;
import dev.intentinference.core.model.CpuRequirements.IfMissing;
import dev.intentinference.core.model.CpuRequirements.Need;
import dev.intentinference.core.model.Manifests;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.onnx.CpuFeatures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CPU feature reader and the manifest's CPU needs, against this machine and parsed CPUs. */
class CpuRequirementsTest {
  static final String AVX2_ONLY = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B12\n"
      + "flags\t\t: fpu sse4_1 sse4_2 avx f16c fma avx2\n\nprocessor\t: 1\nflags\t\t: fpu avx512_vnni\n";
  static final String ARM = "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd asimddp i8mm\nCPU part\t: 0xd0c\n";

  static ModelManifest artifact(List<Need> needs) {
    return new ModelManifest(1, ModelManifest.KIND_ARTIFACT, "demo", "1", List.of("a"), List.of(), null, null, null, null,
        Map.of("cpu", CpuRequirements.section(CpuFeatures.parse("amd64", AVX2_ONLY.replace("avx2", "avx2 avx512_vnni")), needs)),
        null, null);
  }

  @Test
  void readsTheFirstProcessorsFlagsAndModel() {
    CpuFeatures x86 = CpuFeatures.parse("amd64", AVX2_ONLY);
    assertThat(x86.arch()).isEqualTo("x86_64");
    assertThat(x86.model()).isEqualTo("AMD EPYC 7B12");
    assertThat(x86.has("AVX2")).isTrue();
    assertThat(x86.hasAny(CpuFeatures.INT8_DOT_PRODUCT)).as("second processor's line is not read").isFalse();
    assertThat(x86.relevant()).containsExactly("sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c");

    CpuFeatures arm = CpuFeatures.parse("aarch64", ARM);
    assertThat(arm.isX86()).isFalse();
    assertThat(arm.relevant()).containsExactly("asimd", "asimddp", "i8mm");

    CpuFeatures unknown = CpuFeatures.parse("amd64", "");
    assertThat(unknown.known()).isFalse();
  }

  @Test
  void thisMachinesCpuIsRead() {
    CpuFeatures here = CpuFeatures.current();
    assertThat(here.arch()).isNotBlank();
    if (here.isX86() && java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/cpuinfo"))) {
      assertThat(here.known()).isTrue();
      assertThat(here.has("sse4_2")).as("every x86-64 CPU ONNX Runtime supports has SSE4.2").isTrue();
    }
  }

  @Test
  void aMissingFeatureWarnsOrRefusesAsTheManifestSays() {
    // A CPU claim this machine cannot meet: a made-up flag no kernel lists.
    Need warn = new Need(List.of("intent_test_made_up_flag"), null, IfMissing.WARN, "slower here");
    Need refuse = new Need(List.of("intent_test_made_up_flag", "another_made_up_flag"), null, IfMissing.REFUSE, "answers could differ");
    CpuFeatures here = CpuFeatures.current();
    if (!here.known()) {
      return; // without /proc/cpuinfo nothing can be judged; covered by cannotReadTheCpuOnlyWarns
    }
    assertThat(CpuRequirements.warnings(artifact(List.of(warn)), here)).singleElement().asString()
        .contains("has none of intent_test_made_up_flag").contains("(on AMD EPYC 7B12)").contains("slower here");
    CpuRequirements.refuseIfUnfit(artifact(List.of(warn)), here, "a.intent");

    ModelManifest refusing = artifact(List.of(refuse));
    assertThat(CpuRequirements.warnings(refusing, here)).isEmpty();
    assertThatThrownBy(() -> CpuRequirements.refuseIfUnfit(refusing, here, "a.intent"))
        .isInstanceOf(IntentException.class)
        .hasMessageStartingWith("a.intent: not loaded: this CPU (")
        .hasMessageContaining("has none of intent_test_made_up_flag, another_made_up_flag").hasMessageContaining("answers could differ");
  }

  @Test
  void needsApplyOnlyToTheirArchitectureAndAreMetByAnyOfTheirFeatures() {
    Need vnni = new Need(CpuFeatures.INT8_DOT_PRODUCT, "x86_64", IfMissing.REFUSE, "saturation");
    ModelManifest m = artifact(List.of(vnni));
    assertThat(CpuRequirements.check(m, CpuFeatures.parse("arm64", ARM))).isEmpty();
    assertThat(CpuRequirements.check(m, CpuFeatures.parse("amd64", AVX2_ONLY.replace("avx2", "avx2 amx_int8")))).isEmpty();
    assertThat(CpuRequirements.check(m, CpuFeatures.parse("amd64", AVX2_ONLY))).singleElement()
        .extracting(CpuRequirements.Finding::ifMissing).isEqualTo(IfMissing.REFUSE);
  }

  @Test
  void cannotReadTheCpuOnlyWarns() {
    ModelManifest m = artifact(List.of(new Need(List.of("avx512_vnni"), null, IfMissing.REFUSE, "why")));
    CpuFeatures unknown = CpuFeatures.parse("amd64", "");
    CpuRequirements.refuseIfUnfit(m, unknown, "a.intent");
    assertThat(CpuRequirements.warnings(m, unknown)).singleElement().asString().contains("cannot read this CPU's features");
  }

  @Test
  void theSectionSurvivesTheManifestsJsonAndOldManifestsHaveNoNeeds() {
    Need n = new Need(List.of("amx_int8"), "x86_64", IfMissing.WARN, "why");
    ModelManifest m = artifact(List.of(n));
    ModelManifest back = Manifests.fromJson(Manifests.toJson(m), "manifest.json");
    assertThat(CpuRequirements.needs(back)).containsExactly(n);
    assertThat(CpuRequirements.needs(new ModelManifest(1, "artifact", "x", "1", List.of(), List.of(), null, null, null, null,
        Map.of(), null, null))).isEmpty();
    assertThat(CpuRequirements.needs(new ModelManifest(1, "artifact", "x", "1", List.of(), List.of(), null, null, null, null,
        Map.of("cpu", Map.of("needs", List.of("garbage"))), null, null))).singleElement()
        .extracting(Need::ifMissing).isEqualTo(IfMissing.WARN);
  }
}
