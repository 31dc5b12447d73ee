package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.intentinference.core.model.CascadeInfo;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.OpenedModel;
import dev.intentinference.server.InferenceServer;
import dev.intentinference.server.RepositoryBootstrapper;
import dev.intentinference.server.ServerConfig;
import dev.intentinference.train.FineTuning;
import dev.intentinference.train.TrainingOptions;
import dev.intentinference.train.finetune.FineTuneConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first {@code intent serve} answers with the quick model, then fine-tunes in the background
 * and swaps the fine-tuned model in as version 2 while requests keep flowing, none failing. (A
 * 10-intent CLINC150 slice and a short recipe stand in for the full data.)
 */
class DefaultModelUpgradeTest {
  @TempDir Path tmp;

  @Test
  void theUpgradeTrainsWhatIntentTrainDoesByDefault() {
    TrainingOptions o = new DefaultModelUpgrade(tmp.resolve("data.json"), FineTuning.defaults(), false, new PrintWriter(new StringWriter()))
        .trainingOptions(tmp.resolve("m"));
    assertThat(o.oosClass()).isEqualTo(FineTuning.DEFAULT_OOS_CLASS).isTrue();
    assertThat(o.encoders()).containsExactly(FineTuning.DEFAULT_MODEL_ENCODER);
  }

  private Path withoutOosTrain(Path clinc) throws Exception {
    ObjectNode splits = (ObjectNode) new ObjectMapper().readTree(clinc.toFile());
    splits.remove("oos_train");
    return Files.writeString(tmp.resolve("clinc10-no-oos-train.json"), splits.toString());
  }

  /**
   * The mechanism under test is the upgrade, not the recipe: a 6-layer teacher and no variants keep it
   * short. Its lower half stays fixed, as the default teacher's does.
   */
  private static FineTuning shortRecipe() {
    FineTuneConfig quick = FineTuneConfig.defaults().withEpochs(2).withBatchSize(16).withLearningRates(2e-4, 5e-3);
    return FineTuning.defaults().withThreads(1).withRecipe(quick).withTeacher("all-minilm-l6-v2")
        .withTeacherRecipe(quick.withEpochs(1).withFrozenLayers(FineTuning.defaultTeacherFrozenLayers("all-minilm-l6-v2")))
        .withAugment(0);
  }

  @Test
  void theQuickModelServesWhileVersionTwoIsFineTunedThenSwappedIn() throws Exception {
    // Without oos_train: with its 20 rows this short recipe's model flips one of the 80 validation
    // texts between an intent and oos once quantized, and compile's 0.99 agreement gate (rightly)
    // refuses it. The oos class is TrainEvalPredictTest's subject; this one's is the swap.
    Path data = withoutOosTrain(Path.of(getClass().getResource("/clinc10.json").toURI()));
    Path repo = tmp.resolve("repo");
    StringWriter log = new StringWriter();
    PrintWriter out = new PrintWriter(log, true);
    RepositoryBootstrapper bootstrap = DefaultModelBootstrap.of(data, out);
    try (InferenceServer server = InferenceServer.start(
        ServerConfig.builder(repo).port(0).threads(1).pollInterval(Duration.ofMillis(200)).build(), bootstrap)) {
      assertThat(server.servingVersion("clinc150")).isEqualTo("1");
      assertThat(DefaultModelUpgrade.needed(repo)).isTrue();

      HttpClient client = HttpClient.newHttpClient();
      URI predict = server.baseUri().resolve("/v1/models/clinc150/predict");
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      // Paced while version 1 serves alone, flat out from the moment version 2 is published: the
      // swap is what can fail a request, and a flat-out loop during the whole fine-tuning would only
      // take a core from the tests running beside this one.
      Path versionTwo = repo.resolve("clinc150/2");
      Thread load = new Thread(() -> {
        while (running.get()) {
          try {
            if (!Files.exists(versionTwo)) {
              Thread.sleep(20);
            }
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(predict)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"what is my balance\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
            (r.statusCode() == 200 ? ok : failed).incrementAndGet();
          } catch (Exception e) {
            failed.incrementAndGet();
          }
        }
      });
      load.start();
      Path published = new DefaultModelUpgrade(data, shortRecipe(), false, out).run(repo);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!"2".equals(server.servingVersion("clinc150")) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      Thread.sleep(300);
      running.set(false);
      load.join();

      assertThat(server.servingVersion("clinc150")).as(log.toString()).isEqualTo("2");
      assertThat(published).isEqualTo(repo.resolve("clinc150/2"));
      assertThat(failed.get()).as("failed requests during the swap").isZero();
      assertThat(ok.get()).isPositive();
      HttpResponse<String> meta = client.send(HttpRequest.newBuilder(server.baseUri().resolve("/v2/models/clinc150")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(meta.body()).contains("\"versions\":[\"2\"]");
      assertThat(log.toString()).contains("fine-tuning the teacher").contains("fine-tuning the model")
          .contains("epoch 1, validation in-scope accuracy").contains("published clinc150/2");
      assertThat(DefaultModelUpgrade.needed(repo)).as("nothing more to upgrade").isFalse();
      try (Stream<Path> left = Files.list(repo.resolve("clinc150"))) {
        assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("1", "2");
      }
      // Constant activation ranges: an answer does not depend on what the server batches it with.
      try (Stream<Path> files = Files.list(published)) {
        Path artifact = files.filter(f -> f.toString().endsWith(".intent")).findFirst().orElseThrow();
        assertThat(IntentArtifact.read(artifact).manifest().compile().get("passes").toString())
            .contains("int8-static-quantization(calibrated on");
      }
    }
  }

  @Test
  void asACascadeVersionTwoIsTheModelWithItsTeacherBehindIt() throws Exception {
    Path data = withoutOosTrain(Path.of(getClass().getResource("/clinc10.json").toURI()));
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("clinc150"));
    StringWriter log = new StringWriter();

    Path published = new DefaultModelUpgrade(data, shortRecipe(), true, new PrintWriter(log, true)).run(repo);

    Path artifact = published.resolve("clinc150-2.intent");
    try (Stream<Path> files = Files.list(published)) {
      assertThat(files).as("the version holds the cascade artifact alone, no staging left").containsExactly(artifact);
    }
    try (Stream<Path> left = Files.list(repo.resolve("clinc150"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("2");
    }
    ModelManifest m = IntentArtifact.read(artifact).manifest();
    CascadeInfo cascade = CascadeInfo.of(m);
    assertThat(cascade).as("a cascade artifact").isNotNull();
    assertThat(cascade.fallbackName()).isEqualTo("clinc150-teacher");
    Double chosen = CascadeInfo.recordedEscalateBelow(m);
    assertThat(chosen).as("P chosen on validation by the fine-tuning run").isNotNull();
    assertThat(cascade.escalateBelow()).isEqualTo(chosen);
    try (OpenedModel opened = ModelLoader.openWithFallback(artifact, LoadOptions.defaults())) {
      assertThat(opened.fallback()).isNotNull();
      assertThat(opened.fallback().manifest().compile()).as("the teacher was compiled and verified too").containsKey("verification");
      assertThat(opened.fallback().predictAll(List.of("what is my balance")).get(0).intent()).isEqualTo("balance");
      assertThat(opened.first().predictAll(List.of("what is my balance")).get(0).intent()).isEqualTo("balance");
    }
    assertThat(log.toString()).contains("(a cascade: the model, its teacher behind it)").contains("fine-tuning the teacher")
        .contains("packed as a cascade escalating below " + chosen).contains("published clinc150/2");
  }
}
