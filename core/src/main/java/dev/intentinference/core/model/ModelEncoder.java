package dev.intentinference.core.model;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.nio.file.Path;

/**
 * One encoder of a model directory, checked: the registry's spec (tokenizer, pooling, layer
 * selection) and, for a fine-tuned encoder, the directory's own copy of the graph.
 *
 * @param spec the built-in encoder the model names
 * @param graph the directory's fine-tuned graph, or null when the model uses the shipped one
 */
public record ModelEncoder(EncoderSpec spec, byte[] graph) {

  /** Resolves {@code ref} of the model in {@code dir}, checking every hash on the way. */
  public static ModelEncoder resolve(Path dir, ModelManifest manifest, EncoderRef ref) {
    EncoderSpec spec = EncoderRegistry.builtIn().get(ref.id());
    if (ref.file() == null) {
      if (!spec.onnxSha256().equals(ref.onnxSha256())) {
        throw new IntentException(dir + ": trained on encoder " + ref.id() + " with SHA-256 " + ref.onnxSha256()
            + " but this build has " + spec.onnxSha256());
      }
      return new ModelEncoder(spec, null);
    }
    String file = ref.file();
    if (file.isBlank() || file.contains("/") || file.contains("\\") || file.startsWith(".")) {
      throw new IntentException(dir + ": encoder " + ref.id() + " names file '" + file + "', which is not a plain file name");
    }
    // readVerified checks the bytes against the manifest's files entry, so the encoder entry only
    // has to name the same hash: the 90 MB graph is hashed once.
    String listed = manifest.files() == null ? null : manifest.files().get(file);
    if (listed != null && !listed.equals(ref.onnxSha256())) {
      throw new IntentException(dir + ": " + file + " is listed with SHA-256 " + listed + " but encoder " + ref.id()
          + " says " + ref.onnxSha256());
    }
    return new ModelEncoder(spec, ModelDirectory.readVerified(dir, manifest, file));
  }

  public boolean fineTuned() {
    return graph != null;
  }

  /** The encoder running in ONNX Runtime. */
  public SentenceEncoder load(SessionSettings settings) {
    return graph == null ? SentenceEncoder.load(spec, settings) : SentenceEncoder.load(spec, graph, settings);
  }

  /** The encoder's graph, cut to the spec's layer selection. */
  public ModelProto model() {
    return graph == null ? EncoderGraphs.model(spec) : EncoderGraphs.model(spec, graph);
  }
}
