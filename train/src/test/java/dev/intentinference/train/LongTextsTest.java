package dev.intentinference.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.train.finetune.FineTuneConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages that say what they want only after a long greeting, as support e-mails do: trained
 * whole (the default) the model learns what they ask; cut at 64 tokens, as training did before,
 * every training text looks the same and the model cannot.
 */
class LongTextsTest {
  /** About 75 tokens of the same greeting before every request. */
  private static final String GREETING = "hello team, i hope you are all doing well today and that the week has been kind "
      + "to you. i am writing to you about my account with your bank because something came up over the weekend and i "
      + "would really appreciate your help with it as soon as you can, thank you so much in advance. here it is:";
  private static final Map<String, List<String>> REQUESTS = Map.of(
      "cancel_card", List.of("please cancel my card", "i want my card cancelled", "block and cancel the card",
          "stop my card for good", "cancel the debit card now", "my card must be cancelled", "kill my card please"),
      "statement", List.of("send me my statement", "i need a copy of my statement", "where is my monthly statement",
          "email the last statement", "can i get my bank statement", "mail me a statement", "statement for march please"),
      "address", List.of("update my home address", "i moved, change my address", "my address has changed",
          "please fix the address on file", "new address for my account", "change where i live on file",
          "correct my postal address"));

  @TempDir Path tmp;

  @Test
  void theDefaultLearnsWhatALongMessageSaysPastItsFirst64Tokens() throws Exception {
    Path train = csv("train.csv", 0, 4);
    Path val = csv("val.csv", 4, 5);
    List<String> heldOut = List.of("cancel_card", "statement", "address");
    Path whole = train(train, val, "whole", FineTuning.DEFAULT_MAX_TOKENS);
    Path cut = train(train, val, "cut", 64);

    assertThat(accuracy(whole, heldOut)).as("trained whole").isGreaterThanOrEqualTo(5 / 6.0);
    assertThat(accuracy(cut, heldOut)).as("cut at 64 tokens: every training text is the greeting").isLessThan(0.5);
    assertThat(training(whole, "recipe")).containsEntry("max_tokens", 256);
    assertThat(training(cut, "recipe")).containsEntry("max_tokens", 64);
    assertThat(training(whole, "sizes")).containsEntry("texts_cut", 0);
    assertThat(training(cut, "sizes")).as("every training text").containsEntry("texts_cut", 12);
  }

  private Path train(Path train, Path val, String name, int maxTokens) {
    FineTuning f = FineTuning.defaults().withTeacher(null).withThreads(2).withMaxTokens(maxTokens)
        .withRecipe(FineTuneConfig.defaults().withEpochs(8).withBatchSize(6).withLearningRates(2e-4, 5e-3).withSeed(42));
    TrainingOptions options = TrainingOptions.defaults(train, tmp.resolve(name)).withValidation(val)
        .withEncoders(List.of("all-minilm-l6-v2@0-3")).withSession(new SessionSettings(2, 1, true));
    return new FineTuneTrainer(f).train(options, TrainingListener.NONE).directory();
  }

  /** Top-1 accuracy on each intent's last two requests, which neither training nor validation saw. */
  private static double accuracy(Path model, List<String> intents) {
    int right = 0;
    int all = 0;
    try (IntentPredictor p = ModelLoader.open(model, LoadOptions.defaults())) {
      for (String intent : intents) {
        for (String request : REQUESTS.get(intent).subList(5, 7)) {
          all++;
          if (p.predict(GREETING + " " + request).top().get(0).intent().equals(intent)) {
            right++;
          }
        }
      }
    }
    return (double) right / all;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> training(Path model, String part) {
    try (IntentPredictor p = ModelLoader.open(model, LoadOptions.defaults())) {
      return (Map<String, Object>) p.manifest().training().get(part);
    }
  }

  private Path csv(String name, int from, int to) throws Exception {
    StringBuilder s = new StringBuilder("text,intent\n");
    for (Map.Entry<String, List<String>> e : new java.util.TreeMap<>(REQUESTS).entrySet()) {
      for (String request : e.getValue().subList(from, to)) {
        s.append('"').append(GREETING).append(' ').append(request).append("\",").append(e.getKey()).append('\n');
      }
    }
    return Files.writeString(tmp.resolve(name), s);
  }
}
