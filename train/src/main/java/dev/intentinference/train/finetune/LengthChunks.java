package dev.intentinference.train.finetune;

import dev.intentinference.core.text.TokenizedText;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Rows cut into chunks of similar length for forward passes without gradients: sorted by length
 * (ties keep their order), then cut into consecutive chunks, so a chunk is padded little.
 */
final class LengthChunks {
  private LengthChunks() {}

  /**
   * Row indices, shortest first, in chunks of at most {@code size}, each within what {@code size}
   * texts of {@value StepBudget#REFERENCE_TOKENS} tokens cost through layers of shape {@code shape}
   * (so chunks of long texts hold fewer of them).
   */
  static List<int[]> of(int[] lengths, int size, BertConfig shape) {
    Integer[] order = new Integer[lengths.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> lengths[i]));
    int[] sorted = Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    return StepBudget.of(shape, size).split(sorted, lengths, size);
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
