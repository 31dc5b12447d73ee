package dev.intentinference.cli;

import dev.intentinference.compiler.OpCounts;
import dev.intentinference.compiler.PassStats;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * Prints what each compile pass did to the graph, for {@code compile --explain} and
 * {@code inspect --explain}: one line per pass, then the final graph's nodes by operator type.
 *
 * <pre>{@code
 * ExplainPrinter.print(out, PassStats.ofManifest(manifest.compile()));
 * }</pre>
 */
final class ExplainPrinter {
  private ExplainPrinter() {}

  static void print(PrintWriter o, List<PassStats> passes) {
    o.println("passes (node counts by operator type, before -> after):");
    int i = 1;
    for (PassStats p : passes) {
      o.println("  " + i++ + ". " + p.describe());
    }
    if (!passes.isEmpty()) {
      printCounts(o, "final graph", passes.get(passes.size() - 1).after());
    }
    o.flush();
  }

  static void printCounts(PrintWriter o, String what, OpCounts counts) {
    o.println(what + ": " + counts.total() + " nodes");
    for (Map.Entry<String, Integer> e : counts.byOp().entrySet()) {
      o.printf("  %-28s %6d%n", e.getKey(), e.getValue());
    }
  }
}
