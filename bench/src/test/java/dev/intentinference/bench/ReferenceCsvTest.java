package dev.intentinference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceCsvTest {
  @TempDir Path tmp;

  static final List<IntervalRow> ROWS = List.of(
      new IntervalRow(20848, 0, 0, 0, 0),
      new IntervalRow(20848, 3, 0.3, 5.797, 8.031),
      new IntervalRow(20848, 1176, 117.3, 0.234, 0.239),
      new IntervalRow(20848, 2543, 136.7, 0.0004126, 0.00123456789));

  @Test
  void writesTheReferenceColumnsByteForByte() throws Exception {
    Path out = tmp.resolve("sub/run.csv");
    ReferenceCsv.write(out, ROWS);
    byte[] golden;
    try (InputStream in = getClass().getResourceAsStream("/golden/run.csv")) {
      golden = in.readAllBytes();
    }
    assertThat(Files.readAllBytes(out)).isEqualTo(golden);
    assertThat(Files.list(out.getParent())).as("no temporary file left behind").hasSize(1);
  }

  @Test
  void readsItsOwnOutputAndTheReferenceFiles() throws Exception {
    Path out = tmp.resolve("run.csv");
    ReferenceCsv.write(out, ROWS);
    List<IntervalRow> back = ReferenceCsv.read(out);
    assertThat(back).hasSize(4);
    assertThat(back.get(3).p50()).isEqualTo(0.000413); // 6 decimals: microseconds
    Path inf1 = Path.of(getClass().getResource("/reference/reference-inf1.csv").toURI());
    List<IntervalRow> ref = ReferenceCsv.read(inf1);
    assertThat(ref).hasSize(30);
    assertThat(ref.get(29)).isEqualTo(new IntervalRow(20848, 38143, 136.7, 0.233, 0.240));
  }

  @Test
  void rejectsOtherFilesWithTheLineAtFault() throws Exception {
    Path bad = tmp.resolve("bad.csv");
    Files.writeString(bad, "pid,current_num_infer,throughput,p50,p90\n1,2,3,4\n");
    assertThatThrownBy(() -> ReferenceCsv.read(bad)).isInstanceOf(IntentException.class).hasMessageContaining("bad.csv:2: expected 5 columns");
    Files.writeString(bad, "a,b\n");
    assertThatThrownBy(() -> ReferenceCsv.read(bad)).isInstanceOf(IntentException.class).hasMessageContaining("expected the header");
  }

  /** Rows that parse but measure nothing (infinite, not a number, negative) are refused with their line; a BOM is not. */
  @Test
  void rejectsRowsThatAreNoMeasurement() throws Exception {
    Path bad = tmp.resolve("odd.csv");
    String header = "pid,current_num_infer,throughput,p50,p90\n";
    for (String row : new String[] {"1,2,Infinity,0.1,0.2", "1,2,NaN,0.1,0.2", "1,2,-3,0.1,0.2", "1,-2,3,0.1,0.2", "1,2,3,0.1,-0.2"}) {
      Files.writeString(bad, header + "1,1,1,0.1,0.2\n" + row + "\n");
      assertThatThrownBy(() -> ReferenceCsv.read(bad)).as(row).isInstanceOf(IntentException.class)
          .hasMessageContaining("odd.csv:3: ").hasMessageContaining("was");
    }
    Files.writeString(bad, "\uFEFF" + header + "1,1,1,0.1,0.2\n");
    assertThat(ReferenceCsv.read(bad)).hasSize(1);
    Files.write(bad, new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1});
    assertThatThrownBy(() -> ReferenceCsv.read(bad)).hasMessageContaining("not valid UTF-8");
  }

  /** A summary that parses but lacks what a report reads is refused by name, not met as a null later. */
  @Test
  void rejectsSummariesAReportCannotUse() throws Exception {
    Path json = tmp.resolve("run.json");
    String base = "\"format\":\"intent-bench-summary/1\",\"latency\":{\"p50\":1,\"p90\":2},\"target\":{},\"machine\":{},"
        + "\"interval_seconds\":1";
    String[][] cases = {
      {"null", "(empty)"},
      {"{\"format\":\"other/9\"}", "format other/9, expected intent-bench-summary/1"},
      {"{\"format\":\"intent-bench-summary/1\"}", "no latency"},
      {"{" + base + ",\"steps\":[]}", "no steps"},
      {"{" + base + ",\"steps\":[{}]}", "no a step's latency"},
      {"{" + base + ",\"steps\":[{\"latency\":{}}],\"throughput\":-1}", "throughput must be a finite number >= 0, was -1.0"},
    };
    for (String[] c : cases) {
      Files.writeString(json, c[0]);
      assertThatThrownBy(() -> SummaryJson.read(json)).as(c[0]).isInstanceOf(IntentException.class).hasMessageContaining(c[1]);
    }
    Files.writeString(json, "{" + base + ",\"steps\":[{\"latency\":{}}],\"throughput\":5}");
    RunSummary s = SummaryJson.read(json);
    assertThat(s.errors()).isEmpty();
    assertThat(s.warnings()).isEmpty();
    assertThat(s.settings()).isEmpty();
  }
}
