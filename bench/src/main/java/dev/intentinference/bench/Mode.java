package dev.intentinference.bench;

/** How load is generated. */
public enum Mode {
  /** Fixed concurrency, each worker sending when its previous request returns (the reference). */
  CLOSED,
  /** Poisson or evenly spaced arrivals at a fixed rate, latency from the scheduled send time. */
  OPEN,
  /** Several concurrency or rate steps, each held for the duration: the throughput-latency curve. */
  SWEEP,
  /** Every labeled message once; accuracy and out-of-scope recall as served. */
  ACCURACY
}
