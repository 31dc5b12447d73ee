package dev.intentinference.server;

import dev.intentinference.core.model.EmbeddingHeadScorer;
import dev.intentinference.core.model.FusedGraphScorer;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.Softmax;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.text.TokenBatch;
import dev.intentinference.core.text.TokenizedText;
import java.util.List;

/**
 * One instance of a loaded model: already-tokenized texts in, logits and probabilities out. The
 * server tokenizes on the request thread (to know lengths for batching and to refuse long texts
 * early), so engines take tokens, not strings. One engine runs one batch at a time.
 */
interface InferenceEngine extends AutoCloseable {
  /**
   * @param texts the texts, for scorers that must tokenize themselves
   * @param tokens the same texts tokenized by this model's tokenizer
   */
  Output run(List<String> texts, List<TokenizedText> tokens);

  @Override
  void close();

  /**
   * @param probabilities {@code [texts][labels]}
   * @param logits {@code [texts][labels]} from the head, or null when the engine only has
   *     probabilities (a compiled graph ends in a softmax): then a reply that asks for logits gets
   *     log-probabilities, computed only for it ({@link ModelSlot.Row#logits()})
   */
  record Output(float[][] probabilities, float[][] logits) {
    static Output of(float[][] probs) {
      return new Output(probs, null);
    }
  }

  /** Wraps a scorer opened by core's ModelLoader, using its fastest path from tokens. */
  static InferenceEngine of(IntentScorer scorer) {
    if (scorer instanceof FusedGraphScorer fused) {
      return new Fused(fused);
    }
    if (scorer instanceof EmbeddingHeadScorer head && head.encoders().size() == 1) {
      return new SingleEncoderHead(head);
    }
    return new Generic(scorer);
  }

  /** A compiled artifact: pads each batch to its compile-time length bucket. */
  final class Fused implements InferenceEngine {
    private final FusedGraphScorer scorer;

    Fused(FusedGraphScorer scorer) {
      this.scorer = scorer;
    }

    @Override
    public Output run(List<String> texts, List<TokenizedText> tokens) {
      int longest = 0;
      for (TokenizedText t : tokens) {
        longest = Math.max(longest, t.length());
      }
      float[][] probs = scorer.run(TokenBatch.pack(tokens, scorer.buckets().padTo(longest)));
      return Output.of(probs);
    }

    @Override
    public void close() {
      scorer.close();
    }
  }

  /** A trained model directory with one encoder: encoder on the tokens, then the head. */
  final class SingleEncoderHead implements InferenceEngine {
    private final EmbeddingHeadScorer scorer;
    private final SentenceEncoder encoder;

    SingleEncoderHead(EmbeddingHeadScorer scorer) {
      this.scorer = scorer;
      this.encoder = scorer.encoders().get(0);
    }

    @Override
    public Output run(List<String> texts, List<TokenizedText> tokens) {
      float[][] embeddings = encoder.embedTokens(TokenBatch.pack(tokens));
      float[][] logits = new float[embeddings.length][];
      float[][] probs = new float[embeddings.length][];
      for (int i = 0; i < embeddings.length; i++) {
        logits[i] = scorer.head().logits(embeddings[i]);
        probs[i] = Softmax.of(logits[i]);
      }
      return new Output(probs, logits);
    }

    @Override
    public void close() {
      scorer.close();
    }
  }

  /** Any other scorer (several encoders): it tokenizes again itself. */
  final class Generic implements InferenceEngine {
    private final IntentScorer scorer;

    Generic(IntentScorer scorer) {
      this.scorer = scorer;
    }

    @Override
    public Output run(List<String> texts, List<TokenizedText> tokens) {
      float[][] probs = scorer.score(texts).probabilities();
      return Output.of(probs);
    }

    @Override
    public void close() {
      scorer.close();
    }
  }
}
