package dev.intentinference.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtNativeLoadTest {
  @TempDir Path tmp;

  /**
   * A JVM whose command line holds a 6,000-character argument (ONNX Runtime 1.29 alone dies loading
   * there) loads the library, and leaves nothing in its temporary directory.
   */
  @Test
  void aLongCommandLineLoadsTheLibraryAndLeavesNothing() throws Exception {
    Path temp = Files.createDirectory(tmp.resolve("temp"));
    Path log = tmp.resolve("probe.out");
    ProcessBuilder pb = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "-Djava.io.tmpdir=" + temp,
            Probe.class.getName(), "x".repeat(6_000)))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TMPDIR", temp.toString());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("onnxruntime " + OrtEnvironment.getEnvironment().getVersion());
    try (var left = Files.list(temp)) {
      // The library's session-id file (.ses) is shared by every process and kept on purpose.
      assertThat(left.map(f -> f.getFileName().toString()).filter(n -> !n.equals(".ses"))).isEmpty();
    }
  }

  @Test
  void theStackGrowsWithTheCommandLine() {
    assertThat(OrtNativeLoad.stackBytesFor(4_000)).isGreaterThan(4_000L * 250 + (1 << 20));
    assertThat(OrtNativeLoad.stackBytesFor(2_000_000)).isGreaterThan(2_000_000L * 250).isLessThan(2L << 30);
  }

  static final class Probe {
    public static void main(String[] args) {
      OrtStagingCleanup.atExit();
      OrtNativeLoad.fitCommandLine();
      System.out.println("onnxruntime " + OrtEnvironment.getEnvironment().getVersion() + " after " + args[0].length());
    }
  }
}
