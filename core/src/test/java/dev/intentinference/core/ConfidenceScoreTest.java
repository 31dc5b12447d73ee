package dev.intentinference.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.intentinference.core.model.ConfidenceScore;
import dev.intentinference.core.model.IntentDecoder;
import dev.intentinference.core.model.Manifests;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.ThresholdInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfidenceScoreTest {
  @Test
  void certaintyIsOneForACertainRowZeroForAUniformOneAndBetweenOtherwise() {
    assertThat(ConfidenceScore.CERTAINTY.of(new float[] {1, 0, 0, 0}, 0)).isEqualTo(1.0);
    assertThat(ConfidenceScore.CERTAINTY.of(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, 0)).isCloseTo(0.0, within(1e-6));
    // 1 - H(0.5, 0.5, 0, 0) / ln 4 = 1 - ln 2 / ln 4
    assertThat(ConfidenceScore.CERTAINTY.of(new float[] {0.5f, 0.5f, 0, 0}, 0)).isCloseTo(0.5, within(1e-6));
    assertThat(ConfidenceScore.MAX_PROBABILITY.of(new float[] {0.2f, 0.7f, 0.1f}, 1)).isCloseTo(0.7, within(1e-6));
  }

  @Test
  void manifestsWithoutAScoreMeanTheBestProbabilityAndUnknownScoresAreRefused() {
    assertThat(ConfidenceScore.of(null)).isEqualTo(ConfidenceScore.MAX_PROBABILITY);
    assertThat(new ThresholdInfo(0.5, "given", null).confidenceScore()).isEqualTo(ConfidenceScore.MAX_PROBABILITY);
    assertThatThrownBy(() -> new ThresholdInfo(0.5, "given", null, "energy")).hasMessageContaining("unknown confidence score 'energy'");
  }

  @Test
  void theDecoderComparesTheManifestsScoreWithItsThreshold() {
    ModelManifest m = manifest(new ThresholdInfo(0.3, "val", null, "certainty"));
    IntentDecoder d = IntentDecoder.of(m, 2);
    float[] spread = {0.6f, 0.2f, 0.2f};  // best 0.6, certainty 0.135
    float[] torn = {0.55f, 0.45f, 0f};     // best 0.55, certainty 0.374
    assertThat(d.isOutOfScope(spread)).isTrue();
    assertThat(d.isOutOfScope(torn)).isFalse();
    IntentDecoder byProbability = IntentDecoder.of(manifest(new ThresholdInfo(0.58, "val", null)), 2);
    assertThat(byProbability.isOutOfScope(spread)).isFalse();
    assertThat(byProbability.isOutOfScope(torn)).isTrue();
  }

  @Test
  void aScoredThresholdIsWrittenAsFormatTwoAndReadBack() {
    ModelManifest m = manifest(new ThresholdInfo(0.3, "val", null, "certainty"));
    assertThat(m.formatVersion()).isEqualTo(2);
    ModelManifest back = Manifests.fromJson(Manifests.toJson(m), "test");
    assertThat(back.threshold()).isEqualTo(m.threshold());
    ModelManifest plain = Manifests.fromJson(Manifests.toJson(manifest(new ThresholdInfo(0.3, "val", null))), "test");
    assertThat(plain.formatVersion()).isEqualTo(1);
    assertThat(plain.threshold().confidenceScore()).isEqualTo(ConfidenceScore.MAX_PROBABILITY);
    String future = new String(Manifests.toJson(m), StandardCharsets.UTF_8).replace("\"format_version\" : 2", "\"format_version\" : 3");
    assertThatThrownBy(() -> Manifests.fromJson(future.getBytes(StandardCharsets.UTF_8), "test"))
        .isInstanceOf(IntentException.class).hasMessageContaining("format_version 3 is not supported");
  }

  private static ModelManifest manifest(ThresholdInfo threshold) {
    return new ModelManifest(ModelManifest.formatFor(threshold), ModelManifest.KIND_MODEL, "m", "1",
        List.of("a", "b", "c"), List.of(), threshold, null, null, null, null, null, null);
  }
}
