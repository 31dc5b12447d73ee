package dev.intentinference.core.model;

import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.Vectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a model with no training loop: each intent's logit is the cosine similarity between the
 * message and the intent's mean example embedding, times a temperature. A few examples per
 * intent are enough, which makes it the quick real model for tests, demos and fixtures of the
 * server and the benchmark.
 *
 * <pre>{@code
 * new CentroidModelBuilder(encoder, "demo", "1").write(Path.of("models/demo/1"),
 *     Map.of("greet", List.of("hi", "hello"), "bye", List.of("goodbye", "see you")), 0.0);
 * }</pre>
 */
public final class CentroidModelBuilder {
  /** Scales cosine similarities (in [-1, 1]) into logits that give confident softmax outputs. */
  public static final float TEMPERATURE = 20f;

  private final SentenceEncoder encoder;
  private final String name;
  private final String version;

  public CentroidModelBuilder(SentenceEncoder encoder, String name, String version) {
    this.encoder = encoder;
    this.name = name;
    this.version = version;
  }

  /** The head: one row per intent, its normalised centroid times {@link #TEMPERATURE}. */
  public ClassifierHead head(Map<String, List<String>> examples) {
    int dim = encoder.dimension();
    float[] weights = new float[examples.size() * dim];
    int row = 0;
    for (List<String> texts : examples.values()) {
      float[][] v = encoder.embed(texts);
      float[] centroid = new float[dim];
      for (float[] e : v) {
        for (int d = 0; d < dim; d++) {
          centroid[d] += e[d];
        }
      }
      Vectors.normalizeInPlace(centroid);
      for (int d = 0; d < dim; d++) {
        weights[row * dim + d] = centroid[d] * TEMPERATURE;
      }
      row++;
    }
    return new ClassifierHead(List.of(new DenseLayer(dim, examples.size(), weights, new float[examples.size()], Activation.NONE)));
  }

  /**
   * Writes a model directory.
   *
   * @param examples intent to example utterances, in label order
   * @param threshold out-of-scope threshold in [0, 1]
   */
  public ModelManifest write(Path dir, Map<String, List<String>> examples, double threshold) {
    ClassifierHead head = head(examples);
    EncoderSpec spec = encoder.spec();
    byte[] tokenizer = ClasspathResources.readAll(spec.tokenizerResource());
    ModelManifest manifest = new ModelManifest(
        ModelManifest.FORMAT_VERSION,
        ModelManifest.KIND_MODEL,
        name,
        version,
        new ArrayList<>(examples.keySet()),
        List.of(EncoderRef.of(spec, Hashes.sha256(tokenizer))),
        new ThresholdInfo(threshold, "given", "nearest-centroid model"),
        new HeadInfo(ModelDirectory.HEAD_FILE, "safetensors-f32", head.activationNames()),
        Map.of("method", "nearest-centroid", "temperature", TEMPERATURE),
        null,
        null,
        null,
        BuildInfo.current("dev", null, null));
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ModelDirectory.HEAD_FILE, head.toSafeTensors());
    files.put(ModelDirectory.TOKENIZER_FILE, tokenizer);
    ModelDirectory.write(dir, manifest, files);
    return ModelDirectory.readManifest(dir);
  }
}
