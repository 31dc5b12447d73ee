package dev.intentinference.cli;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A real model built in seconds: a nearest-centroid head on the real int8 bge encoder. */
final class TinyModel {
  private TinyModel() {}

  /** Writes a trained model directory ({@code manifest.json} + files) named {@code name} at {@code version} into {@code dir}. */
  static Path write(Path dir, String name, String version) {
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("update_address", List.of("change my address", "i moved and need to update my address", "edit my home address"));
    examples.put("balance", List.of("what is my balance", "how much money do i have", "show account balance"));
    examples.put("weather", List.of("will it rain today", "what's the weather like", "temperature outside"));
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), SessionSettings.singleThread())) {
      new CentroidModelBuilder(enc, name, version).write(dir, examples, 0.5);
    }
    return dir;
  }
}
