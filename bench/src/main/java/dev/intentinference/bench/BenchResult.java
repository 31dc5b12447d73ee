package dev.intentinference.bench;

import java.util.List;

/**
 * A finished run: its summary and every interval, in order (the CSV's rows).
 *
 * @param summary what the summary JSON holds
 * @param intervals one per CSV row
 */
public record BenchResult(RunSummary summary, List<Interval> intervals) {
  public List<IntervalRow> rows() {
    return intervals.stream().map(Interval::row).toList();
  }
}
