package dev.intentinference.compiler;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Real small models for compiler tests: a nearest-centroid head over a real encoder. */
final class Fixtures {
  private Fixtures() {}

  static Map<String, List<String>> examples() {
    Map<String, List<String>> ex = new LinkedHashMap<>();
    ex.put("balance", List.of("what is my account balance", "how much money do i have", "show my balance"));
    ex.put("transfer", List.of("transfer money to savings", "send 50 dollars to alex", "move funds between accounts"));
    ex.put("lost_card", List.of("i lost my credit card", "my card was stolen", "freeze my card"));
    ex.put("weather", List.of("will it rain today", "what's the weather like", "temperature outside"));
    ex.put("flight", List.of("book a flight to denver", "is my flight delayed", "what time does my flight leave"));
    ex.put("greeting", List.of("hello", "hi there", "good morning"));
    return ex;
  }

  /** 36 labeled in-domain texts for the fixture's intents: a quicker verification set than the 200 built-in sentences. */
  static Path verifyCsv() {
    try {
      return Path.of(Fixtures.class.getResource("/verify-demo.csv").toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Options verifying on {@link #verifyCsv()}. */
  static CompileOptions quick() {
    return CompileOptions.defaults().withVerifyData(verifyCsv(), "val", 1000);
  }

  /** Writes a centroid model over the given encoder into {@code dir}. */
  static Path centroidModel(Path dir, String encoderId) {
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(encoderId), SessionSettings.singleThread())) {
      new CentroidModelBuilder(enc, "demo", "3").write(dir, examples(), 0.3);
    }
    return dir;
  }
}
