package dev.intentinference.core.encoder;

import dev.intentinference.core.IntentException;

/**
 * A contiguous range of an encoder's hidden states to pool, 0 being the embedding layer's output
 * and {@code n} the output of transformer layer {@code n}. Stopping early makes the encoder
 * cheaper in proportion; pooling several states keeps some of what the dropped layers would have
 * added (lower layers carry the wording, upper ones the meaning).
 *
 * <pre>{@code
 * LayerSelection s = LayerSelection.parse("0-3", "all-minilm-l6-v2-q@0-3"); // states 0..3, 4 x 384 wide
 * LayerSelection t = LayerSelection.parse("3", "all-minilm-l6-v2-q@3");     // layer 3's output only
 * }</pre>
 *
 * @param first the lowest hidden state pooled, {@code >= 0}
 * @param last the highest, {@code >= first}: the graph runs up to this layer
 */
public record LayerSelection(int first, int last) {
  public LayerSelection {
    if (first < 0 || last < first) {
      throw new IllegalArgumentException("layer selection must satisfy 0 <= first <= last; was " + first + "-" + last);
    }
  }

  /** How many hidden states are concatenated. */
  public int count() {
    return last - first + 1;
  }

  /**
   * Parses {@code LAST} or {@code FIRST-LAST}.
   *
   * @param whole the full encoder id, for the error message
   */
  public static LayerSelection parse(String text, String whole) {
    String[] parts = text.split("-", -1);
    try {
      if (parts.length == 1) {
        int last = Integer.parseInt(parts[0]);
        return new LayerSelection(last, last);
      }
      if (parts.length == 2) {
        return new LayerSelection(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
      }
    } catch (IllegalArgumentException e) {
      // reported below with the expected form
    }
    throw new IntentException("encoder '" + whole + "': layer selection '" + text
        + "' must be LAST or FIRST-LAST with 0 <= FIRST <= LAST, e.g. @3 or @0-3");
  }

  @Override
  public String toString() {
    return first == last ? Integer.toString(last) : first + "-" + last;
  }
}
