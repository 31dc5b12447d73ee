package dev.intentinference.server;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Real tiny models for server tests: nearest-centroid heads on the real int8 bge encoder. */
final class TestModels {
  private TestModels() {}

  static Map<String, List<String>> bankingExamples() {
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("update_address", List.of("change my address", "i moved and need to update my address", "edit my home address"));
    examples.put("balance", List.of("what is my balance", "how much money do i have", "show account balance"));
    examples.put("weather", List.of("will it rain today", "what's the weather like", "temperature outside"));
    return examples;
  }

  /** Three intents named as in CLINC150, for the documentation's examples (OpenAPI, the web page). */
  static Map<String, List<String>> supportExamples() {
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("balance", List.of("what is my balance", "how much money do i have", "show account balance"));
    examples.put("weather", List.of("will it rain today", "what's the weather like", "temperature outside"));
    examples.put("transfer", List.of("send money to my savings", "transfer 100 dollars to john", "move money between accounts"));
    return examples;
  }

  static SentenceEncoder encoder() {
    return SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), SessionSettings.singleThread());
  }

  /** Writes {@code repo/<model>/<version>/} as a trained model directory. */
  static Path write(SentenceEncoder encoder, Path repo, String model, String version, Map<String, List<String>> examples) {
    return write(encoder, repo, model, version, examples, 0.5);
  }

  /** As above, rejecting as out of scope every message whose best probability is under {@code threshold}. */
  static Path write(SentenceEncoder encoder, Path repo, String model, String version, Map<String, List<String>> examples,
      double threshold) {
    Path dir = repo.resolve(model).resolve(version);
    new CentroidModelBuilder(encoder, model, version).write(dir, examples, threshold);
    return dir;
  }
}
