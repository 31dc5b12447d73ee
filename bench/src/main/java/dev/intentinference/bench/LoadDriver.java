package dev.intentinference.bench;

import java.time.Duration;

/**
 * Generates load on a target until stopped: closed loop ({@link ClosedLoop}) or open loop
 * ({@link OpenLoop}).
 */
public interface LoadDriver {
  /** Starts sending; returns at once. */
  void start();

  /** Stops starting new requests. */
  void stop();

  /**
   * Waits for requests in flight to finish.
   *
   * @return requests still unfinished after {@code timeout}
   */
  long awaitDrained(Duration timeout) throws InterruptedException;

  /**
   * The warm-up is over: what the driver measures about itself from now on describes the
   * measured part of the run (called once, from the thread that runs the step).
   */
  default void warmupEnded() {}

  /** A warning about the harness itself, e.g. that it could not keep up; {@code null} if none. */
  default String harnessWarning() {
    return null;
  }

  /** Harness facts for the summary, e.g. how late sends were. */
  default java.util.Map<String, Object> harnessStats() {
    return java.util.Map.of();
  }
}
