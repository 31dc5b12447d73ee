package dev.intentinference.core.io;

import java.time.Duration;

/**
 * Keeps the end of the process from racing work that must not overlap it: every call into a
 * native library, and every write of output that the exit deletes when unfinished, goes through
 * {@link #call}, and the process's exit path {@link #stopAndAwait stops} the calls before the
 * JVM's exit begins.
 * Guarded are: ONNX Runtime (unpacking and loading it, creating, running and closing a session);
 * the tokenizers' library (creating a tokenizer, whose first creation unpacks it); PyTorch through
 * DJL while fine-tuning (starting the engine, which unpacks libtorch the first time, a training
 * step's passes and update, a batch of predictions, building the network, reading its weights
 * out, closing the run's base manager); and writing model directories, artifacts, scratch
 * directories and a shipped data set's temporary copy, and publishing a version ({@code
 * ProcessExit} points here rather than listing them again).
 *
 * <p>Why: ONNX Runtime's Java binding releases its native environment in a shutdown hook of its
 * own ({@code OrtEnvironment$OrtEnvCloser}, 1.29), and at exit the JVM also runs the native
 * libraries' C++ static destructors (ONNX Runtime's, libtorch's), while other threads may still be
 * inside a session's creation or run, or a training step. Those then use freed state and the
 * process dies of SIGSEGV (exit code 134 and an {@code hs_err_pid*.log}) instead of ending with
 * 130 or 143; seen for ONNX Runtime, not yet for libtorch (DJL 0.36 registers no hook of its own).
 * And the exit's shutdown hooks delete scratch directories and half-written output while the other
 * threads go on: a file written after that is left behind. A Java thread cannot be stopped inside
 * native code, so the exit waits for it instead ({@code intent}'s {@code ProcessExit}).
 *
 * <p>After {@link #stopAndAwait} no thread enters or leaves a guarded call: one arriving at a
 * call, or returning from one, waits there until the process ends. So the native libraries are
 * left alone, and nothing computed after the signal goes on to write files while the JVM deletes
 * the half-written ones it was told to. A guarded call must be short, well within the stop's
 * limit (a step or a batch, never a whole training), and calls must not nest (a nested call would
 * wait for the outer one, which the stop waits for, until the stop's time limit).
 *
 * <pre>{@code
 * float[][] v = ExitGuard.process().call(() -> { try (...; OrtSession.Result r = session.run(in)) { ... } });
 * // when the process is to end, after whatever still needs ONNX Runtime (a server's drain), then System.exit:
 * ExitGuard.process().stopAndAwait(Duration.ofSeconds(10));
 * }</pre>
 */
public final class ExitGuard {
  /** A guarded call, with the checked exception it throws (ONNX Runtime's {@code OrtException}) or none. */
  @FunctionalInterface
  public interface Call<T, E extends Exception> {
    T call() throws E;
  }

  /** A call returning nothing (closing a session, writing files). */
  @FunctionalInterface
  public interface Action<E extends Exception> {
    void run() throws E;
  }

  /**
   * The process's guard. One per process because what it guards against, the process's exit, is
   * one per process, and the calls to guard are made all over the modules (encoders, scorers,
   * the compiler, the trainers, model writers), each of which would otherwise have to be handed
   * the same object.
   */
  private static final ExitGuard PROCESS = new ExitGuard();

  private final Object lock = new Object();
  /** Threads inside a guarded call; guarded by {@link #lock}. */
  private int inside;
  /** Set once, never cleared: the process is ending. Guarded by {@link #lock}. */
  private boolean stopped;

  /** A guard of its own, for tests (stopping the process's one would stop every later test's calls). */
  public ExitGuard() {}

  /** The process's guard, which every native call and every model, artifact and scratch directory write go through. */
  public static ExitGuard process() {
    return PROCESS;
  }

  /** Runs {@code call}, counted as under way; after {@link #stopAndAwait} it never returns. */
  public <T, E extends Exception> T call(Call<T, E> call) throws E {
    enter();
    try {
      return call.call();
    } finally {
      leave();
    }
  }

  /** {@link #call} for a call returning nothing. */
  public <E extends Exception> void run(Action<E> action) throws E {
    enter();
    try {
      action.run();
    } finally {
      leave();
    }
  }

  /**
   * Stops the calls: later ones wait forever, and this waits up to {@code limit} for those under
   * way to return.
   *
   * @return whether no call was still under way when it returned; {@code false} means one took
   *     longer than {@code limit} and the exit may still race it
   */
  public boolean stopAndAwait(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    boolean interrupted = false;
    try {
      synchronized (lock) {
        stopped = true;
        while (inside > 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          try {
            lock.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            interrupted = true; // the wait is bounded anyway: finish it, then pass the interrupt on
          }
        }
        return true;
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Threads inside a guarded call now. */
  int inside() {
    synchronized (lock) {
      return inside;
    }
  }

  private void enter() {
    synchronized (lock) {
      waitForExitIfStopped();
      inside++;
    }
  }

  private void leave() {
    synchronized (lock) {
      inside--;
      lock.notifyAll();
      waitForExitIfStopped();
    }
  }

  /**
   * Holding {@link #lock}: once stopped, waits until the process ends (wait releases the lock).
   * An interrupt does not end the wait: the thread must not go back into a native library, nor
   * on with work whose output the exit is deleting.
   */
  private void waitForExitIfStopped() {
    while (stopped) {
      try {
        lock.wait();
      } catch (InterruptedException e) {
        // Keep waiting: the process is ending.
      }
    }
  }
}
