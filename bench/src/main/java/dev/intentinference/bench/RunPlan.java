package dev.intentinference.bench;

import dev.intentinference.core.IntentException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What load to generate and for how long. Checked when built: every error names the option, the
 * value and the accepted range.
 *
 * <pre>{@code
 * RunPlan p = RunPlan.closed(4, Duration.ofSeconds(60));             // the reference's setting
 * RunPlan s = RunPlan.of(Mode.SWEEP, List.of(1, 2, 4, 8), List.of(), Duration.ofSeconds(2),
 *     Duration.ofSeconds(20), Duration.ofSeconds(1), 1000, 42);
 * }</pre>
 *
 * @param mode closed, open, sweep or accuracy
 * @param concurrency requests in flight per step (closed, sweep, accuracy), each 1..100,000
 * @param rates requests per second per step (open, rate sweeps), each in (0, 10,000,000]
 * @param warmup run before measuring each step; its rows are written but marked, and its
 *     requests are kept out of the totals; 0..1 h
 * @param duration measured time per step, (0, 24 h]
 * @param interval time between rows, 10 ms..1 h (the reference used 10 s; default 1 s)
 * @param window latencies kept for the rows' sliding p50/p90, 1..10,000,000 (default 1000)
 * @param seed seeds message sampling and Poisson arrivals
 * @param arrivals how open-loop sends are spaced (default Poisson); constant only with rates
 * @param warmupMax closed loop: the warm-up goes on after {@code warmup} until the throughput is
 *     steady ({@link SteadyWarmup}), at most this long; equal to {@code warmup} for a fixed warm-up
 *     (open loops always have one: their throughput is the offered rate)
 */
public record RunPlan(
    Mode mode, List<Integer> concurrency, List<Double> rates, Duration warmup, Duration duration,
    Duration interval, int window, long seed, Arrivals arrivals, Duration warmupMax) {
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_WINDOW = 1000;
  public static final long DEFAULT_SEED = 42;

  public RunPlan {
    concurrency = List.copyOf(concurrency);
    rates = List.copyOf(rates);
    for (int c : concurrency) {
      if (c < 1 || c > 100_000) {
        throw new IntentException("--concurrency: " + c + " is outside 1..100000");
      }
    }
    for (double r : rates) {
      if (!(r > 0) || r > 10_000_000) {
        throw new IntentException("--rate: " + r + " is outside (0, 10000000] requests/s");
      }
    }
    if (mode == Mode.OPEN && rates.size() != 1) {
      throw new IntentException("--rate: open mode needs exactly one rate, got " + rates);
    }
    if (mode == Mode.SWEEP && concurrency.size() < 2 && rates.size() < 2) {
      throw new IntentException("--concurrency/--rate: a sweep needs at least two steps, e.g. --concurrency 1,2,4,8");
    }
    if ((mode == Mode.CLOSED || mode == Mode.ACCURACY) && concurrency.size() != 1) {
      throw new IntentException("--concurrency: " + mode.name().toLowerCase() + " mode needs one value, got " + concurrency);
    }
    if (warmup.isNegative() || warmup.compareTo(Duration.ofHours(1)) > 0) {
      throw new IntentException("--warmup: " + Durations.seconds(warmup) + " is outside 0s..1h");
    }
    if (mode != Mode.ACCURACY && (duration.isZero() || duration.isNegative() || duration.compareTo(Duration.ofHours(24)) > 0)) {
      throw new IntentException("--duration: " + Durations.seconds(duration) + " is outside (0s, 24h]");
    }
    if (interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IntentException("--interval: " + Durations.seconds(interval) + " is outside 10ms..1h");
    }
    if (window < 1 || window > 10_000_000) {
      throw new IntentException("--window: " + window + " is outside 1..10000000");
    }
    Objects.requireNonNull(arrivals, "arrivals");
    Objects.requireNonNull(warmupMax, "warmupMax");
    if (warmupMax.compareTo(warmup) < 0 || warmupMax.compareTo(Duration.ofHours(1)) > 0) {
      throw new IntentException("--warmup-max: " + Durations.seconds(warmupMax) + " is outside --warmup ("
          + Durations.seconds(warmup) + ")..1h");
    }
    boolean open = mode == Mode.OPEN || (mode == Mode.SWEEP && rates.size() >= 2);
    if (arrivals != Arrivals.POISSON && !open) {
      throw new IntentException("--arrivals: " + arrivals.id() + " needs an open-loop run (--rate R); this is a "
          + mode.name().toLowerCase() + " run");
    }
  }

  /** A plan with Poisson arrivals (the default; see {@link #withArrivals}). */
  public static RunPlan of(Mode mode, List<Integer> concurrency, List<Double> rates, Duration warmup,
      Duration duration, Duration interval, int window, long seed) {
    return new RunPlan(mode, concurrency, rates, warmup, duration, interval, window, seed, Arrivals.POISSON, warmup);
  }

  /** The reference's closed loop with default interval and window and no warm-up. */
  public static RunPlan closed(int concurrency, Duration duration) {
    return new RunPlan(Mode.CLOSED, List.of(concurrency), List.of(), Duration.ZERO, duration,
        DEFAULT_INTERVAL, DEFAULT_WINDOW, DEFAULT_SEED, Arrivals.POISSON, Duration.ZERO);
  }

  public RunPlan withArrivals(Arrivals a) {
    return new RunPlan(mode, concurrency, rates, warmup, duration, interval, window, seed, a, warmupMax);
  }

  /** The same plan whose closed-loop warm-up may extend up to {@code max} until steady. */
  public RunPlan withWarmupMax(Duration max) {
    return new RunPlan(mode, concurrency, rates, warmup, duration, interval, window, seed, arrivals, max);
  }

  /** Whether a step's warm-up goes on past {@link #warmup()} until the throughput is steady. */
  public boolean warmsUntilSteady() {
    return !openLoop() && warmupMax.compareTo(warmup) > 0;
  }

  /** How many steps the run has (1 unless sweeping). */
  public int steps() {
    if (mode == Mode.SWEEP) {
      return rates.size() >= 2 ? rates.size() : concurrency.size();
    }
    return 1;
  }

  /** Whether steps are rates (open loop) rather than concurrency levels. */
  public boolean openLoop() {
    return mode == Mode.OPEN || (mode == Mode.SWEEP && rates.size() >= 2);
  }

  /** The largest number of requests a step keeps in flight, for sizing in-process workers. */
  public int maxConcurrency() {
    return concurrency.stream().mapToInt(Integer::intValue).max().orElse(1);
  }
}
