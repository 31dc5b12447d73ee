package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.BuiltInDatasets;
import dev.intentinference.core.io.Hashes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first {@code intent serve} of a fresh clone needs nothing outside it: with no {@code --data}
 * the default model's CLINC150 comes from the classpath. (Only the data is resolved here;
 * building the model takes minutes and is not run.)
 */
class DefaultModelBootstrapTest {
  @TempDir Path tmp;

  private static final PrintWriter OUT = new PrintWriter(new StringWriter());

  @Test
  void withoutDataTheShippedClinc150IsUsed() {
    DefaultModelBootstrap b = DefaultModelBootstrap.of(null, OUT);
    assertThat(b.usesShippedData()).isTrue();
    Path data = b.data();
    assertThat(b.data()).as("one copy per bootstrap").isEqualTo(data);
    assertThat(data.getFileName()).as("the name training provenance records").hasToString("data_full.json");
    assertThat(Hashes.sha256(data)).isEqualTo(BuiltInDatasets.sha256(BuiltInDatasets.CLINC150));
    assertThat(DefaultModelBootstrap.of(Path.of("clinc150"), OUT).usesShippedData()).as("--data clinc150").isTrue();
  }

  @Test
  void aGivenFileIsUsedAndAMissingOneRefused() throws Exception {
    Path own = Files.writeString(tmp.resolve("mine.json"), "{}");
    DefaultModelBootstrap b = DefaultModelBootstrap.of(own, OUT);
    assertThat(b.usesShippedData()).isFalse();
    assertThat(b.data()).isEqualTo(own);
    assertThatThrownBy(() -> DefaultModelBootstrap.of(tmp.resolve("missing.json"), OUT))
        .isInstanceOf(IntentException.class).hasMessageContaining("no such file");
  }

  /**
   * A JVM started in an empty working directory, with an empty home and temporary directory,
   * finds the data: no path relative to the clone's folder, its siblings or this machine is involved.
   */
  @Test
  void resolvesFromAnEmptyWorkingDirectoryWithNothingElseOnDisk() throws Exception {
    Path cwd = Files.createDirectories(tmp.resolve("elsewhere"));
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path temp = Files.createDirectories(tmp.resolve("temp"));
    Path log = tmp.resolve("probe.out");
    Process p = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            "-Duser.home=" + home, "-Djava.io.tmpdir=" + temp,
            Probe.class.getName()))
        .directory(cwd.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
    assertThat(lines).hasSize(2);
    Path data = Path.of(lines.get(0));
    assertThat(data).as("written to the temporary directory it was given").startsWithRaw(temp);
    assertThat(lines.get(1)).isEqualTo(BuiltInDatasets.sha256(BuiltInDatasets.CLINC150));
    assertThat(data).as("the copy is removed at exit").doesNotExist();
    try (var s = Files.list(cwd)) {
      assertThat(s).as("nothing written to the working directory").isEmpty();
    }
  }

  /** Prints where the default bootstrap's data is and its SHA-256. */
  static final class Probe {
    public static void main(String[] args) {
      Path data = DefaultModelBootstrap.of(null, new PrintWriter(System.err)).data();
      System.out.println(data);
      System.out.println(Hashes.sha256(data));
    }
  }
}
