package dev.intentinference.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real nearest-centroid models on the shipped encoder: one from few examples, one from more. */
class CascadePredictorTest {
  @TempDir static Path tmp;
  static Path fast;
  static Path slow;
  static Path other;
  static final List<String> MESSAGES = List.of("change company address", "how much is in my account",
      "is it going to snow", "i moved house", "balance please", "umbrella needed today?", "new phone number",
      "what's left on my card", "hello there", "update my email");

  @BeforeAll
  static void build() {
    Map<String, List<String>> few = new LinkedHashMap<>();
    few.put("update_details", List.of("change my address"));
    few.put("balance", List.of("what is my balance"));
    few.put("weather", List.of("will it rain today"));
    Map<String, List<String>> more = new LinkedHashMap<>();
    more.put("update_details", List.of("change my address", "update my phone number", "edit my account details", "i moved"));
    more.put("balance", List.of("what is my balance", "how much money do i have", "show account balance", "funds left"));
    more.put("weather", List.of("will it rain today", "what's the weather like", "temperature outside", "is it sunny"));
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID),
        SessionSettings.singleThread())) {
      fast = tmp.resolve("fast");
      slow = tmp.resolve("slow");
      other = tmp.resolve("other");
      new CentroidModelBuilder(enc, "fast", "1").write(fast, few, 0.4);
      new CentroidModelBuilder(enc, "slow", "7").write(slow, more, 0.6);
      new CentroidModelBuilder(enc, "other", "1").write(other,
          Map.of("alarm", List.of("wake me up"), "timer", List.of("set a timer")), 0.5);
    }
  }

  private static IntentPredictor open(Path dir) {
    return ModelLoader.open(dir, LoadOptions.defaults().withSession(SessionSettings.singleThread()));
  }

  @Test
  void theFallbackAnswersExactlyTheMessagesTheFirstModelIsUnsureOf() {
    try (IntentPredictor first = open(fast); IntentPredictor fallback = open(slow)) {
      float[] best = new float[MESSAGES.size()];
      float[][] probs = first.scorer().score(MESSAGES).probabilities();
      for (int i = 0; i < best.length; i++) {
        for (float p : probs[i]) {
          best[i] = Math.max(best[i], p);
        }
      }
      float[] sorted = best.clone();
      Arrays.sort(sorted);
      double median = sorted[sorted.length / 2];

      CascadePredictor.Answers a = new CascadePredictor(first, fallback, median).predictAll(MESSAGES);

      // The fallback scores the escalated messages as one batch (a dynamic-int8 encoder's answers
      // move a little with their batch-mates, so they are compared with that batch).
      List<String> unsure = MESSAGES.stream().filter(m -> best[MESSAGES.indexOf(m)] < median).toList();
      List<IntentPrediction> second = fallback.predictAll(unsure);
      List<IntentPrediction> own = first.predictAll(MESSAGES);
      assertThat(a.escalatedCount()).isEqualTo(sorted.length / 2).isEqualTo(unsure.size());
      for (int i = 0, next = 0; i < MESSAGES.size(); i++) {
        assertThat(a.escalated()[i]).as(MESSAGES.get(i)).isEqualTo(best[i] < median);
        assertThat(a.predictions().get(i)).as(MESSAGES.get(i)).isEqualTo(a.escalated()[i] ? second.get(next++).byFallback() : own.get(i));
        assertThat(a.predictions().get(i).answeredByFallback()).isEqualTo(a.escalated()[i]);
      }
      // Escalated answers keep the fallback model's own version and decision.
      assertThat(a.predictions().stream().filter(p -> p.modelVersion().equals("7"))).hasSize(a.escalatedCount());
    }
  }

  @Test
  void zeroNeverEscalatesAndOneEscalatesEveryMessage() {
    try (IntentPredictor first = open(fast); IntentPredictor fallback = open(slow)) {
      CascadePredictor.Answers none = new CascadePredictor(first, fallback, 0).predictAll(MESSAGES);
      assertThat(none.escalatedCount()).isZero();
      assertThat(none.predictions()).isEqualTo(first.predictAll(MESSAGES));
      CascadePredictor.Answers all = new CascadePredictor(first, fallback, 1).predictAll(MESSAGES);
      assertThat(all.escalatedCount()).isEqualTo(MESSAGES.size());
      assertThat(all.predictions()).isEqualTo(fallback.predictAll(MESSAGES).stream().map(IntentPrediction::byFallback).toList());
      assertThat(new CascadePredictor(first, fallback, 1).predictAll(List.of()).predictions()).isEmpty();
    }
  }

  @Test
  void refusesModelsWithOtherIntentsAndThresholdsOutsideZeroToOne() {
    try (IntentPredictor first = open(fast); IntentPredictor fallback = open(other)) {
      assertThatThrownBy(() -> new CascadePredictor(first, fallback, 0.8))
          .isInstanceOf(IntentException.class).hasMessageContaining("intents differ");
      assertThatThrownBy(() -> new CascadePredictor(first, first, 1.5))
          .isInstanceOf(IntentException.class).hasMessageContaining("[0, 1]");
      assertThatThrownBy(() -> new CascadePredictor(first, first, Double.NaN))
          .isInstanceOf(IntentException.class).hasMessageContaining("[0, 1]");
    }
  }
}
