package dev.intentinference.cli;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.server.RepositoryBootstrapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the default CLINC150 model into an empty repository on the first {@code intent serve}:
 * {@code REPO/clinc150/1/}.
 *
 * <p>PROVISIONAL: until {@code train} and {@code compile} are wired here, this writes a
 * nearest-centroid model (real int8 bge encoder, {@value #EXAMPLES_PER_INTENT} training examples
 * per intent) instead of a trained and int8-compiled {@code .intent} artifact.
 *
 * <pre>{@code
 * RepositoryBootstrapper b = new DefaultModelBootstrap(DefaultModelBootstrap.findClinc150(null), out);
 * }</pre>
 */
final class DefaultModelBootstrap implements RepositoryBootstrapper {
  static final String MODEL = "clinc150";
  static final String VERSION = "1";
  static final int EXAMPLES_PER_INTENT = 30;
  /**
   * No out-of-scope rejection by threshold: the centroid model's probabilities spread over 150
   * intents (best ~0.05-0.8), so an untuned threshold would reject most messages. The trained
   * model replacing this bootstrap carries a threshold chosen on validation data.
   */
  static final double THRESHOLD = 0.0;
  static final List<Path> DATA_CANDIDATES = List.of(
      Path.of("data/clinc150/data_full.json"),
      Path.of("../shared/data/clinc150/data_full.json"),
      Path.of("/work/shared/data/clinc150/data_full.json"));

  private final Path data;
  private final PrintWriter out;

  DefaultModelBootstrap(Path data, PrintWriter out) {
    this.data = data;
    this.out = out;
  }

  /** The CLINC150 file: {@code given} when set, else the first of {@link #DATA_CANDIDATES} that exists. */
  static Path findClinc150(Path given) {
    if (given != null) {
      if (!Files.isRegularFile(given)) {
        throw new IntentException("--data " + given + ": no such file");
      }
      return given;
    }
    return DATA_CANDIDATES.stream().filter(Files::isRegularFile).findFirst().orElse(null);
  }

  @Override
  public void populate(Path repository) {
    if (data == null) {
      throw new IntentException("the model repository " + repository + " is empty and CLINC150 (data_full.json) was not found at "
          + DATA_CANDIDATES + "; pass --data FILE or put a model in " + repository + "/<model>/<version>/");
    }
    Map<String, List<String>> examples = new LinkedHashMap<>();
    for (LabeledText row : new DatasetReader(Columns.DEFAULT).read(data, "train")) {
      if (row.isOutOfScope()) {
        continue;
      }
      List<String> list = examples.computeIfAbsent(row.intent(), k -> new ArrayList<>());
      if (list.size() < EXAMPLES_PER_INTENT) {
        list.add(row.text());
      }
    }
    int texts = examples.values().stream().mapToInt(List::size).sum();
    out.printf("intent: %s is empty: building the default model %s/%s from %s (%d intents, %d examples)...%n",
        repository, MODEL, VERSION, data, examples.size(), texts);
    out.flush();
    long start = System.nanoTime();
    try (SentenceEncoder encoder = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), SessionSettings.allCores())) {
      new CentroidModelBuilder(encoder, MODEL, VERSION).write(repository.resolve(MODEL).resolve(VERSION), examples, THRESHOLD);
    }
    out.printf("intent: built %s/%s in %.1f s%n", MODEL, VERSION, (System.nanoTime() - start) / 1e9);
    out.flush();
  }
}
