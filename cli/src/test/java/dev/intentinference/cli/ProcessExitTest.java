package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.io.ExitGuard;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The steps of ending, without ending the test's JVM: on a guard of the test's own, so that the
 * process's ONNX Runtime calls (other tests) are not stopped.
 */
class ProcessExitTest {
  private final StringWriter err = new StringWriter();
  private final ExitGuard calls = new ExitGuard();
  private final ProcessExit exit = new ProcessExit(new PrintWriter(err, true), calls, Duration.ofSeconds(10), true);

  @Test
  void aSignalDuringACommandSaysSoInOneLineAndStopsOnnxRuntime() throws Exception {
    assertThat(exit.stop("SIGINT", 130)).isEqualTo(130);
    assertThat(err.toString()).isEqualTo("intent: interrupted (SIGINT); unfinished output is not kept" + System.lineSeparator());
    assertStopped();
  }

  @Test
  void theCommandReturningEndsQuietlyWithItsCode() throws Exception {
    assertThat(exit.stop(null, 2)).isEqualTo(2);
    assertThat(err.toString()).isEmpty();
    assertStopped();
  }

  @Test
  void exitStepsRunFirstAndMayStillUseOnnxRuntimeAndOneFailingDoesNotKeepTheRestFromRunning() throws Exception {
    List<String> order = new ArrayList<>();
    exit.onExit("drain", () -> {
      order.add(calls.call(() -> "drained through ONNX Runtime")); // a server's drain answers requests
      throw new IllegalStateException("bucket close failed");
    });
    exit.onExit("second", () -> order.add("second"));
    assertThat(exit.stop("SIGTERM", 143)).isEqualTo(143);
    assertThat(order).containsExactly("drained through ONNX Runtime", "second");
    // serve prints its own lines ("intent: draining ..."): no generic one.
    assertThat(err.toString()).doesNotContain("interrupted").contains("intent: while stopping: java.lang.IllegalStateException: bucket close failed");
    assertStopped();
  }

  /** A call made now never runs: its thread waits at the guard for the process to end. */
  private void assertStopped() throws InterruptedException {
    AtomicBoolean ran = new AtomicBoolean();
    Thread t = new Thread(() -> calls.run(() -> ran.set(true)), "late-call");
    t.setDaemon(true);
    t.start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (t.getState() != Thread.State.WAITING) {
      assertThat(t.isAlive()).as("the late call returned").isTrue();
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(5);
    }
    assertThat(ran).isFalse();
  }
}
