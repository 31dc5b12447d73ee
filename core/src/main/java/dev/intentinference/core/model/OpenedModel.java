package dev.intentinference.core.model;

/**
 * A model as {@link ModelLoader#openWithFallback} opens it: the model itself and, for a cascade
 * artifact, the fallback model packed behind it, both from one read of the file. Closing it
 * closes both.
 *
 * @param first the model named
 * @param fallback the model packed behind it, decided with its own out-of-scope rule, or null
 */
public record OpenedModel(IntentPredictor first, IntentPredictor fallback) implements AutoCloseable {
  /** How the two are paired, or null when there is no packed fallback. */
  public CascadeInfo cascade() {
    return fallback == null ? null : CascadeInfo.of(first.manifest());
  }

  @Override
  public void close() {
    try {
      first.close();
    } finally {
      if (fallback != null) {
        fallback.close();
      }
    }
  }
}
