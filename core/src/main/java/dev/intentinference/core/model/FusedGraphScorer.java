package dev.intentinference.core.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.onnx.OrtSessions;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.onnx.TokenTensors;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Set;

/**
 * A compiled artifact at work: one ONNX graph from token ids to {@code probabilities}. When the
 * artifact declares sequence-length buckets, each batch is padded up to the smallest bucket that
 * fits, so the graph only ever sees those shapes.
 */
public final class FusedGraphScorer implements IntentScorer {
  public static final String PROBABILITIES = "probabilities";

  private final ModelManifest manifest;
  private final TextTokenizer tokenizer;
  private final OrtSession session;
  private final boolean wantsTypeIds;
  private final SequenceBuckets buckets;
  private final int labels;

  private FusedGraphScorer(ModelManifest manifest, TextTokenizer tokenizer, OrtSession session, SequenceBuckets buckets) {
    this.manifest = manifest;
    this.tokenizer = tokenizer;
    this.session = session;
    this.buckets = buckets;
    this.labels = manifest.labels().size();
    Set<String> inputs = session.getInputNames();
    if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
      throw new IntentException("compiled graph must take input_ids and attention_mask, has " + inputs);
    }
    if (!session.getOutputNames().contains(PROBABILITIES)) {
      throw new IntentException("compiled graph must have a 'probabilities' output, has " + session.getOutputNames());
    }
    this.wantsTypeIds = inputs.contains("token_type_ids");
    long width = outputWidth(session);
    if (width > 0 && width != labels) {
      // Each text's answer would be read from another text's numbers, or past the end.
      throw new IntentException("the compiled graph gives " + width + " probabilities per text but the manifest lists "
          + labels + " labels");
    }
  }

  /** The fixed last dimension of the graph's probabilities, or -1 when the graph leaves it open. */
  private static long outputWidth(OrtSession session) {
    try {
      if (session.getOutputInfo().get(PROBABILITIES).getInfo() instanceof ai.onnxruntime.TensorInfo t && t.getShape().length == 2) {
        return t.getShape()[1];
      }
      return -1;
    } catch (OrtException e) {
      throw new IntentException("cannot read the compiled graph's outputs: " + e.getMessage(), e);
    }
  }

  /**
   * Opens a compiled artifact.
   *
   * @param session ONNX Runtime session built by the caller for the artifact's target
   */
  public static FusedGraphScorer open(IntentArtifact artifact, OrtSession session) {
    ModelManifest m = artifact.manifest();
    TextTokenizer tok = TextTokenizer.fromBytes(artifact.entry(IntentArtifact.TOKENIZER_ENTRY), m.maxLength());
    try {
      return new FusedGraphScorer(m, tok, session, SequenceBuckets.of(m));
    } catch (RuntimeException e) {
      tok.close();
      closeQuietly(session);
      throw e;
    }
  }

  /** Opens a CPU artifact with the given thread settings. */
  public static FusedGraphScorer open(IntentArtifact artifact, SessionSettings settings) {
    return open(artifact, OrtSessions.create(artifact.entry(IntentArtifact.MODEL_ENTRY), settings));
  }

  /** The artifact's sequence-length buckets, for callers that pack their own batches. */
  public SequenceBuckets buckets() {
    return buckets;
  }

  @Override
  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public Scores score(List<String> texts, int padTo) {
    boolean[] truncated = new boolean[texts.size()];
    if (texts.isEmpty()) {
      return new Scores(new float[0][], truncated);
    }
    List<TokenizedText> tokens = tokenizer.encodeAll(texts);
    int longest = 0;
    for (int i = 0; i < tokens.size(); i++) {
      truncated[i] = tokens.get(i).truncated();
      longest = Math.max(longest, tokens.get(i).length());
    }
    return new Scores(run(TokenBatch.pack(tokens, buckets.padTo(Math.max(longest, padTo)))), truncated);
  }

  /** Runs the graph on a packed batch: {@code [batch][labels]} probabilities. */
  public float[][] run(TokenBatch batch) {
    // One guarded call for the tensors, the run and their release: native code the exit must not race (ExitGuard).
    try {
      return ExitGuard.process().call(() -> {
        try (TokenTensors in = TokenTensors.of(batch, wantsTypeIds);
            OrtSession.Result result = session.run(in.inputs(), Set.of(PROBABILITIES))) {
          FloatBuffer probs = ((OnnxTensor) result.get(0)).getFloatBuffer();
          if (probs.remaining() != (long) batch.batch() * labels) {
            throw new IntentException("the compiled graph gave " + probs.remaining() + " probabilities for " + batch.batch()
                + " texts but the manifest lists " + labels + " labels");
          }
          float[][] out = new float[batch.batch()][labels];
          for (int i = 0; i < out.length; i++) {
            probs.get(i * labels, out[i], 0, labels);
          }
          return out;
        }
      });
    } catch (OrtException e) {
      throw new IllegalStateException("compiled model failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    closeQuietly(session);
    tokenizer.close();
  }

  private static void closeQuietly(OrtSession s) {
    try {
      OrtSessions.close(s);
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
  }
}
