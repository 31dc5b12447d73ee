package dev.intentinference.cli;

import static dev.intentinference.cli.ChildJvm.SIGINT;
import static dev.intentinference.cli.ChildJvm.SIGTERM;
import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.onnx.OrtSessions;
import dev.intentinference.core.onnx.OrtStagingCleanup;
import dev.intentinference.core.onnx.SessionSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
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
      ChildJvm child = ChildJvm.start(Files.createDirectories(tmp.resolve("round" + round)),
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
    ChildJvm child = ChildJvm.start(work, List.of(IntentCli.class.getName(), "train", "--frozen", "--data", data.toString(),
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
    ChildJvm child = ChildJvm.start(work, List.of("-Djava.io.tmpdir=" + temp, IntentCli.class.getName(), "serve",
        "--repository", work.resolve("repo").toString(), "--data", data.toString(), "--port", "0", "--upgrade", "false"));
    child.awaitOutput("intent: trained in"); // the model is in its temporary directory; the compile starts
    int signal = child.send(SIGINT);
    child.assertEndedBy(signal);
    try (Stream<Path> left = Files.list(temp)) {
      assertThat(left.map(p -> p.getFileName().toString())).as("the trained model's temporary directory")
          .noneMatch(name -> name.startsWith("intent-default-model-"));
    }
  }
}
