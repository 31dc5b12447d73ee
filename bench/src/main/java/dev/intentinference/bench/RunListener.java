package dev.intentinference.bench;

import java.time.Duration;

/** Hears about a run as it happens: the console lines and progress bar hang off this. */
public interface RunListener {
  /** @param planned the whole run's planned time, warm-ups included */
  default void onStart(TargetInfo target, RunPlan plan, Duration planned) {}

  /** A step of a sweep begins, e.g. {@code concurrency 8}. */
  default void onStep(String load) {}

  /** @param elapsed time since the run started */
  default void onInterval(Interval interval, Duration elapsed) {}

  /** Something the user must know, e.g. that the harness could not keep up. */
  default void onWarning(String message) {}

  default void onEnd() {}

  RunListener NONE = new RunListener() {};
}
