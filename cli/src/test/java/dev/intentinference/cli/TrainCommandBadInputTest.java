package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad training input ends with one line naming the problem, exit code 2 and no
 * model directory (not even a partial or temporary one). All fail before an encoder is loaded or
 * a step is trained; they run the default (fine-tuning) recipe unless they say --frozen.
 */
class TrainCommandBadInputTest {
  @TempDir Path tmp;

  private static final String GOOD_ROWS = "what's my balance,balance\nhow much money do i have,balance\n"
      + "send 20 dollars to bob,transfer\nmove money to savings,transfer\n";

  private Path file(String name, String content) throws Exception {
    return Files.writeString(tmp.resolve(name), content);
  }

  /** Runs train and checks the common contract; returns the single error line. */
  private String failTraining(String... extra) throws Exception {
    Path out = tmp.resolve("model");
    String[] args = Stream.concat(Stream.of("train", "--quiet", "--out", out.toString()), Stream.of(extra))
        .toArray(String[]::new);
    Cli r = Cli.run(args);
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.err().lines()).as("stderr is one line: %s", r.err()).hasSize(1);
    assertThat(r.err()).startsWith("intent: ").doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(out).doesNotExist();
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".model"));
    }
    return r.err().strip();
  }

  @Test
  void missingFile() throws Exception {
    assertThat(failTraining("--data", tmp.resolve("nope.csv").toString())).contains("nope.csv: no such file");
  }

  @Test
  void unknownFormat() throws Exception {
    Path xml = file("data.xml", "<rows/>");
    assertThat(failTraining("--data", xml.toString())).contains("data.xml: unknown data format");
  }

  @Test
  void malformedCsvRowNamesFileAndLine() throws Exception {
    Path csv = file("bad.csv", "text,intent\n" + "hello there,greet,extra\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString())).contains("bad.csv:2").contains("malformed row");
  }

  @Test
  void malformedJsonLineNamesFileAndLine() throws Exception {
    Path jsonl = file("bad.jsonl", "{\"text\":\"hi\",\"intent\":\"greet\"}\n{\"text\": oops}\n");
    assertThat(failTraining("--data", jsonl.toString())).contains("bad.jsonl:2").contains("malformed JSON");
  }

  @Test
  void augmentWithoutATeacher() throws Exception {
    Path csv = file("good.csv", "text,intent\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString(), "--teacher", "none", "--augment", "1"))
        .contains("--augment needs a teacher");
    assertThat(failTraining("--data", csv.toString(), "--augment", "9")).contains("augment must be in 0..8");
  }

  @Test
  void keepTeacherWithoutATeacherToKeep() throws Exception {
    Path csv = file("keep.csv", "text,intent\n" + GOOD_ROWS);
    String kept = tmp.resolve("kept").toString();
    assertThat(failTraining("--data", csv.toString(), "--teacher", "none", "--keep-teacher", kept))
        .contains("--keep-teacher writes the teacher this run trains; with --teacher none it trains none");
    assertThat(failTraining("--data", csv.toString(), "--frozen", "--keep-teacher", kept))
        .contains("--keep-teacher needs fine-tuning with a teacher");
    assertThat(failTraining("--data", csv.toString(), "--keep-teacher", tmp.resolve("model").toString()))
        .contains("--keep-teacher must name another directory than --out");
    // Inside --out, it would be written first and make --out not empty: the model failed after all training.
    assertThat(failTraining("--data", csv.toString(), "--keep-teacher", tmp.resolve("model/teacher").toString()))
        .contains("must not lie inside one another");
    java.nio.file.Files.createDirectories(tmp.resolve("taken"));
    java.nio.file.Files.writeString(tmp.resolve("taken/x"), "x");
    assertThat(failTraining("--data", csv.toString(), "--keep-teacher", tmp.resolve("taken").toString()))
        .contains("choose another --keep-teacher or remove it");
    assertThat(tmp.resolve("kept")).doesNotExist();
  }

  @Test
  void aFileSystemRootAsOutIsNamed() throws Exception {
    Path csv = file("root.csv", "text,intent\n" + GOOD_ROWS);
    Cli r = Cli.run("train", "--quiet", "--frozen", "--data", csv.toString(), "--out", "/");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("intent: --out /: a file system root, not a model directory to create");
  }

  @Test
  void emptyText() throws Exception {
    Path csv = file("empty-text.csv", "text,intent\n" + GOOD_ROWS + " ,balance\n");
    assertThat(failTraining("--data", csv.toString())).contains("empty-text.csv:6: empty text");
  }

  @Test
  void emptyTextWithTheFrozenRecipeToo() throws Exception {
    Path csv = file("empty-text.csv", "text,intent\n" + GOOD_ROWS + " ,balance\n");
    assertThat(failTraining("--frozen", "--data", csv.toString())).contains("empty-text.csv:6: empty text");
  }

  @Test
  void oneIntentOnly() throws Exception {
    Path csv = file("one.csv", "text,intent\nwhat's my balance,balance\nhow much money do i have,balance\n"
        + "balance please,balance\n");
    assertThat(failTraining("--data", csv.toString())).contains("need at least 2 intents").contains("[balance]");
  }

  @Test
  void tooLittleMemory() throws Exception {
    Path csv = file("ok.csv", "text,intent\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString(), "--memory-limit", "64M"))
        .contains("too little memory").contains("64 MB").contains("--batch-size");
  }

  @Test
  void aTrainingLengthOutOfRange() throws Exception {
    Path csv = file("ok.csv", "text,intent\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString(), "--max-tokens", "4"))
        .contains("--max-tokens must be 0 (whole texts) or in 8..512, was 4");
  }

  @Test
  void aMemoryLimitThatIsNoSize() throws Exception {
    Path csv = file("ok.csv", "text,intent\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString(), "--memory-limit", "lots")).contains("--memory-limit lots: not a size");
  }

  @Test
  void fineTuningAnInt8EncoderNamesTheFp32One() throws Exception {
    Path csv = file("ok.csv", "text,intent\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString(), "--encoder", "bge-small-en-v1.5-q"))
        .contains("needs fp32 weights").contains("use bge-small-en-v1.5 ");
  }

  @Test
  void fineTuningTwoEncodersIsRefused() throws Exception {
    Path csv = file("ok.csv", "text,intent\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString(), "--encoder", "all-minilm-l6-v2,bge-small-en-v1.5"))
        .contains("fine-tuning trains one encoder");
  }

  @Test
  void anUnknownTeacher() throws Exception {
    Path csv = file("ok.csv", "text,intent\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString(), "--teacher", "bert-large")).contains("unknown encoder 'bert-large'");
  }

  @Test
  void emptyLabel() throws Exception {
    Path csv = file("empty-label.csv", "text,intent\nhello,\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString())).contains("empty-label.csv:2: empty intent label");
  }

  @Test
  void classWithFewerThanTwoExamples() throws Exception {
    Path csv = file("lonely.csv", "text,intent\n" + GOOD_ROWS + "hi there,greet\n");
    assertThat(failTraining("--data", csv.toString())).contains("intent 'greet' has only 1 training example");
  }

  @Test
  void validationLabelUnknownToTraining() throws Exception {
    Path train = file("train.csv", "text,intent\n" + GOOD_ROWS);
    Path val = file("val.csv", "text,intent\nbalance please,balance\nbook a table,restaurant_reservation\n");
    assertThat(failTraining("--data", train.toString(), "--val", val.toString()))
        .contains("val.csv:3").contains("'restaurant_reservation' does not occur in the training data");
  }

  @Test
  void missingColumnSuggestsTheOptions() throws Exception {
    Path csv = file("cols.csv", "utterance,label\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString())).contains("no column 'text'").contains("--text-column");
  }

  @Test
  void invalidHyperparameterNamesTheValue() throws Exception {
    Path csv = file("ok.csv", "text,intent\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString(), "--dropout", "1.5")).contains("--dropout must be in").contains("1.5");
    // the checks inside the training records name the flag, not their own field
    assertThat(failTraining("--data", csv.toString(), "--frozen", "--epochs", "0")).contains("--epochs must be in 1..1000, was 0");
    assertThat(failTraining("--data", csv.toString(), "--threads", "0")).contains("--threads must be in 1..256, was 0");
    assertThat(failTraining("--data", csv.toString(), "--holdout", "0.9")).contains("--holdout must be in (0, 0.5], was 0.9");
    assertThat(failTraining("--data", csv.toString(), "--teacher-learning-rate", "2"))
        .contains("--teacher-learning-rate").contains("2.0");
    assertThat(failTraining("--data", csv.toString(), "--teacher-freeze-layers", "-1"))
        .contains("--teacher-freeze-layers must be in 0..48, was -1");
    assertThat(failTraining("--data", csv.toString(), "--teacher-batch-size", "0"))
        .contains("--teacher-batch-size must be in 1..4096, was 0");
    assertThat(failTraining("--data", csv.toString(), "--ffn-width", "0")).contains("--ffn-width must be in 1..16384, was 0");
  }

  @Test
  void aFeedForwardWidthTheEncoderCannotGiveOrThatNothingTrains() throws Exception {
    Path csv = file("ok.csv", "text,intent\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString(), "--ffn-width", "2000", "--teacher", "none"))
        .contains("--ffn-width 2000: a feed-forward width of 2000 is more than layer 0's 1536 units (all-minilm-l6-v2@0-3)");
    assertThat(failTraining("--data", csv.toString(), "--ffn-width", "512", "--frozen"))
        .contains("--ffn-width cuts layers that fine-tuning trains; --frozen trains none");
  }

  @Test
  void startLayersTheEncoderCannotGiveOrThatNothingTrains() throws Exception {
    Path csv = file("ok.csv", "text,intent\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString(), "--start-layers", "0,3", "--teacher", "none"))
        .contains("--start-layers 0,3 names 2 layers; all-minilm-l6-v2@0-3 runs 3 (give one shipped layer for each)");
    assertThat(failTraining("--data", csv.toString(), "--start-layers", "0,3,6", "--teacher", "none"))
        .contains("--start-layers 0,3,6: layer 6 is not one of the encoder's (0..5) (all-minilm-l6-v2@0-3)");
    Cli notANumber = Cli.run("train", "--quiet", "--out", tmp.resolve("model").toString(), "--data", csv.toString(),
        "--start-layers", "0,x,5");
    assertThat(notANumber.exitCode()).isEqualTo(2);
    assertThat(notANumber.err()).contains("Invalid value for option '--start-layers' (L,L,...): 'x' is not an int")
        .doesNotContain("Exception");
    assertThat(failTraining("--data", csv.toString(), "--start-layers", "0,3,5", "--frozen"))
        .contains("--start-layers chooses where fine-tuned layers start; --frozen trains none");
  }

  @Test
  void existingNonEmptyOutputIsRefusedAndKept() throws Exception {
    Path csv = file("ok.csv", "text,intent\n" + GOOD_ROWS);
    Path out = Files.createDirectories(tmp.resolve("taken"));
    Files.writeString(out.resolve("keep.txt"), "precious");
    Cli r = Cli.run("train", "--quiet", "--data", csv.toString(), "--out", out.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("already exists");
    assertThat(Files.readString(out.resolve("keep.txt"))).isEqualTo("precious");
  }

  /** An --out that could never be written is found before any training, not after it. */
  @Test
  void anOutputThatCannotBeWrittenIsRefusedBeforeTraining() throws Exception {
    Path csv = file("ok.csv", "text,intent\n" + GOOD_ROWS);
    Path plain = file("plain.txt", "precious");
    Cli aFile = Cli.run("train", "--quiet", "--data", csv.toString(), "--out", plain.toString());
    assertThat(aFile.exitCode()).isEqualTo(2);
    assertThat(aFile.err().strip()).endsWith("plain.txt: is a file; --out names a model directory to create");
    Cli underAFile = Cli.run("train", "--quiet", "--data", csv.toString(), "--out", plain.resolve("model").toString());
    assertThat(underAFile.exitCode()).isEqualTo(2);
    assertThat(underAFile.err().strip()).endsWith("plain.txt is a file, not a directory").doesNotContain("\n");
    Cli empty = Cli.run("train", "--quiet", "--data", csv.toString(), "--out", "");
    assertThat(empty.exitCode()).isEqualTo(2);
    assertThat(empty.err()).contains("--out is empty");
    assertThat(Files.readString(plain)).isEqualTo("precious");
  }

  /** An option the chosen recipe never reads is refused, rather than silently ignored. */
  @Test
  void optionsOfTheOtherRecipeAreRefused() throws Exception {
    Path csv = file("ok.csv", "text,intent\n" + GOOD_ROWS);
    assertThat(failTraining("--data", csv.toString(), "--frozen", "--max-tokens", "-1"))
        .contains("--max-tokens is for fine-tuning; --frozen trains no encoder (drop one of the two)");
    assertThat(failTraining("--data", csv.toString(), "--frozen", "--memory-limit", "abc")).contains("--memory-limit is for fine-tuning");
    assertThat(failTraining("--data", csv.toString(), "--hidden-units", "64"))
        .contains("--hidden-units is for the frozen recipe only; add --frozen or drop it");
  }
}
