package dev.intentinference.compiler;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.onnx.SessionSettings;

/**
 * A model that {@code intent compile} can turn into an artifact: a trained model directory
 * ({@link ModelDirectorySource}) or an external Hugging Face classifier exported to ONNX
 * ({@link HfClassifierSource}).
 */
public interface CompileSource {
  /** The provenance to carry into the artifact: name, version, labels, threshold, encoders, training. */
  ModelManifest manifest();

  /** The Hugging Face {@code tokenizer.json} bytes. */
  byte[] tokenizer();

  /** One float graph from token ids to {@code logits} and {@code probabilities}. */
  ModelProto fusedGraph();

  /**
   * The graphs {@link #fusedGraph()} is made from (the encoders, or the classifier), for the
   * fusion pass's before/after node counts; none when the source cannot tell.
   */
  default java.util.List<ModelProto> sourceGraphs() {
    return java.util.List.of();
  }

  /** The model as it runs uncompiled, the reference the artifact is verified against. */
  IntentScorer reference(SessionSettings settings);

  /** {@code model-directory} or {@code hf-onnx-classifier}. */
  String kind();

  /** SHA-256 identifying the exact source (manifest of a model directory, ONNX file of a classifier). */
  String sha256();

  /** What the user pointed at, for the manifest (file name only, never an absolute path). */
  String location();
}
