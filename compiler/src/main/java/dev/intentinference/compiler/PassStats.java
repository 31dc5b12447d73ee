package dev.intentinference.compiler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One compile pass's effect on the graph: node counts by operator type before and after, as
 * {@code intent compile --explain} and {@code intent inspect --explain} print them and as the
 * manifest records them ({@code compile.pass_stats}).
 *
 * <pre>{@code
 * PassStats s = new PassStats("DynamicQuantizer", OpCounts.of(before), OpCounts.of(after));
 * s.describe();   // DynamicQuantizer: 420 -> 648 nodes; MatMul 73 -> 1, MatMulInteger +72, DynamicQuantizeLinear +24, ...
 * }</pre>
 *
 * @param pass the pass, e.g. {@code HeadFusion}, {@code DynamicQuantizer}, {@code OfflineOptimizer(extended)}
 * @param before the graph it was given (for the fusion pass: the source graphs together)
 * @param after the graph it produced
 */
public record PassStats(String pass, OpCounts before, OpCounts after) {
  /** Operator types whose count changed, each mapped to {before, after}; in operator order. */
  public Map<String, int[]> changes() {
    Map<String, int[]> out = new LinkedHashMap<>();
    TreeSet<String> ops = new TreeSet<>(before.byOp().keySet());
    ops.addAll(after.byOp().keySet());
    for (String op : ops) {
      int b = before.count(op);
      int a = after.count(op);
      if (a != b) {
        out.put(op, new int[] {b, a});
      }
    }
    return out;
  }

  /**
   * One line: the pass, total nodes and every change, largest first; an operator type that is
   * new is shown as {@code +N}, one that shrank or vanished as {@code before -> after}.
   */
  public String describe() {
    List<Map.Entry<String, int[]>> ch = new ArrayList<>(changes().entrySet());
    ch.sort((x, y) -> Integer.compare(Math.abs(y.getValue()[1] - y.getValue()[0]), Math.abs(x.getValue()[1] - x.getValue()[0])));
    StringBuilder sb = new StringBuilder(pass).append(": ").append(before.total()).append(" -> ").append(after.total()).append(" nodes");
    if (ch.isEmpty()) {
      return sb.append("; no operator count changed").toString();
    }
    String sep = "; ";
    for (Map.Entry<String, int[]> e : ch) {
      int b = e.getValue()[0];
      int a = e.getValue()[1];
      sb.append(sep).append(e.getKey()).append(b == 0 ? " +" + a : " " + b + " -> " + a);
      sep = ", ";
    }
    return sb.toString();
  }

  /** The manifest's form: {@code pass}, {@code nodes_before}, {@code nodes_after}, {@code changed}, {@code op_counts}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pass", pass);
    m.put("nodes_before", before.total());
    m.put("nodes_after", after.total());
    Map<String, Object> changed = new LinkedHashMap<>();
    changes().forEach((k, v) -> changed.put(k, List.of(v[0], v[1])));
    m.put("changed", changed);
    m.put("op_counts_before", before.byOp());
    m.put("op_counts_after", after.byOp());
    return m;
  }

  /**
   * Reads {@link #toMap()}'s form back from a parsed manifest.
   *
   * @throws IllegalArgumentException when the entry is not in that form
   */
  public static PassStats fromMap(Object entry) {
    if (!(entry instanceof Map<?, ?> m) || !(m.get("pass") instanceof String pass)) {
      throw new IllegalArgumentException("not a pass_stats entry: " + entry);
    }
    return new PassStats(pass, counts(m.get("op_counts_before")), counts(m.get("op_counts_after")));
  }

  /**
   * The passes recorded in a manifest's {@code compile} section, in order; empty for artifacts
   * compiled before passes were recorded.
   */
  public static List<PassStats> ofManifest(Map<String, Object> compile) {
    Object list = compile == null ? null : compile.get("pass_stats");
    if (!(list instanceof List<?> l)) {
      return List.of();
    }
    return l.stream().map(PassStats::fromMap).toList();
  }

  private static OpCounts counts(Object o) {
    if (!(o instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("op counts missing: " + o);
    }
    Map<String, Integer> out = new TreeMap<>();
    m.forEach((k, v) -> {
      if (!(v instanceof Number n)) {
        throw new IllegalArgumentException("op count of " + k + " is not a number: " + v);
      }
      out.put(String.valueOf(k), n.intValue());
    });
    return new OpCounts(out);
  }
}
