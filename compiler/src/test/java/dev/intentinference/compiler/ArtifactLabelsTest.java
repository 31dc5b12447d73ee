package dev.intentinference.compiler;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.model.ModelManifest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An artifact whose manifest lists another number of labels than its graph gives is refused at load. */
class ArtifactLabelsTest {
  @TempDir Path tmp;

  private Path compiled() throws Exception {
    Path onnx = TinyClassifier.write(tmp.resolve("export"), TinyClassifier.model(true, true), TinyClassifier.LABELS);
    return new ModelCompiler(CompileOptions.defaults().withMinAgreement(0))
        .compile(HfClassifierSource.open(onnx, null, null, null, "1", 0), tmp.resolve("a.intent")).artifact();
  }

  private Path withLabels(Path artifact, List<String> labels, String name) {
    return ArtifactRewrite.withManifest(artifact, m -> new ModelManifest(m.formatVersion(), m.kind(), m.name(), m.version(),
        labels, m.encoders(), m.threshold(), m.head(), m.training(), m.metrics(), m.compile(), m.files(), m.build()),
        tmp.resolve(name));
  }

  @Test
  void fewerOrMoreLabelsThanTheGraphGivesAreRefusedNotReadFromOtherTexts() throws Exception {
    Path artifact = compiled();
    int n = TinyClassifier.LABELS.size();
    Path fewer = withLabels(artifact, TinyClassifier.LABELS.subList(0, n - 1), "fewer.intent");
    assertThatThrownBy(() -> ModelLoader.open(fewer, LoadOptions.defaults())).isInstanceOf(IntentException.class)
        .hasMessageContaining("the compiled graph gives " + n + " probabilities per text but the manifest lists " + (n - 1) + " labels");
    List<String> more = new java.util.ArrayList<>(TinyClassifier.LABELS);
    more.add("extra");
    Path longer = withLabels(artifact, more, "more.intent");
    assertThatThrownBy(() -> ModelLoader.open(longer, LoadOptions.defaults())).isInstanceOf(IntentException.class)
        .hasMessageContaining("but the manifest lists " + (n + 1) + " labels");
  }
}
