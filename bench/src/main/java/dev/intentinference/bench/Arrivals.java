package dev.intentinference.bench;

import java.util.Locale;

/** How an open loop spaces its sends ({@code --arrivals}). */
public enum Arrivals {
  /** Independent exponential gaps (a Poisson process): independent customers. The default. */
  POISSON,
  /** Evenly spaced sends, exactly {@code 1/rate} apart: a steady load for soak stability checks. */
  CONSTANT;

  /** @param seed seeds the gaps of random schedules */
  public ArrivalSchedule schedule(double ratePerSecond, long seed) {
    return switch (this) {
      case POISSON -> new PoissonSchedule(ratePerSecond, seed);
      case CONSTANT -> new ConstantSchedule(ratePerSecond);
    };
  }

  /** The name as typed on the command line and written in the summary: {@code poisson}, {@code constant}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
