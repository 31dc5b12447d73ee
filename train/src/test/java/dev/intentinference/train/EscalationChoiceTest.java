package dev.intentinference.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.model.ThresholdInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EscalationChoiceTest {
  private static final List<String> LABELS = List.of("a", "b", "c");
  private static final ThresholdInfo NONE = new ThresholdInfo(0, "test", null);

  private static LabeledText gold(String intent) {
    return new LabeledText("text", intent, "test");
  }

  @Test
  void choosesTheSmallestValueThatLetsTheFallbackMendWhatTheModelGetsWrong() {
    // The model is wrong exactly where it is unsure (0.62, 0.72); the fallback is right everywhere.
    List<LabeledText> validation = List.of(gold("a"), gold("b"), gold("c"), gold("a"));
    List<float[]> first = List.of(new float[] {0.95f, 0.03f, 0.02f}, new float[] {0.62f, 0.3f, 0.08f},
        new float[] {0.72f, 0.1f, 0.18f}, new float[] {0.9f, 0.05f, 0.05f});
    List<float[]> fallback = List.of(new float[] {0.9f, 0.05f, 0.05f}, new float[] {0.2f, 0.7f, 0.1f},
        new float[] {0.1f, 0.1f, 0.8f}, new float[] {0.8f, 0.1f, 0.1f});
    EscalationChoice c = EscalationChoice.choose(LABELS, validation, first, NONE, fallback, NONE);
    // 0.75 is the first grid value above both unsure rows' 0.62 and 0.72; 0.8 and up tie with it.
    assertThat(c.escalateBelow()).isEqualTo(0.75);
    assertThat(c.right()).isEqualTo(4);
    assertThat(c.escalated()).isEqualTo(2);
    assertThat(c.rightByValue()).containsEntry(0.0, 2).containsEntry(0.65, 3).containsEntry(0.7, 3).containsEntry(0.95, 4);
    Map<String, Object> m = c.toMap("teacher", "val", 4);
    assertThat(m).containsEntry("escalate_below", 0.75).containsEntry("validation_escalated", 2).containsEntry("fallback", "teacher");
  }

  @Test
  void keepsTheModelAloneWhenTheFallbackHelpsNothingAndEachModelRejectsWithItsOwnRule() {
    // Out of scope: the model rejects it (its rule 0.5), the fallback accepts it (no rule): escalating only loses.
    List<LabeledText> validation = List.of(gold(LabeledText.OUT_OF_SCOPE), gold("a"));
    List<float[]> first = List.of(new float[] {0.4f, 0.3f, 0.3f}, new float[] {0.99f, 0.005f, 0.005f});
    List<float[]> fallback = List.of(new float[] {0.4f, 0.3f, 0.3f}, new float[] {0.99f, 0.005f, 0.005f});
    EscalationChoice c = EscalationChoice.choose(LABELS, validation, first, new ThresholdInfo(0.5, "test", null), fallback, NONE);
    assertThat(c.escalateBelow()).isZero();
    assertThat(c.right()).isEqualTo(2);
    assertThat(c.rightByValue()).containsEntry(0.5, 1);
  }
}
