package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A child JVM on the test's class path working in {@code dir}, its output in a file beside
 * {@code dir} so that nothing printed before exit is lost: for tests that signal a process and
 * look at how it ended.
 */
record ChildJvm(Process process, Path log, Path dir) {
  static final int SIGINT = 2;
  static final int SIGTERM = 15;

  /** @param mainAndArgs JVM options first (those starting with {@code -}), then the main class and its arguments */
  static ChildJvm start(Path dir, List<String> mainAndArgs) throws Exception {
    return start(dir, Map.of(), mainAndArgs);
  }

  /** As {@link #start(Path, List)}, with {@code env} added to the child's environment. */
  static ChildJvm start(Path dir, Map<String, String> env, List<String> mainAndArgs) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m"));
    cmd.addAll(mainAndArgs);
    Path log = Files.createTempFile(dir.getParent(), "child", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    // In the environment, not as -cp: ONNX Runtime's start-up crashes with a command line as long
    // as the Maven class path (OrtNativeLoad).
    pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    pb.environment().putAll(env);
    return new ChildJvm(pb.start(), log, dir);
  }

  String output() throws Exception {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  void awaitOutput(String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!output().contains(text)) {
      assertThat(process.isAlive()).as("the child ended before printing '%s':%n%s", text, output()).isTrue();
      assertThat(System.nanoTime()).as("'%s' within two minutes", text).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /**
   * Sends {@code signal}, or SIGTERM when the child ignores SIGINT (a test run started as a
   * background job of a script starts its children so; the JVM then leaves Ctrl-C alone).
   */
  int send(int signal) throws Exception {
    if (signal == SIGINT && !ignores(SIGINT)) {
      assertThat(new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor()).isZero();
      return SIGINT;
    }
    process.destroy();
    return SIGTERM;
  }

  private boolean ignores(int signal) throws Exception {
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & (1L << (signal - 1))) != 0;
      }
    }
    return false;
  }

  /** The child ended within two minutes with 128 + {@code signal}, and wrote no crash report. */
  void assertEndedBy(int signal) throws Exception {
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("ended within two minutes").isTrue();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("crash reports:%n%s", output())
          .noneMatch(n -> n.startsWith("hs_err_pid"));
    }
    assertThat(process.exitValue()).as(output()).isEqualTo(128 + signal);
  }
}
