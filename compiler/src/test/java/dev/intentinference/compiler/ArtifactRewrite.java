package dev.intentinference.compiler;

import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.ModelManifest;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Test artifacts whose manifest says something else than the compiler wrote (hashes kept right). */
final class ArtifactRewrite {
  private ArtifactRewrite() {}

  static Path withManifest(Path artifact, UnaryOperator<ModelManifest> change, Path out) {
    IntentArtifact a = IntentArtifact.read(artifact);
    IntentArtifact.write(out, change.apply(a.manifest()), Map.of(IntentArtifact.MODEL_ENTRY, a.entry(IntentArtifact.MODEL_ENTRY),
        IntentArtifact.TOKENIZER_ENTRY, a.entry(IntentArtifact.TOKENIZER_ENTRY)));
    return out;
  }
}
