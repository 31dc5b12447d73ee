package dev.intentinference.cli;

import static dev.intentinference.cli.ChildJvm.SIGTERM;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while the process's first fine-tune unpacks libtorch into DJL's cache leaves a whole
 * library there, not a half-written temporary directory: DJL unpacks into {@code tmp*} and renames
 * it when done, and the exit now waits for that (the engine's start goes through the exit's guard).
 * Before, each such signal left 47-195 MB in {@code ~/.djl.ai/pytorch/tmp*} for good.
 */
class SignalDuringNativeUnpackTest {
  private static final String SEEN = "unpacking seen: ";

  @TempDir Path tmp;

  /**
   * Child: {@code CACHE ARGS...} runs {@code intent train ARGS...} and sends itself SIGTERM as soon
   * as DJL's temporary unpacking directory appears under {@code CACHE/pytorch}.
   */
  public static void main(String[] args) throws Exception {
    Path pytorch = Path.of(args[0], "pytorch");
    Thread watcher = new Thread(() -> {
      try {
        while (true) {
          if (Files.isDirectory(pytorch)) {
            try (Stream<Path> s = Files.list(pytorch)) {
              Path unpacking = s.filter(p -> p.getFileName().toString().startsWith("tmp")).findFirst().orElse(null);
              if (unpacking != null) {
                System.out.println(SEEN + unpacking.getFileName());
                System.out.flush();
                new ProcessBuilder("kill", "-TERM", Long.toString(ProcessHandle.current().pid())).start().waitFor();
                return;
              }
            }
          }
          Thread.sleep(2);
        }
      } catch (Exception e) {
        e.printStackTrace();
      }
    }, "unpack-watcher");
    watcher.setDaemon(true);
    watcher.start();
    IntentCli.main(java.util.Arrays.copyOfRange(args, 1, args.length));
  }

  @Test
  void aSignalWhileLibtorchIsUnpackedLeavesNoHalfWrittenCopy() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path cache = Files.createDirectories(tmp.resolve("djl-cache"));
    Path data = Path.of(getClass().getResource("/clinc10.json").toURI());
    ChildJvm child = ChildJvm.start(work, Map.of("DJL_CACHE_DIR", cache.toString()), List.of(
        SignalDuringNativeUnpackTest.class.getName(), cache.toString(), "train", "--data", data.toString(), "--out",
        work.resolve("model").toString(), "--teacher", "none", "--epochs", "1", "--threads", "1", "--quiet"));
    child.assertEndedBy(SIGTERM);
    assertThat(child.output()).as("the signal came while libtorch was unpacked").contains(SEEN);
    try (Stream<Path> s = Files.list(cache.resolve("pytorch"))) {
      assertThat(s.map(p -> p.getFileName().toString())).as("DJL's cache after the signal:%n%s", child.output())
          .noneMatch(n -> n.startsWith("tmp"));
    }
    assertThat(work.resolve("model")).doesNotExist();
  }
}
