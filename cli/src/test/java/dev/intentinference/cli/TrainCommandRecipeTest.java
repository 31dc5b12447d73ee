package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.train.FineTuning;
import dev.intentinference.train.TrainingOptions;
import dev.intentinference.train.finetune.FineTuneConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The fine-tuning recipe the options make: the teacher shares the model's options but its epochs and rate. */
class TrainCommandRecipeTest {
  private static FineTuning recipe(String... args) {
    TrainCommand command = new TrainCommand();
    new CommandLine(command).parseArgs(args);
    return command.fineTuning();
  }

  private static TrainingOptions options(String... args) {
    TrainCommand command = new TrainCommand();
    new CommandLine(command).parseArgs(args);
    return command.options();
  }

  @Test
  void fineTuningLearnsAnOosClassUnlessToldAndTheQuickRecipeDoesNot() {
    assertThat(options("--data", "clinc150", "--out", "x").oosClass()).isEqualTo(FineTuning.DEFAULT_OOS_CLASS).isTrue();
    assertThat(options("--data", "clinc150", "--out", "x", "--no-oos-class").oosClass()).isFalse();
    assertThat(options("--data", "clinc150", "--out", "x", "--frozen").oosClass()).isFalse();
    assertThat(options("--data", "clinc150", "--out", "x", "--frozen", "--oos-class").oosClass()).isTrue();
  }

  @Test
  void theDefaultsAreTheDocumentedRecipe() {
    FineTuning f = recipe("--data", "clinc150", "--out", "x");
    assertThat(f.teacher()).isEqualTo(FineTuning.DEFAULT_TEACHER);
    assertThat(f.teacherRecipe().encoderLearningRate()).isEqualTo(FineTuning.DEFAULT_TEACHER_LEARNING_RATE);
    assertThat(f.teacherRecipe().epochs()).isEqualTo(FineTuning.DEFAULT_TEACHER_EPOCHS);
    assertThat(f.recipe().encoderLearningRate()).isEqualTo(FineTuneConfig.DEFAULT_ENCODER_LEARNING_RATE);
    assertThat(f.augment()).isEqualTo(FineTuning.DEFAULT_AUGMENT);
    assertThat(f.recipe().frozenLayers()).isEqualTo(FineTuning.DEFAULT_MODEL_FROZEN_LAYERS).isEqualTo(1);
    FineTuning library = FineTuning.defaults();
    assertThat(f.teacherRecipe()).isEqualTo(library.teacherRecipe());
    assertThat(f.recipe()).isEqualTo(library.recipe());
    assertThat(f.augment()).isEqualTo(library.augment());
  }

  @Test
  void theTeachersRateIsItsOwn() {
    FineTuning f = recipe("--data", "clinc150", "--out", "x", "--learning-rate", "2e-4", "--teacher", "all-minilm-l6-v2",
        "--teacher-learning-rate", "1e-4", "--teacher-epochs", "1");
    assertThat(f.recipe().encoderLearningRate()).isEqualTo(2e-4);
    assertThat(f.teacherRecipe().encoderLearningRate()).isEqualTo(1e-4);
    assertThat(f.teacherRecipe().epochs()).isEqualTo(1);
    assertThat(f.teacherRecipe().headLearningRate()).isEqualTo(f.recipe().headLearningRate());
  }

  @Test
  void smallDataGetsTheStepsClinc150FullMakes() {
    FineTuning f = recipe("--data", "clinc150", "--out", "x");
    // CLINC150 Full: 15,100 texts, and as many variants for the model, in batches of 64.
    int teacherSteps = (15_100 + 63) / 64;
    int modelSteps = (30_200 + 63) / 64;
    assertThat(f.teacherRecipe().epochsFor(teacherSteps)).as("CLINC150 Full: unchanged").isEqualTo(2);
    assertThat(f.recipe().epochsFor(modelSteps)).as("CLINC150 Full: unchanged").isEqualTo(3);
    assertThat(f.teacherRecipe().minSteps() * 64).isEqualTo(FineTuneConfig.MIN_EXAMPLES_LABELLED);
    assertThat(f.recipe().minSteps() * 64).isEqualTo(FineTuneConfig.MIN_EXAMPLES_DISTILLED);
    // Half as many texts: twice the epochs.
    assertThat(f.teacherRecipe().epochsFor(teacherSteps / 2)).isEqualTo(4);
    assertThat(f.recipe().epochsFor(modelSteps / 2)).isEqualTo(6);
    FineTuning alone = recipe("--data", "clinc150", "--out", "x", "--teacher", "none", "--batch-size", "32");
    assertThat(alone.recipe().minSteps() * 32).as("no teacher: the labelled floor, in its own batches")
        .isEqualTo(FineTuneConfig.MIN_EXAMPLES_LABELLED);
    assertThat(recipe("--data", "clinc150", "--out", "x", "--epochs", "4").recipe().minSteps()).as("told").isZero();
  }

  @Test
  void theTeacherMayTakeItsOwnBatchAndKeepsTheTextsOfTheSmallDataFloor() {
    FineTuning shared = recipe("--data", "clinc150", "--out", "x");
    assertThat(shared.teacherRecipe().batchSize()).isEqualTo(shared.recipe().batchSize());
    FineTuning own = recipe("--data", "clinc150", "--out", "x", "--teacher-batch-size", "128");
    assertThat(own.teacherRecipe().batchSize()).isEqualTo(128);
    assertThat(own.recipe().batchSize()).isEqualTo(FineTuneConfig.DEFAULT_BATCH_SIZE);
    assertThat(own.teacherRecipe().minSteps() * 128)
        .isEqualTo(shared.teacherRecipe().minSteps() * FineTuneConfig.DEFAULT_BATCH_SIZE);
    assertThat(recipe("--data", "clinc150", "--out", "x", "--teacher-batch-size", "128", "--teacher-epochs", "3")
        .teacherRecipe().minSteps()).isZero();
  }

  @Test
  void withoutATeacherTheModelTrainsEveryLayerUnlessTold() {
    assertThat(recipe("--data", "clinc150", "--out", "x", "--teacher", "none").recipe().frozenLayers()).isZero();
    assertThat(recipe("--data", "clinc150", "--out", "x", "--teacher", "none", "--freeze-layers", "2").recipe().frozenLayers())
        .isEqualTo(2);
    assertThat(recipe("--data", "clinc150", "--out", "x", "--freeze-layers", "0").recipe().frozenLayers()).isZero();
  }

  @Test
  void withoutATeacherThereAreNoVariants() {
    assertThat(recipe("--data", "clinc150", "--out", "x", "--teacher", "none").augment()).isZero();
    assertThat(recipe("--data", "clinc150", "--out", "x", "--augment", "0").augment()).isZero();
    assertThat(recipe("--data", "clinc150", "--out", "x", "--augment", "2").augment()).isEqualTo(2);
  }
}
