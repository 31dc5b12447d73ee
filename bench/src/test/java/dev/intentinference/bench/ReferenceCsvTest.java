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
}
