package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model on a cut-down encoder (MiniLM's embedding output and first three layers, concatenated):
 * the compiler fuses the cut graph, and the artifact records the selection in its encoder id.
 */
class LayerSelectionCompileTest {
  @TempDir Path tmp;

  @Test
  void compilesAModelOnALayerSelection() {
    Path model = Fixtures.centroidModel(tmp.resolve("model"), "all-minilm-l6-v2-q@0-3");
    ModelCompiler.CompileResult r = new ModelCompiler(Fixtures.quick().withPrecision(Precision.INT8))
        .compile(ModelDirectorySource.open(model), tmp.resolve("sel.intent"));
    assertThat(r.report().top1Agreement()).isEqualTo(1.0);
    assertThat(r.manifest().encoders()).singleElement()
        .satisfies(e -> assertThat(e.id()).isEqualTo("all-minilm-l6-v2-q@0-3"))
        .satisfies(e -> assertThat(e.dimension()).isEqualTo(1536));
    LoadOptions one = LoadOptions.defaults().withSession(SessionSettings.singleThread());
    try (IntentPredictor dir = ModelLoader.open(model, one); IntentPredictor art = ModelLoader.open(r.artifact(), one)) {
      for (String t : List.of("what is my balance", "is it going to rain tomorrow", "book me a flight to denver")) {
        assertThat(art.predict(t).intent()).as(t).isEqualTo(dir.predict(t).intent());
      }
    }
  }
}
