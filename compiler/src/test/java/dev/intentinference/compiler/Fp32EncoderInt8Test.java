package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model on an fp32 encoder (all-minilm-l6-v2, mean pooling) compiled to int8: the encoder's
 * MatMuls are quantized here, in Java, and the artifact still agrees with the fp32 model.
 */
class Fp32EncoderInt8Test {
  @TempDir Path tmp;

  @Test
  void quantizesTheFloatEncoderAndKeepsItsDecisions() {
    Path model = Fixtures.centroidModel(tmp.resolve("model"), "all-minilm-l6-v2");
    // In-domain labeled texts: the built-in sentences are mostly off-topic for this 6-intent
    // fixture, near-ties between intents, where any int8 rounding flips decisions.
    ModelCompiler.CompileResult r = new ModelCompiler(Fixtures.quick().withPrecision(Precision.INT8)).compile(ModelDirectorySource.open(model), tmp.resolve("minilm.intent"));
    // 6 layers x (Q, K, V, attention output, intermediate, output) = 36 weight MatMuls.
    assertThat(r.manifest().compile().get("passes").toString()).contains("36 MatMul/Gemm quantized");
    assertThat(r.report().examples()).isEqualTo(36);
    assertThat(r.report().labeled()).isEqualTo(36);
    assertThat(r.report().top1Agreement()).isGreaterThanOrEqualTo(0.99);
    assertThat(r.report().maxAbsDiff()).isPositive().isLessThan(0.2);
    assertThat(r.report().compiledAccuracy()).isGreaterThanOrEqualTo(r.report().referenceAccuracy() - 0.03).isGreaterThan(0.8);
    try (IntentPredictor p = ModelLoader.open(r.artifact(), LoadOptions.defaults().withSession(SessionSettings.singleThread()))) {
      assertThat(p.predict("my credit card got stolen").intent()).isEqualTo("lost_card");
      assertThat(p.predict("book me a flight to boston").intent()).isEqualTo("flight");
    }
  }
}
