package dev.intentinference.core.model;

import java.util.List;

/**
 * The sequence lengths a compiled artifact was built for ({@code compile.buckets} in its
 * manifest): a batch is padded to the smallest bucket that holds its longest text, so the graph
 * only sees shapes it was tuned for. No buckets means pad to the longest text only.
 *
 * <pre>{@code
 * int seq = SequenceBuckets.of(manifest).padTo(longestTokens); // 16, 32, 64 or 128 for buckets 16,32,64,128
 * }</pre>
 *
 * @param lengths bucket lengths in tokens, ascending; empty for dynamic shapes
 */
public record SequenceBuckets(int[] lengths) {
  public static SequenceBuckets of(ModelManifest m) {
    if (m.compile() == null || !(m.compile().get("buckets") instanceof List<?> list) || list.isEmpty()) {
      return new SequenceBuckets(new int[0]);
    }
    return new SequenceBuckets(list.stream().mapToInt(o -> ((Number) o).intValue()).sorted().toArray());
  }

  /** Tokens to pad a batch whose longest text has {@code longest} tokens to. */
  public int padTo(int longest) {
    for (int b : lengths) {
      if (b >= longest) {
        return b;
      }
    }
    return longest;
  }
}
