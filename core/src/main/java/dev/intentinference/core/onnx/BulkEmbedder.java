package dev.intentinference.core.onnx;

import dev.intentinference.core.text.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Embeds many texts in length-sorted batches. Sorting first means each batch pads only to
 * texts of similar length; on CLINC150 this was several times faster than batching in input
 * order, where one long text makes a whole batch pay for its length.
 *
 * <pre>{@code
 * float[][] vectors = new BulkEmbedder(encoder, 64).embed(texts, done -> bar.stepTo(done));
 * }</pre>
 */
public final class BulkEmbedder {
  private final SentenceEncoder encoder;
  private final int batchSize;

  /**
   * @param encoder the encoder to run
   * @param batchSize texts per ONNX Runtime call, 1..4096
   */
  public BulkEmbedder(SentenceEncoder encoder, int batchSize) {
    if (batchSize < 1 || batchSize > 4096) {
      throw new IllegalArgumentException("batchSize must be in 1..4096, was " + batchSize);
    }
    this.encoder = encoder;
    this.batchSize = batchSize;
  }

  /**
   * Embeds every text, returning vectors in input order.
   *
   * @param progress called with the number of texts embedded so far
   */
  public float[][] embed(List<String> texts, IntConsumer progress) {
    List<TokenizedText> tokens = encoder.tokenizer().encodeAll(texts);
    Integer[] order = new Integer[tokens.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingInt(i -> tokens.get(i).length()));
    float[][] out = new float[texts.size()][];
    int done = 0;
    for (int start = 0; start < order.length; start += batchSize) {
      int end = Math.min(order.length, start + batchSize);
      List<TokenizedText> chunk = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        chunk.add(tokens.get(order[i]));
      }
      float[][] vectors = encoder.embedTokenized(chunk);
      for (int i = start; i < end; i++) {
        out[order[i]] = vectors[i - start];
      }
      done = end;
      progress.accept(done);
    }
    return out;
  }

  public float[][] embed(List<String> texts) {
    return embed(texts, n -> {});
  }
}
