package dev.intentinference.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.EmbeddingHeadScorer;
import dev.intentinference.core.model.IntentDecoder;
import dev.intentinference.core.model.IntentPrediction;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trains once on a 10-intent CLINC150 slice with the real int8 encoder, loaded once. */
class IntentTrainerTest {
  static final SessionSettings THREADS = new SessionSettings(2, 1, true);
  static SentenceEncoder encoder;
  static Path data;
  static TrainingResult result;
  @TempDir static Path tmp;

  @BeforeAll
  static void train() throws URISyntaxException {
    encoder = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), THREADS);
    data = Path.of(IntentTrainerTest.class.getResource("/clinc10.json").toURI());
    // One encoder keeps the test quick; the default pair is exercised by the CLI test.
    TrainingOptions options = TrainingOptions.defaults(data, tmp.resolve("clinc10"))
        .withEncoders(List.of(EncoderRegistry.DEFAULT_ID)).withSession(THREADS);
    result = new IntentTrainer((spec, settings) -> encoder).train(options, TrainingListener.NONE);
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void scoresAtLeast90PercentOnItsHeldOutTestSlice() {
    List<LabeledText> test = new DatasetReader(Columns.DEFAULT).read(data, "test", "oos_test");
    IntentPredictor predictor = new IntentPredictor(scorer(), IntentDecoder.of(result.manifest(), 1));
    List<IntentPrediction> predictions = predictor.predictAll(test.stream().map(LabeledText::text).toList());
    EvalReport r = IntentMetrics.ofPredictions(test.stream().map(LabeledText::intent).toList(), predictions);
    assertThat(r.inScope()).isEqualTo(150);
    assertThat(r.inScopeAccuracy()).as("in-scope accuracy on the held-out test slice").isGreaterThanOrEqualTo(0.90);
    assertThat(r.oosRecall()).as("out-of-scope recall on the held-out test slice").isGreaterThan(0.5);
  }

  @Test
  void manifestRecordsProvenance() {
    ModelManifest m = result.manifest();
    assertThat(m.labels()).hasSize(10).doesNotContain("oos");
    assertThat(m.encoders()).singleElement().satisfies(e -> assertThat(e.id()).isEqualTo(EncoderRegistry.DEFAULT_ID));
    assertThat(m.threshold().value()).isBetween(0.0, 1.0);
    assertThat(m.threshold().method()).contains("val+oos_val");
    assertThat(m.training()).containsEntry("seed", 42).containsKey("data_sha256").containsKey("best_epoch");
    @SuppressWarnings("unchecked")
    Map<String, Object> sizes = (Map<String, Object>) m.training().get("sizes");
    assertThat(sizes).containsEntry("train_examples", 300).containsEntry("validation_out_of_scope", 20);
    assertThat(m.metrics()).containsKey("validation");
    assertThat(m.build().createdAt()).isNotBlank();
  }

  @Test
  void modelDirectoryRoundTripGivesIdenticalPredictions() {
    List<String> texts = List.of("what's my account balance", "wake me up at 7", "tell me something funny",
        "how do you say hello in french", "what is the airspeed of an unladen swallow");
    IntentPredictor inMemory = new IntentPredictor(scorer(), IntentDecoder.of(result.manifest(), 3));
    List<IntentPrediction> expected = inMemory.predictAll(texts);
    try (IntentPredictor loaded = ModelLoader.open(result.directory(), LoadOptions.defaults().withSession(THREADS))) {
      assertThat(loaded.predictAll(texts)).isEqualTo(expected);
    }
    assertThat(expected.get(0).intent()).isEqualTo("balance");
    assertThat(expected.get(1).intent()).isEqualTo("alarm");
  }

  @Test
  void refusesAnExistingOutputAndLeavesItAlone() throws Exception {
    Path taken = Files.createDirectories(tmp.resolve("taken"));
    Files.writeString(taken.resolve("keep.txt"), "precious");
    TrainingOptions options = TrainingOptions.defaults(data, taken).withSession(THREADS)
        .withEncoders(List.of(EncoderRegistry.DEFAULT_ID));
    assertThatThrownBy(() -> new IntentTrainer((spec, settings) -> encoder).train(options, TrainingListener.NONE))
        .isInstanceOf(IntentException.class).hasMessageContaining("already exists");
    assertThat(Files.readString(taken.resolve("keep.txt"))).isEqualTo("precious");
  }

  private static EmbeddingHeadScorer scorer() {
    return new EmbeddingHeadScorer(result.manifest(), List.of(encoder), result.head());
  }
}
