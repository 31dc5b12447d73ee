package dev.intentinference.train.finetune;

import dev.intentinference.core.text.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Rows cut into chunks of similar length for forward passes without gradients: sorted by length
 * (ties keep their order), then cut into consecutive chunks, so a chunk is padded little.
 */
final class LengthChunks {
  private LengthChunks() {}

  /** Row indices, shortest first, in chunks of at most {@code size}. */
  static List<int[]> of(int[] lengths, int size) {
    Integer[] order = new Integer[lengths.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> lengths[i]));
    List<int[]> chunks = new ArrayList<>();
    for (int from = 0; from < order.length; from += size) {
      int to = Math.min(order.length, from + size);
      int[] chunk = new int[to - from];
      for (int i = from; i < to; i++) {
        chunk[i - from] = order[i];
      }
      chunks.add(chunk);
    }
    return chunks;
  }

  /** The token count of each text. */
  static int[] lengths(List<TokenizedText> texts) {
    int[] out = new int[texts.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = texts.get(i).length();
    }
    return out;
  }
}
