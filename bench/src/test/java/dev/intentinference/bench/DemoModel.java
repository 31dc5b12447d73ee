package dev.intentinference.bench;

import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a CLINC150 nearest-centroid model (5 training examples per intent) for measuring the
 * harness in process before trained models exist:
 * {@code java -cp ... dev.intentinference.bench.DemoModel data_full.json OUT_DIR ENCODER_ID}.
 */
final class DemoModel {
  public static void main(String[] args) throws Exception {
    Map<String, List<String>> examples = new LinkedHashMap<>();
    for (LabeledText t : new DatasetReader(Columns.DEFAULT).read(Path.of(args[0]), "train")) {
      List<String> l = examples.computeIfAbsent(t.intent(), k -> new ArrayList<>());
      if (l.size() < 5) {
        l.add(t.text());
      }
    }
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(args[2]), SessionSettings.allCores())) {
      new CentroidModelBuilder(enc, "clinc150-centroid", "1").write(Path.of(args[1]), examples, 0.5);
    }
  }
}
