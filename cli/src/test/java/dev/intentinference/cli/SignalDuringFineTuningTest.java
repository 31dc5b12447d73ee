package dev.intentinference.cli;

import static dev.intentinference.cli.ChildJvm.SIGINT;
import static dev.intentinference.cli.ChildJvm.SIGTERM;
import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.io.ExitGuard;
import dev.intentinference.train.FineTuning;
import dev.intentinference.train.finetune.FineTuneConfig;
import dev.intentinference.train.finetune.FineTuner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C or SIGTERM while a model is fine-tuned (libtorch through DJL) stops the training where it
 * is, before the JVM's exit deletes its output: the process ends with 130 or 143, no crash report,
 * and nothing of the run left behind, neither the upgrade's hidden staging directory nor a model
 * in {@code --out}.
 *
 * <p>Before the fix the exit stopped only ONNX Runtime's calls, and the training thread went on
 * stepping and then wrote its model while the shutdown hooks ran: into the staging directory their
 * hook had just deleted (recreating it), or into {@code --out}. The hooks usually take
 * milliseconds, so it took an unlucky signal; each child here holds the exit's hooks open until
 * its working thread has stopped somewhere (as slow hooks would), which makes the race certain
 * without the fix and changes nothing with it.
 */
class SignalDuringFineTuningTest {
  /** Printed by the child's hook: where its working thread stopped. */
  private static final String STOPPED = "working thread stopped in ";

  @TempDir Path tmp;

