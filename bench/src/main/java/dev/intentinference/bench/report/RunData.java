package dev.intentinference.bench.report;

import dev.intentinference.bench.IntervalRow;
import dev.intentinference.bench.ReferenceCsv;
import dev.intentinference.bench.RunSummary;
import dev.intentinference.bench.SummaryJson;
import dev.intentinference.core.IntentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run as a report reads it: the reference-style rows and, when the run came from this
 * harness, its summary. Accepts a summary JSON (its CSV is found through the summary), a CSV with
 * a summary of the same base name beside it, or a bare CSV such as the reference team's.
 *
 * <pre>{@code
 * RunData inf1 = RunData.load(Path.of("reference-inf1.csv"));   // CSV only: interval inferred (10 s)
 * }</pre>
 *
 * @param name a short name for tables and legends: the file name without extension
 * @param rows the CSV rows, in order
 * @param intervalSeconds seconds between rows
 * @param summary the summary JSON, or {@code null} for a bare CSV
 */
public record RunData(String name, List<IntervalRow> rows, double intervalSeconds, RunSummary summary) {

  public static RunData load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IntentException(file + ": no such run (give a summary .json or a .csv)");
    }
    String fileName = file.getFileName().toString();
    String base = fileName.contains(".") ? fileName.substring(0, fileName.lastIndexOf('.')) : fileName;
    if (fileName.endsWith(".json")) {
      RunSummary s = SummaryJson.read(file);
      if (s.csv() == null) {
        throw new IntentException(file + ": the run wrote no CSV, so there are no rows to chart");
      }
      Path csv = file.toAbsolutePath().getParent().resolve(s.csv());
      return new RunData(base, ReferenceCsv.read(csv), s.intervalSeconds(), s);
    }
    List<IntervalRow> rows = ReferenceCsv.read(file);
    Path sibling = file.resolveSibling(base + ".json");
    if (Files.isRegularFile(sibling)) {
      RunSummary s = SummaryJson.read(sibling);
      return new RunData(base, rows, s.intervalSeconds(), s);
    }
    return new RunData(base, rows, inferInterval(rows), null);
  }

  /**
   * The interval of a CSV without summary: each row's new inferences divided by its throughput,
   * median over rows (rounded to milliseconds). The reference files give 10 s.
   */
  static double inferInterval(List<IntervalRow> rows) {
    List<Double> estimates = new ArrayList<>();
    for (int i = 1; i < rows.size(); i++) {
      IntervalRow r = rows.get(i);
      long added = r.count() - rows.get(i - 1).count();
      if (r.throughput() > 0 && added > 0) {
        estimates.add(added / r.throughput());
      }
    }
    if (estimates.isEmpty()) {
      return 1.0;
    }
    return Math.round(Stats.median(estimates) * 1000) / 1000.0;
  }

  /** Seconds since the run started at the end of row {@code i}. */
  public double time(int i) {
    // A bare reference CSV starts with a row taken before any inference (t = 0); ours start at
    // the end of the first interval, also when their summary is not beside them.
    boolean startsAtZero = summary == null && !rows.isEmpty() && rows.get(0).count() == 0;
    return startsAtZero ? i * intervalSeconds : (i + 1) * intervalSeconds;
  }

  public boolean isSweep() {
    return summary != null && summary.steps().size() > 1;
  }
}
