package dev.intentinference.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.model.ConfidenceScore;
import dev.intentinference.core.model.ModelManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValidationOutcomeTest {
  private static final List<String> LABELS = List.of("a", "b", "c");

  @Test
  void keepsTheCertaintyScoreWhenOnlyItSeparatesOutOfScopeQueries() {
    // In scope: torn between two intents (best 0.55). Out of scope: a higher best (0.6) but the
    // rest spread evenly, which only the certainty score sees.
    ValidationOutcome o = outcome(new float[] {0.55f, 0.45f, 0f}, new float[] {0.6f, 0.2f, 0.2f});
    assertThat(o.threshold().confidenceScore()).isEqualTo(ConfidenceScore.CERTAINTY);
    assertThat(o.threshold().method()).contains("certainty");
    assertThat(o.report().accuracy()).isEqualTo(1.0);
    assertThat(ModelManifest.formatFor(o.threshold())).isEqualTo(ModelManifest.SCORED_THRESHOLD_FORMAT_VERSION);
  }

  @Test
  void keepsTheBestProbabilityOnATie() {
    ValidationOutcome o = outcome(new float[] {0.9f, 0.05f, 0.05f}, new float[] {0.4f, 0.3f, 0.3f});
    assertThat(o.threshold().confidenceScore()).isEqualTo(ConfidenceScore.MAX_PROBABILITY);
    assertThat(o.threshold().score()).isNull();
    assertThat(o.report().accuracy()).isEqualTo(1.0);
    assertThat(ModelManifest.formatFor(o.threshold())).isEqualTo(ModelManifest.FORMAT_VERSION);
  }

  @Test
  void keepsTheBestProbabilityWithoutOutOfScopeValidationQueries() {
    ValidationOutcome o = outcome(new float[] {0.55f, 0.45f, 0f}, new float[] {0.6f, 0.2f, 0.2f}, 0);
    assertThat(o.threshold().confidenceScore()).isEqualTo(ConfidenceScore.MAX_PROBABILITY);
    assertThat(o.threshold().note()).contains("no out-of-scope examples");
    // The manifest's validation figures carry the best intent's accuracy too, rejected or not.
    assertThat(o.report().inScopeTop1()).isEqualTo(1.0);
    assertThat(o.report().summary()).containsEntry("in_scope_top1", 1.0);
  }

  private static ValidationOutcome outcome(float[] inScope, float[] oos) {
    return outcome(inScope, oos, 5);
  }

  /** Ten in-scope validation queries of intent a with {@code inScope}, {@code oosCount} out of scope with {@code oos}. */
  private static ValidationOutcome outcome(float[] inScope, float[] oos, int oosCount) {
    List<LabeledText> validation = new ArrayList<>();
    List<float[]> probs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      validation.add(new LabeledText("in " + i, "a", "test"));
      probs.add(inScope);
    }
    for (int i = 0; i < oosCount; i++) {
      validation.add(new LabeledText("out " + i, LabeledText.OUT_OF_SCOPE, "test"));
      probs.add(oos);
    }
    TrainingData data = new TrainingData(List.of(new LabeledText("x", "a", "test"), new LabeledText("y", "b", "test"),
        new LabeledText("z", "c", "test")), validation, LABELS, Map.of("validation", "val"), Map.of());
    return ValidationOutcome.of(data, probs, "1");
  }
}
