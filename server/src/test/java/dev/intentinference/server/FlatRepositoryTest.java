package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.onnx.SentenceEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --model-name}: a repository directory that itself holds the model (how KServe's storage
 * initializer fills {@code /mnt/models}) serves it under the given name at its manifest's version;
 * with the usual layout only that model serves.
 */
class FlatRepositoryTest {
  @TempDir Path tmp;

  @Test
  void aModelDirectlyInTheRepositoryServesUnderTheGivenName() throws Exception {
    Path mnt = tmp.resolve("mnt-models");
    try (SentenceEncoder enc = TestModels.encoder()) {
      new CentroidModelBuilder(enc, "banking", "7").write(mnt, TestModels.bankingExamples(), 0.5);
    }
    ServerConfig config = ServerConfig.builder(mnt).port(0).threads(1).pollInterval(Duration.ZERO).modelName("my-isvc").build();
    try (InferenceServer server = InferenceServer.start(config, RepositoryBootstrapper.NONE)) {
      assertThat(server.models()).containsExactly("my-isvc");
      assertThat(server.servingVersion("my-isvc")).as("from the manifest").isEqualTo("7");
      Http http = new Http(server.baseUri());
      assertThat(http.get("/v2/models/my-isvc/ready").statusCode()).isEqualTo(200);
      var r = http.postJson("/v2/models/my-isvc/infer", Http.infer("change my address"));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).contains("update_address").contains("\"model_version\":\"7\"");
    }
  }

  @Test
  void withTheUsualLayoutOnlyTheNamedModelServes() {
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, tmp, "a", "1", TestModels.bankingExamples());
      TestModels.write(enc, tmp, "b", "1", TestModels.bankingExamples());
    }
    try (InferenceServer server = InferenceServer.start(ServerConfig.builder(tmp).port(0).threads(1)
        .pollInterval(Duration.ZERO).modelName("b").build(), RepositoryBootstrapper.NONE)) {
      assertThat(server.models()).containsExactly("b");
    }
  }

  @Test
  void aCorruptFlatArtifactIsAClearError() throws Exception {
    Files.writeString(tmp.resolve("model.intent"), "not a zip");
    ServerConfig config = ServerConfig.builder(tmp).port(0).threads(1).pollInterval(Duration.ZERO).modelName("m").build();
    assertThatThrownBy(() -> InferenceServer.start(config, RepositoryBootstrapper.NONE).close())
        .isInstanceOf(IntentException.class).hasMessageContaining("model.intent").hasMessageContaining("not a valid .intent artifact");
  }

  @Test
  void aModelNameThatIsAPathIsRefused() {
    assertThatThrownBy(() -> ServerConfig.builder(tmp).modelName("../etc").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--model-name");
  }
}