  /**
   * Child: {@code upgrade REPOSITORY DATA} runs the serve's background upgrade on a short recipe
   * and sends itself SIGTERM during its second step; {@code train ARGS...} runs
   * {@code intent train ARGS...} as {@link IntentCli#main}.
   */
  public static void main(String[] args) throws Exception {
    holdExitUntilStopped(Thread.currentThread());
    if (args[0].equals("train")) {
      IntentCli.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    ProcessExit.install(new PrintWriter(System.err, true));
    Path repository = Path.of(args[1]);
    Files.createDirectories(repository.resolve(DefaultModelBootstrap.MODEL));
    PrintWriter out = new PrintWriter(System.out, true) {
      private boolean sent;

      @Override
      public PrintWriter format(Locale l, String format, Object... values) {
        super.format(l, format, values);
        if (!sent && String.format(l, format, values).startsWith("intent: model: step 1/")) {
          sent = true;
          signalInSecondPass(Thread.currentThread());
        }
        return this;
      }
    };
    FineTuneConfig quick = FineTuneConfig.defaults().withEpochs(1).withBatchSize(32);
    FineTuning recipe = FineTuning.defaults().withThreads(1).withRecipe(quick).withTeacher(null).withAugment(0);
    new DefaultModelUpgrade(Path.of(args[2]), recipe, false, out).run(repository);
  }

  /**
   * Sends this process SIGTERM once {@code training} is in the next step's forward and backward
   * pass (hundreds of milliseconds, against a few for the signal to reach the exit), so the stop
   * comes while a step runs.
   */
  private static void signalInSecondPass(Thread training) {
    Thread signaller = new Thread(() -> {
      try {
        while (Arrays.stream(training.getStackTrace()).noneMatch(
            f -> f.getClassName().equals(FineTuner.class.getName()) && f.getMethodName().equals("pass"))) {
          Thread.sleep(1);
        }
        new ProcessBuilder("kill", "-TERM", Long.toString(ProcessHandle.current().pid())).start().waitFor();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "signal in a pass");
    signaller.setDaemon(true);
    signaller.start();
  }

  /**
   * A shutdown hook that lasts until {@code work} waits in the exit's guard or in the exit itself
   * (or ends), then says where it stopped; at most a minute. The JVM's exit waits for its hooks
   * and lets the other threads go on meanwhile.
   */
  private static void holdExitUntilStopped(Thread work) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      long deadline = System.nanoTime() + 60_000_000_000L;
      String where;
      while ((where = stoppedIn(work)) == null && System.nanoTime() < deadline) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
      System.out.println(STOPPED + where);
      System.out.flush();
    }, "hold the exit"));
  }

  /**
   * Where {@code t} waits for the process to end: {@code ExitGuard.enter} (about to start a
   * guarded call), {@code ExitGuard.leave} (a call was under way when the exit stopped them),
   * {@code ProcessExit...} (the work was done); null while it still works.
   */
  private static String stoppedIn(Thread t) {
    if (!t.isAlive()) {
      return "nothing: it ended";
    }
    if (t.getState() != Thread.State.WAITING) {
      return null;
    }
    StackTraceElement[] stack = t.getStackTrace();
    for (int i = 0; i < stack.length; i++) {
      String c = stack[i].getClassName();
      if (c.equals(ExitGuard.class.getName()) && !stack[i].getMethodName().equals("waitForExitIfStopped")) {
        // The first frame after the guard's own is the caller of the guarded call.
        int caller = i;
        while (caller < stack.length && (stack[caller].getClassName().startsWith(ExitGuard.class.getName())
            || stack[caller].getMethodName().startsWith("lambda$"))) {
          caller++;
        }
        return c.substring(c.lastIndexOf('.') + 1) + "." + stack[i].getMethodName() + " from "
            + (caller < stack.length ? stack[caller].getClassName() + "." + stack[caller].getMethodName() : "?");
      }
      if (c.equals(ProcessExit.class.getName())) {
        return "ProcessExit." + stack[i].getMethodName();
      }
    }
    return null;
  }

  @Test
  void sigtermDuringTheUpgradesStepsStopsTheStepAndLeavesNoStagingDirectory() throws Exception {
    Path data = Path.of(getClass().getResource("/clinc10.json").toURI());
    Path work = Files.createDirectories(tmp.resolve("upgrade"));
    Path repository = work.resolve("repo");
    ChildJvm child = ChildJvm.start(work, List.of("-Xmx1g", SignalDuringFineTuningTest.class.getName(), "upgrade",
        repository.toString(), data.toString()));
    child.assertEndedBy(SIGTERM);
    String output = child.output();
    assertThat(output).contains("intent: model: step 1/").contains("intent: interrupted (SIGTERM)");
    // The signal came during the second step's pass: the exit waited for it, then the thread
    // stopped on its way out of it, before it could report the step.
    assertThat(output).as(output).contains(STOPPED + "ExitGuard.leave from " + "dev.intentinference.train.finetune.FineTuner.train")
        .doesNotContain("intent: model: step 2/");
    try (Stream<Path> left = Files.list(repository.resolve(DefaultModelBootstrap.MODEL))) {
      assertThat(left).as("no hidden .2.building-* directory, no version 2%n%s", output).isEmpty();
    }
  }

  @Test
  void ctrlCWhileIntentTrainFineTunesLeavesNoModel() throws Exception {
    Path data = Path.of(getClass().getResource("/clinc10.json").toURI());
    Path work = Files.createDirectories(tmp.resolve("train"));
    ChildJvm child = ChildJvm.start(work, List.of("-Xmx1g", SignalDuringFineTuningTest.class.getName(), "train", "train",
        "--data", data.toString(), "--out", work.resolve("model").toString(), "--teacher", "none", "--epochs", "1",
        "--threads", "1"));
    child.awaitOutput("fine-tune model "); // the progress bar's first line: the steps begin
    int signal = child.send(SIGINT);
    child.assertEndedBy(signal);
    String output = child.output();
    assertThat(output).contains("intent: interrupted (SIG" + (signal == SIGINT ? "INT" : "TERM") + ")")
        .contains(STOPPED + "ExitGuard.");
    try (Stream<Path> left = Files.list(work)) {
      assertThat(left.map(p -> p.getFileName().toString())).as("no model, no half-written hidden directory%n%s", output)
          .isEmpty();
    }
  }
}
