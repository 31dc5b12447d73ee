package dev.intentinference.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.LabeledText;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingDataTest {
  @TempDir Path tmp;

  private Path csv(String name, String content) throws Exception {
    return Files.writeString(tmp.resolve(name), content);
  }

  @Test
  void holdsOutAStratifiedSliceAndKeepsOosRowsForTheThreshold() throws Exception {
    StringBuilder s = new StringBuilder("text,intent\n");
    for (int i = 0; i < 20; i++) {
      s.append("balance question ").append(i).append(",balance\n");
      s.append("transfer question ").append(i).append(",transfer\n");
    }
    s.append("what is love,oos\nsing me a song,oos\n");
    TrainingData d = TrainingData.load(csv("d.csv", s.toString()), null, Columns.DEFAULT, false, 0.25, 1);
    assertThat(d.labels()).containsExactly("balance", "transfer");
    assertThat(d.train()).hasSize(30).noneMatch(LabeledText::isOutOfScope);
    assertThat(d.validation()).hasSize(12);
    assertThat(d.validation().stream().filter(v -> v.intent().equals("balance"))).hasSize(5);
    assertThat(d.validation().stream().filter(LabeledText::isOutOfScope)).hasSize(2);
    assertThat(d.sources().get("validation")).contains("stratified 25%");
  }

  @Test
  void copiesOfATextAreHeldOutTogetherAndWithoutCopiesTheSliceIsTheRowShuffle() throws Exception {
    StringBuilder once = new StringBuilder("text,intent\n");
    StringBuilder thrice = new StringBuilder("text,intent\n");
    for (int i = 0; i < 20; i++) {
      for (String row : new String[] {"balance question " + i + ",balance\n", "transfer question " + i + ",transfer\n"}) {
        once.append(row);
        thrice.append(row.repeat(3));
      }
    }
    TrainingData d1 = TrainingData.load(csv("once.csv", once.toString()), null, Columns.DEFAULT, false, 0.25, 42);
    TrainingData d3 = TrainingData.load(csv("thrice.csv", thrice.toString()), null, Columns.DEFAULT, false, 0.25, 42);
    java.util.Set<String> learnt = new java.util.HashSet<>();
    d3.train().forEach(t -> learnt.add(t.text()));
    assertThat(d3.validation()).hasSize(30).noneMatch(v -> learnt.contains(v.text()));
    // The same texts are held out whether or not they were copied (the copies only repeat them).
    assertThat(d3.validation().stream().map(LabeledText::text).distinct().toList())
        .containsExactlyElementsOf(d1.validation().stream().map(LabeledText::text).toList());
    // Without copies: the rows a plain shuffle of each class picks, as before texts were grouped.
    java.util.Random random = new java.util.Random(42);
    java.util.List<String> expected = new java.util.ArrayList<>();
    for (String label : new String[] {"balance", "transfer"}) {
      java.util.List<String> rows = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        rows.add(label + " question " + i);
      }
      java.util.Collections.shuffle(rows, random);
      expected.addAll(rows.subList(0, 5));
    }
    assertThat(d1.validation().stream().map(LabeledText::text).toList()).containsExactlyElementsOf(expected);
  }

  @Test
  void theTrainingFileAsValidationIsRefused() throws Exception {
    Path data = csv("same.csv", "text,intent\na1,a\na2,a\na3,a\nb1,b\nb2,b\nb3,b\n");
    assertThatThrownBy(() -> TrainingData.load(data, data, Columns.DEFAULT, false, 0.15, 42))
        .isInstanceOf(IntentException.class).hasMessageContaining("is the training file");
  }

  @Test
  void anExplicitOosClassIsTrainedOnlyWhenAsked() throws Exception {
    Path data = csv("oos.csv", "text,intent\na1,a\na2,a\na3,a\nb1,b\nb2,b\nb3,b\nx1,oos\nx2,oos\nx3,oos\n");
    Path val = csv("val.csv", "text,intent\na4,a\nb4,b\nx4,oos\n");
    TrainingData asked = TrainingData.load(data, val, Columns.DEFAULT, true, 0.2, 1);
    assertThat(asked.labels()).containsExactly("a", "b", "oos");
    assertThat(asked.train()).hasSize(9);
    TrainingData plain = TrainingData.load(data, val, Columns.DEFAULT, false, 0.2, 1);
    assertThat(plain.labels()).containsExactly("a", "b");
    assertThat(plain.train()).hasSize(6).noneMatch(LabeledText::isOutOfScope);
    assertThat(plain.validation()).hasSize(3);
  }

  @Test
  void oneOutOfScopeRowIsNoClassAndJoinsTheHeldOutSlice() throws Exception {
    Path data = csv("one-oos.csv", "text,intent\na1,a\na2,a\na3,a\nb1,b\nb2,b\nb3,b\nx1,oos\n");
    TrainingData d = TrainingData.load(data, null, Columns.DEFAULT, true, 0.34, 1);
    assertThat(d.labels()).containsExactly("a", "b");
    assertThat(d.hasOosClass()).isFalse();
    assertThat(d.train()).noneMatch(LabeledText::isOutOfScope);
    assertThat(d.validation()).filteredOn(LabeledText::isOutOfScope).hasSize(1);
  }

  @Test
  void clincOosTrainIsAClassWhenAskedAndPresent() throws Exception {
    String splits = "\"train\": [[\"a1\", \"a\"], [\"a2\", \"a\"], [\"b1\", \"b\"], [\"b2\", \"b\"]], "
        + "\"val\": [[\"a3\", \"a\"], [\"b3\", \"b\"]], \"oos_val\": [[\"x3\", \"oos\"]]";
    Path with = csv("with.json", "{" + splits + ", \"oos_train\": [[\"x1\", \"oos\"], [\"x2\", \"oos\"]]}");
    TrainingData asked = TrainingData.load(with, null, Columns.DEFAULT, true, 0.2, 1);
    assertThat(asked.hasOosClass()).isTrue();
    assertThat(asked.labels()).containsExactly("a", "b", "oos");
    assertThat(asked.sources().get("train")).isEqualTo("with.json#train+oos_train");
    assertThat(TrainingData.load(with, null, Columns.DEFAULT, false, 0.2, 1).hasOosClass()).isFalse();
    Path without = csv("without.json", "{" + splits + "}");
    TrainingData none = TrainingData.load(without, null, Columns.DEFAULT, true, 0.2, 1);
    assertThat(none.hasOosClass()).isFalse();
    assertThat(none.labels()).containsExactly("a", "b");
    assertThat(none.sources().get("train")).isEqualTo("without.json#train");
  }

  @Test
  void rejectsClassesWithOneExampleAndUnknownValidationLabels() throws Exception {
    Path one = csv("one.csv", "text,intent\na,x\nb,x\nc,y\n");
    assertThatThrownBy(() -> TrainingData.load(one, null, Columns.DEFAULT, false, 0.2, 1))
        .isInstanceOf(IntentException.class).hasMessageContaining("'y' has only 1 training example");
    Path train = csv("t.csv", "text,intent\na,x\nb,x\nc,y\nd,y\n");
    Path val = csv("v.csv", "text,intent\ne,x\nf,z\n");
    assertThatThrownBy(() -> TrainingData.load(train, val, Columns.DEFAULT, false, 0.2, 1))
        .isInstanceOf(IntentException.class).hasMessageContaining("v.csv:3").hasMessageContaining("'z'");
  }

  @Test
  void namesEveryProblemIntentInOneMessage() throws Exception {
    Path lonely = csv("lonely.csv", "text,intent\na,x\nb,x\nc,y\nd,z\ne,w\n");
    assertThatThrownBy(() -> TrainingData.load(lonely, null, Columns.DEFAULT, false, 0.2, 1))
        .isInstanceOf(IntentException.class)
        .hasMessage("3 intents have only 1 training example ('w' at " + lonely + ":6, 'y' at " + lonely + ":4, "
            + "'z' at " + lonely + ":5); every intent needs at least 2");
    Path train = csv("t2.csv", "text,intent\na,x\nb,x\nc,y\nd,y\n");
    Path val = csv("v2.csv", "text,intent\ne,x\nf,q\ng,r\nh,q\n");
    assertThatThrownBy(() -> TrainingData.load(train, val, Columns.DEFAULT, false, 0.2, 1))
        .isInstanceOf(IntentException.class)
        .hasMessage("2 validation labels do not occur in the training data ('q' at " + val + ":3 (2 rows), "
            + "'r' at " + val + ":4); drop those rows or add training examples for them");
    Path seven = csv("seven.csv", "text,intent\na,x\nb,x\nc,l1\nd,l2\ne,l3\nf,l4\ng,l5\nh,l6\ni,l7\n");
    assertThatThrownBy(() -> TrainingData.load(seven, null, Columns.DEFAULT, false, 0.2, 1))
        .hasMessageStartingWith("7 intents have only 1 training example ('l1' at ")
        .hasMessageContaining("'l5' at " + seven + ":8 and 2 more); every intent").hasMessageNotContaining("'l6'");
  }
}
