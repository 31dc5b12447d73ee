package dev.intentinference.server;

import dev.intentinference.core.model.CascadePredictor;
import dev.intentinference.core.model.EmbeddingHeadScorer;
import dev.intentinference.core.model.FusedGraphScorer;
import dev.intentinference.core.model.IntentScorer;
import dev.intentinference.core.model.Softmax;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.text.TextTokenizer;
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
   * @param escalated per text, whether a cascade's fallback model gave its row; null for a model
   *     that is not a cascade
   */
  record Output(float[][] probabilities, float[][] logits, boolean[] escalated) {
    Output(float[][] probabilities, float[][] logits) {
      this(probabilities, logits, null);
    }

    static Output of(float[][] probs) {
      return new Output(probs, null);
    }

    boolean escalated(int row) {
      return escalated != null && escalated[row];
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

  /**
   * A cascade artifact: the first model runs the batch; the rows it is unsure of run again, as one
   * smaller batch, on the fallback model, whose rows (put into the first model's label order)
   * replace them. Logits are not kept: both graphs end in a softmax.
   */
  final class Cascade implements InferenceEngine {
    private final InferenceEngine first;
    private final InferenceEngine fallback;
    private final TextTokenizer fallbackTokenizer;
    private final boolean sameTokens;
    private final int[] toFirstOrder;
    private final double escalateBelow;

    /**
     * @param sameTokens whether both models tokenize alike (same tokenizer and maximum length), so
     *     the first model's tokens are reused
     * @param toFirstOrder for each of the fallback's labels, its index in the first model's order;
     *     null when the orders are the same
     */
    Cascade(InferenceEngine first, InferenceEngine fallback, TextTokenizer fallbackTokenizer, boolean sameTokens,
        int[] toFirstOrder, double escalateBelow) {
      this.first = first;
      this.fallback = fallback;
      this.fallbackTokenizer = fallbackTokenizer;
      this.sameTokens = sameTokens;
      this.toFirstOrder = toFirstOrder;
      this.escalateBelow = escalateBelow;
    }

    @Override
    public Output run(List<String> texts, List<TokenizedText> tokens) {
      float[][] probs = first.run(texts, tokens).probabilities();
      boolean[] escalated = new boolean[probs.length];
      List<String> unsureTexts = null;
      List<TokenizedText> unsureTokens = null;
      for (int i = 0; i < probs.length; i++) {
        if (CascadePredictor.isUnsure(probs[i], escalateBelow)) {
          if (unsureTexts == null) {
            unsureTexts = new java.util.ArrayList<>();
            unsureTokens = new java.util.ArrayList<>();
          }
          escalated[i] = true;
          unsureTexts.add(texts.get(i));
          unsureTokens.add(tokens.get(i));
        }
      }
      if (unsureTexts == null) {
        return new Output(probs, null, escalated);
      }
      List<TokenizedText> fallbackTokens = sameTokens ? unsureTokens : fallbackTokenizer.encodeAll(unsureTexts);
      float[][] second = fallback.run(unsureTexts, fallbackTokens).probabilities();
      for (int i = 0, next = 0; i < probs.length; i++) {
        if (escalated[i]) {
          probs[i] = toFirstOrder == null ? second[next++] : reordered(second[next++]);
        }
      }
      return new Output(probs, null, escalated);
    }

    private float[] reordered(float[] theirs) {
      float[] row = new float[theirs.length];
      for (int j = 0; j < row.length; j++) {
        row[toFirstOrder[j]] = theirs[j];
      }
      return row;
    }

    @Override
    public void close() {
      first.close();
      fallback.close();
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
