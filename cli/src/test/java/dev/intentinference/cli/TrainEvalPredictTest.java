package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three commands end to end on a 10-intent CLINC150 slice with the real encoder: train once
 * for the class, then evaluate and predict with the written model directory.
 */
class TrainEvalPredictTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  static Path data;
  static Path model;
  static Path teacher;
  static Cli trained;

  @BeforeAll
  static void train() throws Exception {
    data = Path.of(TrainEvalPredictTest.class.getResource("/clinc10.json").toURI());
    model = tmp.resolve("clinc10");
    // The default recipe but for the number of steps: the small-data floor would give the 12-layer
    // teacher 450 steps and the model 500 (50 epochs), many times this class's time, and the
    // quality they buy is not what it checks (TrainCommandRecipeTest checks the floor). Six epochs
    // already put the model at 97% in-scope on this slice's test rows.
    teacher = tmp.resolve("clinc10-teacher");
    trained = Cli.run("train", "--quiet", "--threads", "2", "--teacher-epochs", "2", "--epochs", "6",
        "--data", data.toString(), "--out", model.toString(), "--keep-teacher", teacher.toString());
  }

  @Test
  void fineTuningLearnsAnOosClassFromOosTrain() throws Exception {
    JsonNode manifest = JSON.readTree(model.resolve("manifest.json").toFile());
    assertThat(manifest.get("labels")).hasSize(11);
    assertThat(manifest.get("labels").get(10).asText()).isEqualTo("oos");
    assertThat(manifest.at("/training/oos_class").asBoolean()).isTrue();
    assertThat(manifest.at("/training/data/train").asText()).endsWith("#train+oos_train");
  }

  /** A misaligned row (text against another text's scores) would agree about one time in eleven. */
  @Test
  void theManifestSaysHowCloselyTheModelFollowsItsTeacher() throws Exception {
    JsonNode training = JSON.readTree(model.resolve("manifest.json").toFile()).get("training");
    JsonNode agreement = training.at("/teacher/agreement");
    assertThat(agreement.get("training_texts").asInt()).isEqualTo(training.at("/sizes/train_examples").asInt());
    assertThat(agreement.get("validation_texts").asInt()).isEqualTo(training.at("/sizes/validation_in_scope").asInt());
    assertThat(agreement.get("training").asDouble()).isBetween(0.5, 1.0);
    assertThat(agreement.get("validation").asDouble()).isBetween(0.5, 1.0);
    // The run's summary says it too, so the diagnosis does not need the manifest opened.
    assertThat(trained.out()).contains(String.format(Locale.ROOT,
        "picks the teacher's intent: %.1f%% of %d training texts, %.1f%% of %d validation texts",
        agreement.get("training").asDouble() * 100, agreement.get("training_texts").asInt(),
        agreement.get("validation").asDouble() * 100, agreement.get("validation_texts").asInt()));
  }

  @Test
  void trainWritesTheModelAndReportsTimings() {
    assertThat(trained.exitCode()).as(trained.err()).isZero();
    assertThat(model.resolve("manifest.json")).exists();
    assertThat(model.resolve("head.safetensors")).exists();
    assertThat(model.resolve("tokenizer.json")).exists();
    assertThat(model.resolve("encoder.onnx")).as("the default recipe fine-tunes the encoder").exists();
    assertThat(trained.out()).contains("threshold: ").contains("validation: in-scope accuracy")
        .contains("(10 intents and an oos class,").containsPattern("fine-tuning: 320 texts, model \\d+\\.\\d s, teacher \\d+\\.\\d s\n");
  }

  @Test
  void frozenIsTheQuickRecipeWithoutAnEncoderFile() {
    Path quick = tmp.resolve("clinc10-frozen");
    Cli r = Cli.run("train", "--quiet", "--frozen", "--threads", "2", "--data", data.toString(), "--out", quick.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("texts/s").contains("head training: ");
    assertThat(quick.resolve("manifest.json")).exists();
    assertThat(quick.resolve("encoder.onnx")).doesNotExist();
    assertThat(quick.resolve("manifest.json")).content().as("the quick recipe leaves oos_train out")
        .contains("\"oos_class\" : false");
  }

  @Test
  void evalJsonReportsTheHeadlineMetrics() throws Exception {
    Cli r = Cli.run("eval", "--quiet", "--json", "--threads", "2", "--model", model.toString(), "--data", data.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode report = JSON.readTree(r.out()).get("report");
    assertThat(report.get("in_scope").asInt()).isEqualTo(150);
    assertThat(report.get("out_of_scope").asInt()).isEqualTo(30);
    assertThat(report.get("in_scope_accuracy").asDouble()).isGreaterThanOrEqualTo(0.9);
    // A rejected query can still have the right best intent, never the other way round.
    assertThat(report.get("in_scope_top1").asDouble()).isGreaterThanOrEqualTo(report.get("in_scope_accuracy").asDouble());
    assertThat(report.get("oos_recall").asDouble()).isBetween(0.0, 1.0);
    assertThat(report.get("worst_intents")).hasSize(10);
    assertThat(report.get("most_confused").size()).isBetween(1, 10);
  }

  /** Rows the model cannot answer right (ATIS's test has five): scored, and named in one warning line. */
  @Test
  void evalNamesEveryLabelTheModelDoesNotKnowInOneLine() throws Exception {
    Path tiny = TinyModel.write(tmp.resolve("tiny-labels"), "tiny", "1");
    Path csv = Files.writeString(tmp.resolve("unknown-labels.csv"), "text,intent\nwhat is my balance,balance\n"
        + "book a flight to paris,travel\nbook a hotel,travel\nplay a song,music\nchange my address,update_address\n");
    Cli r = Cli.run("eval", "--quiet", "--json", "--model", tiny.toString(), "--data", csv.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err().lines().filter(l -> l.contains("warning"))).containsExactly("intent: warning: 2 labels are not "
        + "among the model's intents: 'travel' (2 rows), 'music' (1 row); those 3 rows are scored as wrong");
    JsonNode report = JSON.readTree(r.out()).get("report");
    assertThat(report.get("in_scope").asInt()).isEqualTo(5);
    assertThat(report.get("in_scope_top1").asDouble()).isLessThanOrEqualTo(0.4);
    Path one = Files.writeString(tmp.resolve("one-unknown.csv"), "text,intent\nwhat is my balance,balance\nplay a song,music\n");
    Cli single = Cli.run("eval", "--quiet", "--model", tiny.toString(), "--data", one.toString());
    assertThat(single.err()).contains("intent: warning: label 'music' (1 row) is not one of the model's intents; "
        + "that row is scored as wrong");
    StringBuilder many = new StringBuilder("text,intent\n");
    for (int i = 1; i <= 7; i++) {
      many.append("text number ").append(i).append(",label").append(i).append('\n');
    }
    Cli seven = Cli.run("eval", "--quiet", "--model", tiny.toString(),
        "--data", Files.writeString(tmp.resolve("seven-unknown.csv"), many).toString());
    assertThat(seven.err()).contains("7 labels are not among the model's intents: 'label1' (1 row), ")
        .contains("'label5' (1 row) and 2 more; those 7 rows are scored as wrong").doesNotContain("label6");
  }

  @Test
  void evalTableIsReadable() {
    Cli r = Cli.run("eval", "--quiet", "--threads", "2", "--model", model.toString(), "--data", data.toString(),
        "--split", "val,oos_val");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("100 queries: 80 in scope, 20 out of scope")
        .contains("in-scope accuracy").contains("in-scope top-1").contains("out-of-scope recall").contains("macro-F1")
        .contains("worst intents by F1").contains("most confused");
  }

  @Test
  void predictPrintsTopKAndTheDecision() {
    Cli r = Cli.run("predict", "--threads", "2", "--top-k", "2", "--model", model.toString(), "what is my account balance");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("-> balance");
    assertThat(r.out().lines().filter(l -> l.startsWith("     "))).hasSize(2);
  }

  @Test
  void predictJsonReadsStdinOneMessagePerLine() throws Exception {
    InputStream saved = System.in;
    try {
      System.setIn(new ByteArrayInputStream("wake me up at six\n\nwhat's the weather in paris\n".getBytes(StandardCharsets.UTF_8)));
      Cli r = Cli.run("predict", "--json", "--threads", "2", "--model", model.toString(), "-");
      assertThat(r.exitCode()).as(r.err()).isZero();
      List<String> lines = r.out().lines().toList();
      assertThat(lines).hasSize(2);
      JsonNode first = JSON.readTree(lines.get(0));
      assertThat(first.get("text").asText()).isEqualTo("wake me up at six");
      assertThat(first.get("intent").asText()).isEqualTo("alarm");
      assertThat(first.has("out_of_scope")).isTrue();
      assertThat(first.get("top")).hasSize(3);
      assertThat(first.get("model_version").asText()).isEqualTo("1");
      assertThat(JSON.readTree(lines.get(1)).get("intent").asText()).isEqualTo("weather");
    } finally {
      System.setIn(saved);
    }
  }

  /** "@name" is a message like any other, even when a file of that name exists: no argument file is read. */
  @Test
  void aMessageStartingWithAtIsNotAnArgumentFile() throws Exception {
    Path file = Files.writeString(tmp.resolve("home"), "--version\n");
    Cli r = Cli.run("predict", "--json", "--threads", "2", "--model", model.toString(), "@" + file);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out().lines()).hasSize(1);
    assertThat(JSON.readTree(r.out()).get("text").asText()).isEqualTo("@" + file);
  }

  @Test
  void badModelPathIsOneLineAndExitTwo() {
    Cli r = Cli.run("predict", "--model", tmp.resolve("nothing").toString(), "hello");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().lines()).hasSize(1);
    Cli e = Cli.run("eval", "--model", model.toString(), "--data", tmp.resolve("missing.json").toString());
    assertThat(e.exitCode()).isEqualTo(2);
    assertThat(e.err()).contains("no such file");
    assertThat(Files.exists(model)).isTrue();
  }

  @Test
  void threadsOutOfRangeAndStdinThatIsNotUtf8AreOneLineAndExitTwo() {
    for (String command : new String[] {"predict", "eval"}) {
      Cli r = command.equals("predict") ? Cli.run("predict", "--threads", "0", "--model", model.toString(), "hello")
          : Cli.run("eval", "--threads", "999", "--model", model.toString(), "--data", data.toString());
      assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
      assertThat(r.err().strip()).startsWith("intent: --threads must be in 1..256, was").doesNotContain("\n");
    }
    Path csv;
    try {
      csv = Files.writeString(tmp.resolve("few.csv"), "text,intent\nwake me up at six,alarm\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Cli split = Cli.run("eval", "--threads", "2", "--model", model.toString(), "--data", csv.toString(), "--split", "test");
    assertThat(split.exitCode()).isEqualTo(2);
    assertThat(split.err()).contains("--split: only for CLINC150 JSON data");
    // no out-of-scope query: nothing to measure is null in JSON, not the string "NaN"
    Cli noOos = Cli.run("eval", "--quiet", "--json", "--threads", "2", "--model", model.toString(), "--data", csv.toString());
    assertThat(noOos.exitCode()).as(noOos.err()).isZero();
    assertThat(noOos.out()).contains("\"oos_recall\" : null").doesNotContain("NaN");
    InputStream saved = System.in;
    try {
      System.setIn(new ByteArrayInputStream(new byte[] {'h', 'i', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n'}));
      Cli r = Cli.run("predict", "--json", "--threads", "2", "--batch-size", "1", "--model", model.toString(), "-");
      assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
      assertThat(r.err().strip()).isEqualTo("intent: stdin line 2: not valid UTF-8 (the lines before it were answered)");
      assertThat(r.out().lines()).hasSize(1);
    } finally {
      System.setIn(saved);
    }
  }

  /**
   * A quick frozen model in front of the class's fine-tuned one. At the extremes the cascade must
   * give exactly one model's report; in between, it says how many queries the fallback answered.
   */
  @Test
  void evalAndPredictWithAFallbackModel() throws Exception {
    Path quick = tmp.resolve("clinc10-frozen-oos");
    Cli t = Cli.run("train", "--quiet", "--frozen", "--oos-class", "--threads", "2", "--data", data.toString(),
        "--out", quick.toString());
    assertThat(t.exitCode()).as(t.err()).isZero();
    JsonNode alone = evalJson(quick);
    JsonNode never = evalJson(quick, "--fallback", model.toString(), "--escalate-below", "0");
    JsonNode always = evalJson(quick, "--fallback", model.toString(), "--escalate-below", "1");
    assertThat(never.get("report")).isEqualTo(alone.get("report"));
    assertThat(never.at("/model/cascade/escalated").asInt()).isZero();
    assertThat(always.get("report")).isEqualTo(evalJson(model).get("report"));
    assertThat(always.at("/model/cascade/escalated").asInt()).isEqualTo(180);
    assertThat(always.at("/model/cascade/fallback").asText()).isEqualTo("clinc10");

    JsonNode some = evalJson(quick, "--fallback", model.toString());
    assertThat(some.at("/model/cascade/escalate_below").asDouble()).isEqualTo(CascadeOptions.DEFAULT_ESCALATE_BELOW);
    assertThat(some.at("/model/cascade/escalated_share").asDouble())
        .isEqualTo(some.at("/model/cascade/escalated").asInt() / 180.0);
    Cli table = Cli.run("eval", "--quiet", "--threads", "2", "--model", quick.toString(), "--fallback", model.toString(),
        "--escalate-below", "1", "--data", data.toString());
    assertThat(table.out()).contains("fallback clinc10 version 1").contains("answered 180 queries (100.00%)");

    Cli p = Cli.run("predict", "--json", "--threads", "2", "--model", quick.toString(), "--fallback", model.toString(),
        "--escalate-below", "1", "what is my account balance");
    assertThat(p.exitCode()).as(p.err()).isZero();
    assertThat(JSON.readTree(p.out()).get("answered_by_fallback").asBoolean()).isTrue();
    Cli firstOnly = Cli.run("predict", "--threads", "2", "--model", quick.toString(), "--fallback", model.toString(),
        "--escalate-below", "0", "what is my account balance");
    assertThat(firstOnly.out()).contains("-> balance").doesNotContain("fallback");
  }

  /** The teacher the run kept is a model of the same intents, ready to stand behind the model. */
  @Test
  void theKeptTeacherAnswersAsTheFallback() throws Exception {
    assertThat(trained.out()).contains("teacher: " + teacher);
    JsonNode alone = evalJson(teacher);
    assertThat(alone.at("/model/name").asText()).isEqualTo("clinc10-teacher");
    JsonNode behind = evalJson(model, "--fallback", teacher.toString(), "--escalate-below", "1");
    assertThat(behind.get("report")).isEqualTo(alone.get("report"));
    assertThat(JSON.readTree(model.resolve("manifest.json").toFile()).at("/training/teacher/kept").asText())
        .isEqualTo(teacher.toString());
  }

  @Test
  void badCascadeOptionsAreOneLineAndExitTwo() {
    Path tiny = TinyModel.write(tmp.resolve("tiny-cascade"), "tiny", "1");
    Cli noFallback = Cli.run("eval", "--model", model.toString(), "--escalate-below", "0.5", "--data", data.toString());
    assertThat(noFallback.exitCode()).isEqualTo(2);
    assertThat(noFallback.err()).contains("--escalate-below needs --fallback");
    Cli range = Cli.run("predict", "--model", model.toString(), "--fallback", model.toString(), "--escalate-below", "1.5", "hi");
    assertThat(range.exitCode()).isEqualTo(2);
    assertThat(range.err()).contains("--escalate-below must be in [0, 1]");
    Cli otherIntents = Cli.run("predict", "--model", model.toString(), "--fallback", tiny.toString(), "hi");
    assertThat(otherIntents.exitCode()).isEqualTo(2);
    assertThat(otherIntents.err()).contains("intents differ").hasLineCount(1);
  }

  private static JsonNode evalJson(Path first, String... more) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("eval", "--quiet", "--json", "--threads", "2",
        "--model", first.toString(), "--data", data.toString()));
    args.addAll(List.of(more));
    Cli r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.err()).isZero();
    return JSON.readTree(r.out());
  }
}
