package dev.intentinference.core.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.encoder.Pooling;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Set;

/**
 * A pretrained encoder running in ONNX Runtime: texts in, pooled (and optionally normalised)
 * sentence embeddings out. Batch and sequence dimensions are dynamic.
 *
 * <pre>{@code
 * try (SentenceEncoder enc = SentenceEncoder.load(registry.get("bge-small-en-v1.5-q"), SessionSettings.allCores())) {
 *   float[][] v = enc.embed(List.of("change company address"));
 * }
 * }</pre>
 *
 * <p>Thread-safe: ONNX Runtime sessions accept concurrent {@code run} calls.
 */
public final class SentenceEncoder implements AutoCloseable {
  private final EncoderSpec spec;
  private final TextTokenizer tokenizer;
  private final OrtSession session;
  private final boolean wantsTypeIds;
  private final String outputName;

  private SentenceEncoder(EncoderSpec spec, TextTokenizer tokenizer, OrtSession session) {
    this.spec = spec;
    this.tokenizer = tokenizer;
    this.session = session;
    Set<String> inputs = session.getInputNames();
    if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
      throw new IntentException(
          "encoder " + spec.id() + " must take input_ids and attention_mask, has " + inputs);
    }
    this.wantsTypeIds = inputs.contains("token_type_ids");
    this.outputName = session.getOutputNames().iterator().next();
  }

  /**
   * Loads the encoder's files from the classpath, checks the ONNX file's SHA-256 and cuts the
   * graph to the spec's layer selection, if any ({@link EncoderGraphs}).
   */
  public static SentenceEncoder load(EncoderSpec spec, SessionSettings settings) {
    return fromGraph(spec, EncoderGraphs.bytes(spec), settings);
  }

  /**
   * The spec's encoder running {@code onnx} (a fine-tuned copy of its graph, already checked by the
   * caller) instead of the shipped file; the spec's layer selection applies.
   */
  public static SentenceEncoder load(EncoderSpec spec, byte[] onnx, SessionSettings settings) {
    return fromGraph(spec, EncoderGraphs.bytes(spec, onnx), settings);
  }

  private static SentenceEncoder fromGraph(EncoderSpec spec, byte[] onnx, SessionSettings settings) {
    TextTokenizer tokenizer =
        TextTokenizer.fromBytes(ClasspathResources.readAll(spec.tokenizerResource()), spec.maxLength());
    try {
      return new SentenceEncoder(spec, tokenizer, OrtSessions.create(onnx, settings));
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  public EncoderSpec spec() {
    return spec;
  }

  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  public int dimension() {
    return spec.dimension();
  }

  public float[][] embed(List<String> texts) {
    if (texts.isEmpty()) {
      return new float[0][];
    }
    return embedTokens(TokenBatch.pack(tokenizer.encodeAll(texts)));
  }

  public float[][] embedTokenized(List<TokenizedText> texts) {
    if (texts.isEmpty()) {
      return new float[0][];
    }
    return embedTokens(TokenBatch.pack(texts));
  }

  /** Runs the graph on a packed batch and pools each row. */
  public float[][] embedTokens(TokenBatch batch) {
    // The tensors' creation and release are native calls too: all of it inside one guarded call (ExitGuard).
    try {
      return ExitGuard.process().call(() -> {
        try (TokenTensors in = TokenTensors.of(batch, wantsTypeIds);
            OrtSession.Result result = session.run(in.inputs(), Set.of(outputName))) {
          return pool(((OnnxTensor) result.get(0)).getFloatBuffer(), batch);
        }
      });
    } catch (OrtException e) {
      throw new IllegalStateException("encoder " + spec.id() + " failed: " + e.getMessage(), e);
    }
  }

  private float[][] pool(FloatBuffer hidden, TokenBatch batch) {
    int dim = spec.dimension();
    int seq = batch.sequenceLength();
    float[][] out = new float[batch.batch()][dim];
    float[] token = spec.pooling() == Pooling.MEAN ? new float[dim] : null;
    for (int row = 0; row < batch.batch(); row++) {
      float[] v = out[row];
      int rowBase = row * seq * dim;
      if (spec.pooling() == Pooling.CLS) {
        hidden.get(rowBase, v, 0, dim);
      } else {
        int count = 0;
        for (int t = 0; t < seq; t++) {
          if (batch.attentionMask()[row * seq + t] == 0) {
            continue;
          }
          hidden.get(rowBase + t * dim, token, 0, dim);
          for (int d = 0; d < dim; d++) {
            v[d] += token[d];
          }
          count++;
        }
        float inv = 1f / Math.max(count, 1);
        for (int d = 0; d < dim; d++) {
          v[d] *= inv;
        }
      }
      if (spec.normalize()) {
        Vectors.normalizeInPlace(v);
      }
    }
    return out;
  }

  @Override
  public void close() {
    try {
      OrtSessions.close(session);
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    } finally {
      tokenizer.close();
    }
  }
}
