package dev.intentinference.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.bench.IntervalRow;
import dev.intentinference.bench.LatencySummary;
import dev.intentinference.bench.RunSummary;
import dev.intentinference.bench.StepResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunAnalysisTest {
  /** Row 1 is a slow start, row 2 still slow; the run itself declared one warm-up row. */
  static final List<IntervalRow> ROWS = List.of(
      new IntervalRow(1, 50, 50, 0.020, 0.030),
      new IntervalRow(1, 110, 60, 0.020, 0.030),
      new IntervalRow(1, 210, 100, 0.010, 0.012),
      new IntervalRow(1, 310, 100, 0.010, 0.012),
      new IntervalRow(1, 410, 100, 0.010, 0.012));

  @Test
  void aRunWithItsSummarySetsApartWhatItDeclaredAndNoMore() {
    LatencySummary l = new LatencySummary(360, 0.012, 0.010, 0.012, 0.013, 0.020, 0.030, 0.031);
    StepResult step = new StepResult("concurrency 2", 2, null, 360, 0, 90, l, Map.of(), 0, 5, 1, Map.of(), 0);
    RunSummary s = new RunSummary(RunSummary.FORMAT, null, "closed", null, Map.of(), null, "r.csv", 1.0, 360, 360, 0,
        Map.of(), 90, l, null, List.of(step), null, null, List.of());
    RunAnalysis withSummary = RunAnalysis.of(new RunData("r", ROWS, 1.0, s));
    assertThat(withSummary.warmupRows()).as("the figures (the summary's) leave out only the declared row").isEqualTo(1);
    assertThat(withSummary.throughput()).isEqualTo(90);
    RunAnalysis bare = RunAnalysis.of(new RunData("r", ROWS, 1.0, null));
    assertThat(bare.warmupRows()).as("a bare CSV: the starting rows").isEqualTo(2);
  }

  @Test
  void aBareCsvOfOursStartsAtTheFirstIntervalsEndTheReferencesAtZero() {
    assertThat(new RunData("ours", ROWS, 1.0, null).time(0)).isEqualTo(1.0);
    List<IntervalRow> reference = List.of(new IntervalRow(1, 0, 0, 0, 0), new IntervalRow(1, 100, 10, 0.2, 0.3));
    assertThat(new RunData("ref", reference, 10.0, null).time(0)).isEqualTo(0.0);
    assertThat(new RunData("ref", reference, 10.0, null).time(1)).isEqualTo(10.0);
  }
}
