package dev.intentinference.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.LabeledText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {
  @TempDir Path tmp;
  final DatasetReader reader = new DatasetReader(Columns.DEFAULT);

  Path write(String name, String content) throws Exception {
    return Files.writeString(tmp.resolve(name), content);
  }

  @Test
  void readsClincSplits() throws Exception {
    Path f = write("d.json", "{\"train\": [[\"hi there\", \"greet\"]], \"oos_val\": [[\"buy a boat\", \"oos\"]]}");
    Map<String, List<LabeledText>> splits = reader.readSplits(f);
    assertThat(splits).containsOnlyKeys("train", "oos_val");
    assertThat(splits.get("oos_val").get(0).isOutOfScope()).isTrue();
    assertThat(reader.read(f, "train")).extracting(LabeledText::intent).containsExactly("greet");
  }

  @Test
  void readsCsvTsvAndJsonLinesWithChosenColumns() throws Exception {
    assertThat(reader.read(write("a.csv", "text,intent\n\"hello, you\",greet\nbye,leave\n")))
        .extracting(LabeledText::text).containsExactly("hello, you", "bye");
    assertThat(reader.read(write("a.tsv", "intent\ttext\ngreet\thello\n")))
        .extracting(LabeledText::intent).containsExactly("greet");
    assertThat(new DatasetReader(new Columns("utterance", "label")).read(write("a.jsonl",
        "{\"utterance\":\"hi\",\"label\":\"greet\"}\n\n{\"utterance\":\"bye\",\"label\":\"leave\"}\n")))
        .hasSize(2);
  }

  @Test
  void readsFilesAsSpreadsheetsSaveThem() throws Exception {
    String bom = "\uFEFF";
    List<String> texts = List.of("hello, you", "bye");
    // Excel's "CSV UTF-8": a byte-order mark and CRLF line ends; an editor's blank lines, also mid-file
    assertThat(reader.read(write("bom.csv", bom + "text,intent\r\n\"hello, you\",greet\r\n\r\nbye,leave\r\n\r\n\r\n")))
        .extracting(LabeledText::text).isEqualTo(texts);
    // a semicolon-separated "CSV" as many locales save it, with the header capitalised
    assertThat(reader.read(write("semi.csv", "Text;Intent\nhello, you;greet\nbye;leave\n")))
        .extracting(LabeledText::intent).containsExactly("greet", "leave");
    assertThat(reader.read(write("tabs.csv", "text\t Intent \nhello, you\tgreet\nbye\tleave\n")))
        .extracting(LabeledText::text).isEqualTo(texts);
    assertThat(reader.read(write("bom.jsonl", bom + "{\"text\":\"bye\",\"intent\":\"leave\"}\n")))
        .extracting(LabeledText::intent).containsExactly("leave");
    assertThat(reader.readSplits(write("bom.json", bom + "{\"train\": [[\"bye\", \"leave\"]]}")))
        .containsOnlyKeys("train");
    // an exact name still wins over one that differs in case, and a row after blank lines keeps its line
    assertThat(reader.read(write("both.csv", "Text,text,intent\nA,a,greet\n")))
        .extracting(LabeledText::text).containsExactly("a");
    assertThatThrownBy(() -> reader.read(write("gap.csv", "text,intent\nhello,greet\n\n\n ,greet\n")))
        .hasMessageContaining("gap.csv:5: empty text");
    assertThatThrownBy(() -> reader.read(write("two.csv", "Text,TEXT,intent\na,b,greet\n")))
        .hasMessageContaining("columns [Text, TEXT] all match 'text'");
    assertThatThrownBy(() -> reader.read(write("blank.csv", "text,intent\n\n\n")))
        .hasMessageContaining("blank.csv: no rows");
  }

  /** A .tsv has no quoting: a quote is a character, and a lone one cannot swallow the rows after it. */
  @Test
  void tabSeparatedFilesReadQuotesAsCharacters() throws Exception {
    List<LabeledText> rows = reader.read(write("q.tsv", "text\tintent\n\"hi\tgreet\n\"Hello\" there\tgreet\nciao \"\tbye\nsee you\tbye\n"));
    assertThat(rows).extracting(LabeledText::text).containsExactly("\"hi", "\"Hello\" there", "ciao \"", "see you");
    // while a .csv keeps CSV's quoting, also when its separator is a tab
    assertThat(reader.read(write("t.csv", "text\tintent\n\"a\tb\"\tgreet\n"))).extracting(LabeledText::text).containsExactly("a\tb");
  }

  @Test
  void jsonLinesTakeNumericLabelsAndRefuseInvisibleOnes() throws Exception {
    assertThat(reader.read(write("n.jsonl", "{\"text\":\"hi\",\"intent\":3}\n"))).extracting(LabeledText::intent).containsExactly("3");
    assertThatThrownBy(() -> reader.read(write("o.jsonl", "{\"text\":{\"a\":1},\"intent\":\"g\"}\n")))
        .hasMessageContaining("o.jsonl:1: text field 'text' must be a string, was object");
    assertThatThrownBy(() -> reader.read(write("z.csv", "text,intent\nhello,\u200b\u00a0\n"))).hasMessageContaining("z.csv:2: empty intent label");
    assertThat(reader.read(write("oos.csv", "text,intent\nbuy a boat,OOS\nsing,Oos \n"))).allMatch(LabeledText::isOutOfScope);
  }

  @Test
  void headerQuirksAndShortRowsAreNamedWhereTheyAre() throws Exception {
    // a stray unnamed last column, as a sheet leaves it, is a column like any other
    assertThat(reader.read(write("stray.csv", "text,intent,\nhello,greet,x\nbye,leave,\n"))).hasSize(2);
    // a repeated name elsewhere is harmless; a repeated text or label column is refused by name
    assertThat(reader.read(write("notes.csv", "text,intent,notes,notes\nhello,greet,a,b\n"))).hasSize(1);
    assertThatThrownBy(() -> reader.read(write("dup.csv", "text,intent,intent\nhello,greet,leave\n")))
        .hasMessageContaining("dup.csv:1: the header names column 'intent' twice");
    assertThatThrownBy(() -> reader.read(write("short.csv", "text,intent\nhello,greet\nhi,greet\nyo,greet\nbye\nsee you,leave\n")))
        .hasMessageContaining("short.csv:5: malformed row");
    assertThatThrownBy(() -> reader.read(write("last.csv", "text,intent\nhello,greet\nbye\n")))
        .hasMessageContaining("last.csv:3: malformed row");
    assertThatThrownBy(() -> reader.read(write("long.csv", "text,intent\nhello,greet\nbye,leave,extra\nok,fine\n")))
        .hasMessageContaining("long.csv:3: malformed row");
  }

  @Test
  void namesFileAndLineOfEveryProblem() throws Exception {
    assertThatThrownBy(() -> reader.read(tmp.resolve("missing.csv"))).isInstanceOf(IntentException.class)
        .hasMessageEndingWith("missing.csv: no such file");
    assertThatThrownBy(() -> reader.read(write("x.xlsx", "?"))).hasMessageContaining("unknown data format");
    assertThatThrownBy(() -> reader.read(write("e.csv", "text,intent\nhello,greet\n ,greet\n")))
        .hasMessageContaining("e.csv:3: empty text");
    assertThatThrownBy(() -> reader.read(write("l.csv", "text,intent\nhello,\n")))
        .hasMessageContaining("l.csv:2: empty intent label");
    assertThatThrownBy(() -> reader.read(write("c.csv", "words,intent\nhello,greet\n")))
        .hasMessageContaining("no column 'text'");
    assertThatThrownBy(() -> reader.read(write("m.csv", "text,intent\nhello,greet,extra\n")))
        .hasMessageContaining("m.csv:2: malformed row");
    assertThatThrownBy(() -> reader.read(write("j.jsonl", "{\"text\":\"hi\",\"intent\":\"g\"}\n{oops\n")))
        .hasMessageContaining("j.jsonl:2: malformed JSON line");
    assertThatThrownBy(() -> reader.read(write("s.json", "{\"train\": [[\"hi\"]]}")))
        .hasMessageContaining("s.json#train[0]: expected [text, intent]");
    assertThatThrownBy(() -> reader.read(write("t.json", "{\"train\": [[\"hi\", \"a\"]]}"), "val"))
        .hasMessageContaining("no split 'val'");
    Path bad = tmp.resolve("u.jsonl");
    Files.write(bad, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
    assertThatThrownBy(() -> reader.read(bad)).hasMessageContaining("not valid UTF-8");
  }
}
