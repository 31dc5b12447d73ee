package dev.intentinference.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.model.IntentPrediction;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRoundTripTest {
  @TempDir Path tmp;

  @Test
  void centroidModelWrittenAndReopenedPredictsIntents() throws Exception {
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("update_details", List.of("change my address", "update my phone number", "edit my account details"));
    examples.put("balance", List.of("what is my balance", "how much money do i have", "show account balance"));
    examples.put("weather", List.of("will it rain today", "what's the weather like", "temperature outside"));
    Path dir = tmp.resolve("model");
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), SessionSettings.singleThread())) {
      new CentroidModelBuilder(enc, "demo", "1").write(dir, examples, 0.5);
    }
    try (IntentPredictor p = ModelLoader.open(dir, LoadOptions.defaults().withSession(SessionSettings.singleThread()))) {
      IntentPrediction r = p.predict("change company address");
      assertThat(r.intent()).isEqualTo("update_details");
      assertThat(r.top()).hasSize(3);
      assertThat(r.modelVersion()).isEqualTo("1");
      assertThat(p.predict("is it going to be sunny tomorrow").intent()).isEqualTo("weather");
    }
    // A swapped tokenizer.json (the copy compile packs) is found at load too.
    byte[] tokenizer = Files.readAllBytes(dir.resolve("tokenizer.json"));
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    assertThatThrownBy(() -> ModelLoader.open(dir, LoadOptions.defaults()))
        .isInstanceOf(IntentException.class).hasMessageContaining("tokenizer.json has SHA-256");
    Files.write(dir.resolve("tokenizer.json"), tokenizer);
    // A damaged head file is detected through the manifest's hash.
    Files.write(dir.resolve("head.safetensors"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> ModelLoader.open(dir, LoadOptions.defaults()))
        .isInstanceOf(IntentException.class)
        .hasMessageContaining("head.safetensors has SHA-256");
  }

  @Test
  void refusesToOverwriteAnExistingModel() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("taken"));
    Files.writeString(dir.resolve("keep.txt"), "precious");
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), SessionSettings.singleThread())) {
      assertThatThrownBy(() -> new CentroidModelBuilder(enc, "x", "1").write(dir, Map.of("a", List.of("a"), "b", List.of("b")), 0))
          .isInstanceOf(IntentException.class).hasMessageContaining("already exists");
    }
    assertThat(Files.readString(dir.resolve("keep.txt"))).isEqualTo("precious");
  }
}
