package dev.intentinference.train.finetune;

import static dev.intentinference.train.finetune.NetworkFixtures.LABELS;
import static dev.intentinference.train.finetune.NetworkFixtures.TEXTS;
import static dev.intentinference.train.finetune.NetworkFixtures.maxDifference;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.encoder.EncoderSpec;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.onnx.EncoderGraphs;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.core.text.TokenizedText;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A batch run as several passes (a tight {@link StepBudget}) trains the network a single pass
 * over the whole batch trains: the same losses and, after the steps, the same logits, with and
 * without a teacher whose variants learn from it alone, with and without a fixed first layer.
 */
class GradientAccumulationTest {
  private static final EncoderSpec CUT = EncoderRegistry.builtIn().get("all-minilm-l6-v2@0-3");
  private static final BertWeights SHIPPED = BertWeights.read(EncoderGraphs.model(CUT));
  /** So few tokens per pass that the fixture's ten texts take several. */
  private static final int TIGHT = 4;

  @Test
  void passesWithinATightBudgetTrainAsOneWholeBatch() {
    List<TokenizedText> tokens = tokens();
    int[] rows = IntStream.range(0, tokens.size()).toArray();
    assertThat(StepBudget.of(SHIPPED.config(), TEXTS.size(), TIGHT).split(rows, LengthChunks.lengths(tokens), rows.length).size())
        .as("passes for the whole batch").isGreaterThan(3);
    FineTuner.Examples examples = new FineTuner.Examples(tokens, LABELS);
    FineTuner.Distillation teacher = new FineTuner.Distillation(teacherLogits(), 2, 0.5, 5);
    for (int frozen : new int[] {0, 1}) {
      for (FineTuner.Distillation lesson : new FineTuner.Distillation[] {null, teacher}) {
        FineTuner.Result whole = train(examples, lesson, frozen, StepBudget.REFERENCE_TOKENS);
        FineTuner.Result pieces = train(examples, lesson, frozen, TIGHT);
        String what = (lesson == null ? "labels" : "teacher") + ", " + frozen + " fixed";
        for (int e = 0; e < whole.history().size(); e++) {
          assertThat(pieces.history().get(e).trainLoss()).as("loss of epoch %d, %s", e + 1, what)
              .isCloseTo(whole.history().get(e).trainLoss(), org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(maxDifference(pieces.validationLogits(), whole.validationLogits())).as(what).isLessThan(1e-3);
        assertThat(maxDifference(whole.validationLogits(), untrainedLogits(examples, lesson, frozen)))
            .as("training moved the logits far more than the passes differ, %s", what).isGreaterThan(0.05);
      }
    }
  }

  private static FineTuner.Result train(FineTuner.Examples examples, FineTuner.Distillation lesson, int frozen, int budgetTokens) {
    try (NDManager m = TorchRuntime.manager(2, 11)) {
      return new FineTuner(recipe(frozen, 3), budgetTokens).train(m, CUT, SHIPPED, 3, examples, lesson, examples,
          FineTuner.Listener.NONE);
    }
  }

  private static float[][] untrainedLogits(FineTuner.Examples examples, FineTuner.Distillation lesson, int frozen) {
    try (NDManager m = TorchRuntime.manager(2, 11)) {
      FineTuner.Result r = new FineTuner(recipe(frozen, 1).withLearningRates(1e-12, 1e-12)).train(m, CUT, SHIPPED, 3,
          examples, lesson, examples, FineTuner.Listener.NONE);
      return r.validationLogits();
    }
  }

  /** Dropout off, so the passes see the same network; one batch of all ten texts per step. */
  private static FineTuneConfig recipe(int frozen, int epochs) {
    return FineTuneConfig.defaults().withEpochs(epochs).withBatchSize(TEXTS.size()).withDropout(0)
        .withLearningRates(1e-4, 3e-3).withFrozenLayers(frozen).withSeed(11);
  }

  private static float[][] teacherLogits() {
    Random rng = new Random(3);
    float[][] logits = new float[TEXTS.size()][3];
    for (float[] row : logits) {
      for (int c = 0; c < row.length; c++) {
        row[c] = (float) rng.nextGaussian() * 3;
      }
    }
    return logits;
  }

  private static List<TokenizedText> tokens() {
    try (TextTokenizer tok = TextTokenizer.fromBytes(ClasspathResources.readAll(CUT.tokenizerResource()), 64)) {
      return tok.encodeAll(TEXTS);
    }
  }
}
