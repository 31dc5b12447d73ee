package dev.intentinference.server;

import dev.intentinference.core.model.ModelManifest;
import java.util.List;

/**
 * The sequence lengths a compiled artifact was built for ({@code compile.buckets} in its
 * manifest): a batch is padded to the smallest bucket that holds its longest text, so the graph
 * only sees shapes it was tuned for. No buckets means pad to the longest text only.
 */
record CompileBuckets(int[] lengths) {
  static CompileBuckets of(ModelManifest m) {
    if (m.compile() == null || !(m.compile().get("buckets") instanceof List<?> list) || list.isEmpty()) {
      return new CompileBuckets(new int[0]);
    }
    return new CompileBuckets(list.stream().mapToInt(o -> ((Number) o).intValue()).sorted().toArray());
  }

  /** Tokens to pad a batch whose longest text has {@code longest} tokens to. */
  int padTo(int longest) {
    for (int b : lengths) {
      if (b >= longest) {
        return b;
      }
    }
    return longest;
  }
}
