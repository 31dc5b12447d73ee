package dev.intentinference.cli;

import dev.intentinference.core.io.ExitGuard;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * How the {@code intent} process ends, on Ctrl-C (SIGINT), SIGTERM, SIGHUP or when its command
 * returns; in this order, before the JVM's own exit begins:
 *
 * <ol>
 *   <li>after a signal while a command runs, one line saying so (a command with an exit step of
 *       its own, {@code serve}, says what it does instead);
 *   <li>the commands' exit steps ({@code serve}'s drain, which still answers requests through
 *       ONNX Runtime);
 *   <li>native work and writes of output stopped ({@link ExitGuard#stopAndAwait}; {@link
 *       ExitGuard} lists what it guards): those under way get up to {@link #STOP_LIMIT} to
 *       return, and no thread starts another or goes on from one;
 *   <li>{@code System.exit}: 128 + the signal's number (130 after Ctrl-C, 143 after SIGTERM, as
 *       the JVM's own handling gives), or the command's code. The shutdown hooks then run,
 *       among them the deletion of scratch directories ({@code ScratchDirectory}) and of
 *       half-written output registered with {@code deleteOnExit}, which no thread writes into
 *       any more.
 * </ol>
 *
 * <p>Why before the exit rather than in a shutdown hook: ONNX Runtime's Java binding registers
 * a shutdown hook of its own ({@code OrtEnvironment$OrtEnvCloser}, 1.29) that releases the native
 * environment. Hooks run all at once, while the command's threads go on, so a session being
 * created or run used the freed environment and the process died of SIGSEGV (exit code 134, an
 * {@code hs_err_pid*.log}) a millisecond after the signal: 2 in 30 Ctrl-C in the first seconds of
 * {@code intent train --frozen}, 9 in 10 SIGTERM in a loop creating sessions. A hook of ours could
 * not run before that one; a signal handler runs before any hook.
 *
 * <pre>{@code
 * ProcessExit exit = ProcessExit.install(err); // first thing in main
 * exit.exit(IntentCli.execute(args, out, err, exit));
 * }</pre>
 */
final class ProcessExit {
  /**
   * How long the exit waits for a guarded call under way. A batch runs in well under a second;
   * creating a session of the largest shipped encoder (bge-small fp32, optimized as it loads) took
   * 0.4 s, and the process's first session, which loads the library, 0.6 s, on 2 cores at load
   * average 4.5; a fine-tuning pass 0.13 s (the model) to 0.36 s (the teacher) on CLINC150; the
   * first unpacking of libtorch 0.9-2.1 s from a signal in it (scripts/perf/signal-crash.sh with
   * FRESH_DJL_CACHE). Writing a fine-tuned model directory is one file of up to 133 MB (bge-small's
   * encoder.onnx). Past this the exit goes on, and may crash or leave files as before, rather
   * than hang.
   */
  static final Duration STOP_LIMIT = Duration.ofSeconds(10);

  /** The signals the JVM ends the process on, the ones a terminal, a supervisor or a user sends. */
  private static final List<String> SIGNALS = List.of("INT", "TERM", "HUP");

  private final PrintWriter err;
  private final ExitGuard guard;
  private final Duration limit;
  /** Whether this process is {@code intent}'s own; if not, exit steps become shutdown hooks of their own. */
  private final boolean installed;
  private final List<Runnable> steps = new CopyOnWriteArrayList<>();
  /** Set by the first of a signal and the command's return: only it ends the process. */
  private final AtomicBoolean ending = new AtomicBoolean();

  ProcessExit(PrintWriter err, ExitGuard guard, Duration limit, boolean installed) {
    this.err = err;
    this.guard = guard;
    this.limit = limit;
    this.installed = installed;
  }

  /**
   * Takes over SIGINT, SIGTERM and SIGHUP from the JVM, printing to {@code err}. A signal the
   * process was started with ignored ({@code nohup}, a background job of a script) stays ignored.
   */
  static ProcessExit install(PrintWriter err) {
    ProcessExit exit = new ProcessExit(err, ExitGuard.process(), STOP_LIMIT, true);
    for (String name : SIGNALS) {
      try {
        Signal.handle(new Signal(name), exit::onSignal);
      } catch (IllegalArgumentException e) {
        // Not on this platform, or the JVM keeps it (-Xrs): its default handling stays.
      }
    }
    return exit;
  }

  /**
   * For {@link IntentCli#execute(String[], PrintWriter, PrintWriter)} in a process that is not
   * {@code intent}'s own (tests): signals and the guarded calls are left alone, and an exit step is
   * registered as a shutdown hook by itself.
   */
  static ProcessExit unmanaged() {
    return new ProcessExit(null, ExitGuard.process(), STOP_LIMIT, false);
  }

  /** Runs {@code step} when the process ends, before the guarded calls are stopped; it prints its own messages. */
  void onExit(String name, Runnable step) {
    if (installed) {
      steps.add(step);
    } else {
      Runtime.getRuntime().addShutdownHook(new Thread(step, name));
    }
  }

  /** The command returned {@code code}: ends the process with it, never returns. */
  void exit(int code) {
    end(null, code);
  }

  private void onSignal(Signal signal) {
    end("SIG" + signal.getName(), 128 + signal.getNumber());
  }

  /**
   * Does the steps of ending (package-private: tests run them without exiting) and returns the
   * exit code, or, when another caller is already ending the process, waits for it to end.
   */
  int stop(String signal, int code) {
    if (!ending.compareAndSet(false, true)) {
      waitForExit(); // a second Ctrl-C, or the command returning meanwhile: the first one ends the process
    }
    if (signal != null && steps.isEmpty()) {
      err.println("intent: interrupted (" + signal + "); unfinished output is not kept");
      err.flush();
    }
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (RuntimeException e) {
        // One failed step must not keep the guarded calls' stop from running.
        err.println("intent: while stopping: " + e);
        err.flush();
      }
    }
    if (!guard.stopAndAwait(limit)) {
      err.println("intent: native work or a write still under way after " + limit.toSeconds() + " s; exiting anyway");
      err.flush();
    }
    return code;
  }

  private void end(String signal, int code) {
    System.exit(stop(signal, code));
  }

  /** Parks the thread until the process, being ended by another thread, ends. */
  private static void waitForExit() {
    Object never = new Object();
    synchronized (never) {
      while (true) {
        try {
          never.wait();
        } catch (InterruptedException e) {
          // Keep waiting: the process is ending.
        }
      }
    }
  }
}
