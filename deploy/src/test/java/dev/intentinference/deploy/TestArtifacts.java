package dev.intentinference.deploy;

import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.ModelManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Well-formed {@code .intent} files for storage tests: a manifest and entries whose hashes match,
 * small and distinct per version. (Whether a model loads and answers is the server's tests' job.)
 */
final class TestArtifacts {
  private TestArtifacts() {}

  static Path write(Path dir, String model, String version, int payloadBytes) {
    ModelManifest manifest = new ModelManifest(ModelManifest.FORMAT_VERSION, ModelManifest.KIND_ARTIFACT, model, version,
        List.of("a", "b"), List.of(), null, null, null, null, null, null, null);
    byte[] graph = new byte[payloadBytes];
    for (int i = 0; i < graph.length; i++) {
      graph[i] = (byte) (i * 31 + version.hashCode());
    }
    Path file = dir.resolve(model + "-" + version + IntentArtifact.EXTENSION);
    IntentArtifact.write(file, manifest, Map.of(IntentArtifact.MODEL_ENTRY, graph,
        IntentArtifact.TOKENIZER_ENTRY, "{}".getBytes(StandardCharsets.UTF_8)));
    return file;
  }
}
