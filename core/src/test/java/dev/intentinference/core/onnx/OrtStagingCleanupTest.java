package dev.intentinference.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class OrtStagingCleanupTest {
  @TempDir
  Path tmp;

  @Test
  void findsTheLoadersDirectoryAmongTheMappedFiles() {
    List<String> maps = List.of(
        "7f0000000000-7f0000001000 r--p 00000000 08:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6",
        "7f0000002000-7f0000003000 r-xp 00000000 00:00 0 [heap]",
        "7f0000004000-7f0000005000 r-xp 00001000 08:01 99 /tmp/onnxruntime-java42/libonnxruntime.so (deleted)",
        "7f0000006000-7f0000007000 r-xp 00001000 08:01 98 /tmp/other/libonnxruntime.so");
    assertThat(OrtStagingCleanup.stagingDirectory(maps)).contains(Path.of("/tmp/onnxruntime-java42"));
    assertThat(OrtStagingCleanup.stagingDirectory(maps.subList(0, 2))).isEmpty();
    assertThat(OrtStagingCleanup.stagingDirectory(List.of(maps.get(3)))).as("not a loader's directory").isEmpty();
  }

  @Test
  void removesTheLibrariesAndTheDirectoryButNothingElse() throws Exception {
    Path staging = Files.createDirectory(tmp.resolve("onnxruntime-java123"));
    Files.writeString(staging.resolve("libonnxruntime.so"), "x");
    Files.writeString(staging.resolve("libonnxruntime4j_jni.so"), "x");
    OrtStagingCleanup.remove(staging);
    assertThat(staging).doesNotExist();

    Path other = Files.createDirectory(tmp.resolve("models"));
    Files.writeString(other.resolve("keep.onnx"), "x");
    OrtStagingCleanup.remove(other);
    assertThat(other.resolve("keep.onnx")).exists();
  }

  /** The real loader of this JVM: its directory is found, and it exists. */
  @Test
  @EnabledOnOs(OS.LINUX)
  void findsThisProcesssOwnDirectory() throws Exception {
    OrtEnvironment.getEnvironment();
    Path dir = OrtStagingCleanup.stagingDirectory(Files.readAllLines(Path.of("/proc/self/maps"))).orElseThrow();
    assertThat(dir.getFileName().toString()).startsWith("onnxruntime-java");
    assertThat(dir).isDirectory();
  }
}
