package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.onnx.OrtSessions;
import dev.intentinference.core.onnx.OrtStagingCleanup;
import dev.intentinference.core.onnx.SessionSettings;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C or SIGTERM while ONNX Runtime works ends the process with 130 or 143 and one line, never
 * with a crash (exit code 134 and an {@code hs_err_pid*.log}): before the fix, ONNX Runtime's own
 * shutdown hook released its environment under a session being created, and 9 of 10 such signals
 * crashed the loop below.
 */
class SignalDuringOnnxRuntimeTest {
  private static final int SIGINT = 2;
  private static final int SIGTERM = 15;

  @TempDir Path tmp;

  /**
   * Child: {@code intent}'s way of ending ({@link ProcessExit}, as {@link IntentCli#main}) around
   * a loop creating and closing encoder sessions, the ONNX Runtime call where an exit crashed most.
   */
  public static void main(String[] args) throws Exception {
    ProcessExit.install(new PrintWriter(System.err, true));
    OrtStagingCleanup.atExit();
    byte[] onnx = EncoderGraphs.bytes(EncoderRegistry.builtIn().get("all-minilm-l6-v2-q"));
    OrtSessions.close(OrtSessions.create(onnx, SessionSettings.allCores()));
    System.out.println("ready");
    System.out.flush();
    while (true) {
      OrtSessions.close(OrtSessions.create(onnx, SessionSettings.allCores()));
    }
  }

  @Test
  void aSignalWhileSessionsAreCreatedEndsTheProcessCleanly() throws Exception {
    SplittableRandom random = new SplittableRandom();
    // Three signals at random moments of the loop: without the fix at least one crashed in all
    // but about one run in a thousand.
    for (int round = 0; round < 3; round++) {
      Child child = Child.start(Files.createDirectories(tmp.resolve("round" + round)),
          List.of(SignalDuringOnnxRuntimeTest.class.getName()));
      child.awaitOutput("ready");
      Thread.sleep(random.nextInt(50, 500));
      int signal = child.send(round == 1 ? SIGTERM : SIGINT);
      child.assertEndedBy(signal);
      assertThat(child.output()).contains("intent: interrupted (SIG" + (signal == SIGINT ? "INT" : "TERM")
          + "); unfinished output is not kept");
    }
  }

  @Test
  void ctrlCWhileTrainingEmbedsLeavesNoModelAndNoCrash() throws Exception {
    Path data = Path.of(SignalDuringOnnxRuntimeTest.class.getResource("/clinc10.json").toURI());
    Path work = Files.createDirectories(tmp.resolve("work"));
    Child child = Child.start(work, List.of(IntentCli.class.getName(), "train", "--frozen", "--data", data.toString(),
        "--out", work.resolve("model").toString()));
    child.awaitOutput("embed "); // the progress bar's first line: the encoder is loaded and embedding starts
    int signal = child.send(SIGINT);
    child.assertEndedBy(signal);
    assertThat(child.output()).contains("intent: interrupted (SIG" + (signal == SIGINT ? "INT" : "TERM") + ")");
    try (Stream<Path> left = Files.list(work)) {
      assertThat(left).as("no model, no half-written hidden directory, no crash report").isEmpty();
    }
  }

  @Test
  void ctrlCWhileTheFirstServeCompilesItsModelLeavesNoTemporaryModel() throws Exception {
    Path data = Path.of(SignalDuringOnnxRuntimeTest.class.getResource("/clinc10.json").toURI());
    Path work = Files.createDirectories(tmp.resolve("serve"));
    Path temp = Files.createDirectories(tmp.resolve("temp"));
    Files.createDirectories(work.resolve("repo"));
    Child child = Child.start(work, List.of("-Djava.io.tmpdir=" + temp, IntentCli.class.getName(), "serve",
        "--repository", work.resolve("repo").toString(), "--data", data.toString(), "--port", "0", "--upgrade", "false"));
    child.awaitOutput("intent: trained in"); // the model is in its temporary directory; the compile starts
    int signal = child.send(SIGINT);
    child.assertEndedBy(signal);
    try (Stream<Path> left = Files.list(temp)) {
      assertThat(left.map(p -> p.getFileName().toString())).as("the trained model's temporary directory")
          .noneMatch(name -> name.startsWith("intent-default-model-"));
    }
  }

  /**
   * A child JVM on the test's class path working in {@code dir}, its output in a file beside
   * {@code dir} so that nothing printed before exit is lost.
   */
  private record Child(Process process, Path log, Path dir) {
    /** @param mainAndArgs JVM options first (those starting with {@code -}), then the main class and its arguments */
    static Child start(Path dir, List<String> mainAndArgs) throws Exception {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx512m"));
      cmd.addAll(mainAndArgs);
      Path log = Files.createTempFile(dir.getParent(), "child", ".log");
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
      // In the environment, not as -cp: ONNX Runtime's start-up crashes with a command line as long
      // as the Maven class path (OrtNativeLoad).
      pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
      return new Child(pb.start(), log, dir);
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

    void assertEndedBy(int signal) throws Exception {
      assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("ended within two minutes").isTrue();
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString())).as("crash reports:%n%s", output())
            .noneMatch(n -> n.startsWith("hs_err_pid"));
      }
      assertThat(process.exitValue()).as(output()).isEqualTo(128 + signal);
    }
  }
}
