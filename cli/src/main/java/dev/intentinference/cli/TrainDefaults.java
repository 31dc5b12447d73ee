package dev.intentinference.cli;

/** Defaults of {@code intent train} that picocli needs as constants. */
final class TrainDefaults {
  /** The encoders {@code train} concatenates when none is named; see docs/accuracy.md. */
  static final String ENCODERS = "bge-small-en-v1.5-q";

  private TrainDefaults() {}
}
