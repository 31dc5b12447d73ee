package dev.intentinference.cli;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.CascadePredictor;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** A slower, more accurate model behind the one named by {@code --model} (a picocli mixin). */
final class CascadeOptions {
  /** Chosen on validation: BANKING77's held-out slice and CLINC150's val (docs/accuracy.md, "Twenty-third session"). */
  static final double DEFAULT_ESCALATE_BELOW = 0.8;

  @Option(names = "--fallback", paramLabel = "PATH",
      description = "A second model (directory or .intent, trained on the same intents, e.g. the teacher the "
          + "model was distilled from) that answers again the messages the first is unsure of.")
  Path fallback;

  @Option(names = "--escalate-below", paramLabel = "P",
      description = "With --fallback: messages whose largest probability from the first model is under P "
          + "go to the fallback model, in [0, 1]. Default: " + DEFAULT_ESCALATE_BELOW + ".")
  Double escalateBelow;

  /** The fallback model, or null without {@code --fallback}; the caller closes it. */
  IntentPredictor openFallback(LoadOptions load) {
    if (fallback == null) {
      if (escalateBelow != null) {
        throw new IntentException("--escalate-below needs --fallback: the model that answers the escalated messages");
      }
      return null;
    }
    threshold();
    return ModelLoader.open(fallback, load);
  }

  /** The cascade of {@code first} and {@code fallback}, or null when there is no fallback. */
  CascadePredictor cascade(IntentPredictor first, IntentPredictor fallback) {
    return fallback == null ? null : new CascadePredictor(first, fallback, threshold());
  }

  /** Answers a batch with the cascade, or with {@code first} alone (nothing escalated) when there is none. */
  static Function<List<String>, CascadePredictor.Answers> answering(IntentPredictor first, CascadePredictor cascade) {
    return cascade != null ? cascade::predictAll
        : batch -> new CascadePredictor.Answers(first.predictAll(batch), new boolean[batch.size()]);
  }

  private double threshold() {
    double p = escalateBelow == null ? DEFAULT_ESCALATE_BELOW : escalateBelow;
    if (!(p >= 0 && p <= 1)) {
      throw new IntentException("--escalate-below must be in [0, 1], was " + escalateBelow);
    }
    return p;
  }
}
