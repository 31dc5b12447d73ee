package dev.intentinference.train.finetune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How many activations one forward pass may hold, counted per transformer layer. Texts train
 * whole (as they are served), so a batch of long texts would need many times the memory of a
 * batch of short ones; instead such a batch runs as several smaller passes whose gradients add
 * up to the batch's (gradient accumulation). The limit is what a full batch of
 * {@value #REFERENCE_TOKENS}-token texts costs, so data whose texts are all that short runs
 * exactly as before, and the peak never grows with the texts' length.
 *
 * <pre>{@code
 * StepBudget b = StepBudget.of(net.bert().config(), 64);
 * for (int[] piece : b.split(batch, lengths, Integer.MAX_VALUE)) { ... }
 * }</pre>
 *
 * @param shape the layers' shape, which sets what a token costs
 * @param limit the most {@link #cost(int, int)} one pass may have
 */
public record StepBudget(BertConfig shape, long limit) {
  /** Texts this long fill a full batch's budget: the length every training text was cut to until texts trained whole. */
  public static final int REFERENCE_TOKENS = 64;

  public StepBudget {
    java.util.Objects.requireNonNull(shape, "shape");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
  }

  /** The budget of {@code rows} texts of {@value #REFERENCE_TOKENS} tokens through layers of shape {@code shape}. */
  public static StepBudget of(BertConfig shape, int rows) {
    return of(shape, rows, REFERENCE_TOKENS);
  }

  /** The budget of {@code rows} texts of {@code tokens} tokens. */
  static StepBudget of(BertConfig shape, int rows, int tokens) {
    return new StepBudget(shape, cost(shape.hidden(), shape.intermediate(), shape.heads(), rows, tokens));
  }

  /**
   * Floats one layer keeps for the backward pass of {@code rows} texts padded to {@code length}
   * tokens: about twelve hidden-wide and two feed-forward-wide tensors per token, and three
   * attention maps per head (scores, probabilities, dropout mask).
   */
  public static long cost(long hidden, long intermediate, long heads, int rows, int length) {
    return (long) rows * length * (12 * hidden + 2 * intermediate + 3 * heads * length);
  }

  /** {@link #cost(long, long, long, int, int)} for this budget's layers. */
  public long cost(int rows, int length) {
    return cost(shape.hidden(), shape.intermediate(), shape.heads(), rows, length);
  }

  /**
   * {@code rows} cut, in their order, into consecutive pieces of at most {@code maxRows} rows,
   * each within the budget when padded to its longest text (a single text is never cut). Rows
   * that fit come back as the same array, in one piece.
   *
   * @param lengths token count of every text, indexed by row
   */
  public List<int[]> split(int[] rows, int[] lengths, int maxRows) {
    List<int[]> pieces = new ArrayList<>();
    int from = 0;
    int longest = 0;
    for (int i = 0; i < rows.length; i++) {
      int length = Math.max(longest, lengths[rows[i]]);
      int count = i - from + 1;
      if (count > 1 && (count > maxRows || cost(count, length) > limit)) {
        pieces.add(Arrays.copyOfRange(rows, from, i));
        from = i;
        length = lengths[rows[i]];
      }
      longest = length;
    }
    if (from < rows.length) {
      pieces.add(from == 0 ? rows : Arrays.copyOfRange(rows, from, rows.length));
    }
    return pieces;
  }
}
