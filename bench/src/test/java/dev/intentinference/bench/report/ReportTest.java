package dev.intentinference.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.intentinference.core.IntentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report and comparison on the reference team's published CSVs. */
class ReportTest {
  static Path inf1;
  static Path g4dn;
  @TempDir Path tmp;

  @BeforeAll
  static void fixtures() throws Exception {
    inf1 = Path.of(ReportTest.class.getResource("/reference/reference-inf1.csv").toURI());
    g4dn = Path.of(ReportTest.class.getResource("/reference/reference-g4dn.csv").toURI());
  }

  @Test
  void reproducesThePublishedComparison() {
    RunAnalysis a = RunAnalysis.of(RunData.load(inf1));
    RunAnalysis b = RunAnalysis.of(RunData.load(g4dn));
    assertThat(a.run().intervalSeconds()).as("interval inferred from counts / throughput").isEqualTo(10.0);
    Comparison c = Comparison.of(a, b, 1.18, 0.526);
    // The published 4.9x is the ratio of the best intervals: 137.4 / 28.3 = 4.855.
    assertThat(c.line("throughput, peak").ratio()).isCloseTo(137.4 / 28.3, within(1e-9));
    assertThat(c.line("throughput, peak").ratioText()).isEqualTo("4.86x");
    // Steady means: inf1 rows 4..30 sum to 3696.7 over 27 rows; g4dn rows 2..30 to 754.0 over 29.
    assertThat(a.throughput()).isCloseTo(3696.7 / 27, within(1e-9));
    assertThat(b.throughput()).isCloseTo(754.0 / 29, within(1e-9));
    assertThat(c.line("throughput, steady").ratioText()).isEqualTo("5.27x");
    // About half the latency, p99 unknown from CSVs.
    assertThat(c.line("latency p50").ratio()).isCloseTo(0.233 / 0.423, within(1e-9));
    assertThat(c.line("latency p99").ratioText()).isEqualTo("n/a");
    // Cost per million: price / (throughput * 3600) * 1e6; about half for inf1.
    assertThat(c.line("cost per million").ratio()).isCloseTo((1.18 / a.throughput()) / (0.526 / b.throughput()), within(1e-9));
    assertThat(c.line("cost per million").ratio()).isBetween(0.4, 0.5);
  }

  @Test
  void setsWarmupApartAndShowsDrift() {
    RunAnalysis a = RunAnalysis.of(RunData.load(inf1));
    RunAnalysis b = RunAnalysis.of(RunData.load(g4dn));
    // inf1: the zero row, the 5.8 s warm-up row and the 117/s ramp row.
    assertThat(a.warmupRows()).isEqualTo(3);
    assertThat(a.warmupMaxP50()).isEqualTo(5.797);
    assertThat(a.warmupSeconds()).isEqualTo(20.0);
    assertThat(a.throughputDrift().notable()).isFalse();
    // g4dn: only the zero row; then throughput falls ~10% and p50 rises ~13%.
    assertThat(b.warmupRows()).isEqualTo(1);
    assertThat(b.throughputDrift().change()).isCloseTo(-0.096, within(0.005));
    assertThat(b.p50Drift().change()).isCloseTo(0.131, within(0.005));
    String table = Comparison.of(a, b, null, null).table();
    assertThat(table).contains("4.86x").contains("throughput drifts -9.6%").contains("no steady state")
        .contains("highest warm-up p50 5.797 s");
  }

  @Test
  void writesASelfContainedPageAndCharts() throws Exception {
    Path html = Report.of(List.of(inf1, g4dn), List.of(1.18, 0.526)).write(tmp.resolve("out"));
    String page = Files.readString(html);
    assertThat(page).contains("reference-inf1 vs reference-g4dn").contains("4.86x").contains("cost per million inferences")
        .contains("data:image/png;base64,");
    assertThat(page).doesNotContain("http://").doesNotContain("https://").doesNotContain("src=\"/").doesNotContain("<script");
    for (String f : List.of("throughput.png", "throughput.svg", "latency.png", "latency.svg")) {
      assertThat(tmp.resolve("out").resolve(f)).isNotEmptyFile();
    }
    assertThat(Files.readString(tmp.resolve("out/latency.svg"))).startsWith("<?xml").contains("<svg");
    try (var files = Files.list(tmp.resolve("out"))) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
    }
  }

  @Test
  void refusesPricesThatDoNotMatchTheRuns() {
    assertThatThrownBy(() -> Report.of(List.of(inf1, g4dn), List.of(1.0)))
        .isInstanceOf(IntentException.class).hasMessageContaining("1 prices for 2 runs");
    assertThatThrownBy(() -> Report.of(List.of(tmp.resolve("none.csv")), List.of()))
        .isInstanceOf(IntentException.class).hasMessageContaining("no such run");
  }
}
