package dev.intentinference.core.text;

import java.util.List;

/**
 * Texts packed row-major into {@code [batch, sequenceLength]} arrays, padded only up to the
 * longest text in the batch. Padding positions have id 0 and mask 0.
 *
 * @param batch number of texts
 * @param sequenceLength tokens per row (the longest text)
 * @param ids {@code batch * sequenceLength} token ids
 * @param attentionMask 1 for real tokens, 0 for padding
 * @param typeIds segment ids
 */
public record TokenBatch(int batch, int sequenceLength, long[] ids, long[] attentionMask, long[] typeIds) {

  /** Packs already-tokenized texts. */
  public static TokenBatch pack(List<TokenizedText> texts) {
    return pack(texts, 0);
  }

  /**
   * Packs texts, padding every row to at least {@code padTo} tokens (0 pads only to the longest
   * text). Padding to a fixed length reproduces fixed-shape deployments such as the reference
   * team's 512 tokens.
   */
  public static TokenBatch pack(List<TokenizedText> texts, int padTo) {
    int seq = padTo;
    for (TokenizedText t : texts) {
      seq = Math.max(seq, t.length());
    }
    int n = texts.size();
    long[] ids = new long[n * seq];
    long[] mask = new long[n * seq];
    long[] types = new long[n * seq];
    for (int row = 0; row < n; row++) {
      TokenizedText t = texts.get(row);
      int offset = row * seq;
      System.arraycopy(t.ids(), 0, ids, offset, t.length());
      System.arraycopy(t.typeIds(), 0, types, offset, t.length());
      java.util.Arrays.fill(mask, offset, offset + t.length(), 1L);
    }
    return new TokenBatch(n, seq, ids, mask, types);
  }
}
