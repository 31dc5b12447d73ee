package dev.intentinference.core.model;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained model directory at work: each encoder embeds the texts, the embeddings are
 * concatenated, the head gives logits and a softmax gives probabilities.
 */
public final class EmbeddingHeadScorer implements IntentScorer {
  private final ModelManifest manifest;
  private final List<SentenceEncoder> encoders;
  private final ClassifierHead head;

  public EmbeddingHeadScorer(ModelManifest manifest, List<SentenceEncoder> encoders, ClassifierHead head) {
    if (encoders.isEmpty()) {
      throw new IllegalArgumentException("at least one encoder");
    }
    int width = encoders.stream().mapToInt(SentenceEncoder::dimension).sum();
    if (width != head.inputs()) {
      throw new IntentException("head takes " + head.inputs() + " inputs but the encoders give " + width);
    }
    if (head.outputs() != manifest.labels().size()) {
      throw new IntentException("head gives " + head.outputs() + " logits but the manifest lists "
          + manifest.labels().size() + " labels");
    }
    this.manifest = manifest;
    this.encoders = List.copyOf(encoders);
    this.head = head;
  }

  /** Opens a model directory, checking every file and encoder hash. */
  public static EmbeddingHeadScorer open(Path dir, SessionSettings settings) {
    ModelManifest manifest = ModelDirectory.readManifest(dir);
    if (manifest.head() == null) {
      throw new IntentException(dir + ": manifest has no head");
    }
    ClassifierHead head = ClassifierHead.fromSafeTensors(
        ModelDirectory.readVerified(dir, manifest, manifest.head().file()), manifest.head().activations());
    if (manifest.files() != null && manifest.files().containsKey(ModelDirectory.TOKENIZER_FILE)) {
      // Inference tokenizes with the encoder's own tokenizer, but compile packs this copy: a missing
      // or swapped one is found here, not only when the model is compiled.
      ModelDirectory.readVerified(dir, manifest, ModelDirectory.TOKENIZER_FILE);
    }
    List<SentenceEncoder> encoders = new ArrayList<>();
    try {
      for (EncoderRef ref : manifest.encoders()) {
        encoders.add(ModelEncoder.resolve(dir, manifest, ref).load(settings));
      }
      return new EmbeddingHeadScorer(manifest, encoders, head);
    } catch (RuntimeException e) {
      encoders.forEach(SentenceEncoder::close);
      throw e;
    }
  }

  public List<SentenceEncoder> encoders() {
    return encoders;
  }

  public ClassifierHead head() {
    return head;
  }

  @Override
  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public TextTokenizer tokenizer() {
    return encoders.get(0).tokenizer();
  }

  /** The head's input: the encoders' embeddings, concatenated. */
  public float[][] features(List<String> texts, int padTo, boolean[] truncatedOut) {
    float[][] features = new float[texts.size()][head.inputs()];
    int offset = 0;
    for (SentenceEncoder encoder : encoders) {
      List<TokenizedText> tokens = encoder.tokenizer().encodeAll(texts);
      for (int i = 0; i < tokens.size(); i++) {
        truncatedOut[i] |= tokens.get(i).truncated();
      }
      float[][] e = encoder.embedTokens(TokenBatch.pack(tokens, padTo));
      for (int i = 0; i < e.length; i++) {
        System.arraycopy(e[i], 0, features[i], offset, e[i].length);
      }
      offset += encoder.dimension();
    }
    return features;
  }

  @Override
  public Scores score(List<String> texts, int padTo) {
    boolean[] truncated = new boolean[texts.size()];
    if (texts.isEmpty()) {
      return new Scores(new float[0][], truncated);
    }
    float[][] features = features(texts, padTo, truncated);
    float[][] probs = new float[texts.size()][];
    for (int i = 0; i < features.length; i++) {
      probs[i] = Softmax.of(head.logits(features[i]));
    }
    return new Scores(probs, truncated);
  }

  @Override
  public void close() {
    encoders.forEach(SentenceEncoder::close);
  }
}
