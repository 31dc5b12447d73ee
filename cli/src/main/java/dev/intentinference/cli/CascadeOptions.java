package dev.intentinference.cli;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.model.CascadeInfo;
import dev.intentinference.core.model.CascadePredictor;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.model.OpenedModel;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * A slower, more accurate model behind the one named by {@code --model} (a picocli mixin): named
 * with {@code --fallback}, or packed into a cascade artifact by {@code intent compile --fallback}.
 */
final class CascadeOptions {
  static final double DEFAULT_ESCALATE_BELOW = CascadeInfo.DEFAULT_ESCALATE_BELOW;

  @Option(names = "--fallback", paramLabel = "PATH",
      description = "A second model (directory or .intent, trained on the same intents, e.g. the teacher the "
          + "model was distilled from) that answers again the messages the first is unsure of.")
  Path fallback;

  @Option(names = "--escalate-below", paramLabel = "P",
      description = "With --fallback: messages whose largest probability from the first model is under P "
          + "go to the fallback model, in [0, 1]. Default: the value recorded with the model (a cascade artifact's, or chosen on validation by 'intent train "
          + "--keep-teacher'), else " + DEFAULT_ESCALATE_BELOW + ".")
  Double escalateBelow;

  /**
   * The model and its fallback: the one packed in the cascade artifact {@code model}, or
   * {@code --fallback}; the fallback is null when there is neither. The caller closes it.
   */
  OpenedModel open(Path model, LoadOptions load) {
    threshold(null);
    OpenedModel opened = ModelLoader.openWithFallback(model, load);
    if (fallback == null) {
      if (opened.fallback() == null && escalateBelow != null) {
        opened.close();
        throw new IntentException("--escalate-below needs --fallback (or a cascade artifact from 'intent compile --fallback'):"
            + " the model that answers the escalated messages");
      }
      return opened;
    }
    try {
      if (opened.fallback() != null) {
        throw new IntentException("--fallback: " + model + " already holds a fallback model (a cascade artifact); drop --fallback");
      }
      return new OpenedModel(opened.first(), ModelLoader.open(fallback, load));
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
  }

  /**
   * The cascade of {@code first} and {@code fallback}, or null when there is no fallback. The
   * escalation threshold is {@code --escalate-below}, else the one recorded for {@code first} (a
   * cascade artifact's, or chosen on validation by 'intent train'), else the default.
   */
  CascadePredictor cascade(IntentPredictor first, IntentPredictor fallback) {
    return fallback == null ? null : new CascadePredictor(first, fallback, threshold(CascadeInfo.recordedEscalateBelow(first.manifest())));
  }

  /** Answers a batch with the cascade, or with {@code first} alone (nothing escalated) when there is none. */
  static Function<List<String>, CascadePredictor.Answers> answering(IntentPredictor first, CascadePredictor cascade) {
    return cascade != null ? cascade::predictAll
        : batch -> new CascadePredictor.Answers(first.predictAll(batch), new boolean[batch.size()]);
  }

  private double threshold(Double recorded) {
    double p = escalateBelow != null ? escalateBelow : recorded != null ? recorded : DEFAULT_ESCALATE_BELOW;
    if (!(p >= 0 && p <= 1)) {
      throw new IntentException("--escalate-below must be in [0, 1], was " + escalateBelow);
    }
    return p;
  }
}
