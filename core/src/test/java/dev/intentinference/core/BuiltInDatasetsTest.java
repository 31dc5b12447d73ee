package dev.intentinference.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.data.BuiltInDatasets;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.io.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltInDatasetsTest {
  @TempDir Path tmp;

  @Test
  void clinc150ShipsWithItsLicenceAndAttribution() {
    ClassLoader cl = BuiltInDatasets.class.getClassLoader();
    assertThat(BuiltInDatasets.resource(BuiltInDatasets.CLINC150)).isEqualTo("datasets/clinc150/data_full.json");
    assertThat(cl.getResource("datasets/clinc150/data_full.json")).isNotNull();
    assertThat(cl.getResource("datasets/clinc150/LICENSE")).as("CC BY 3.0 text beside the data").isNotNull();
    assertThat(cl.getResource("datasets/clinc150/README.md")).as("attribution beside the data").isNotNull();
    assertThat(Hashes.sha256(BuiltInDatasets.bytes(BuiltInDatasets.CLINC150))).isEqualTo(BuiltInDatasets.sha256(BuiltInDatasets.CLINC150));
  }

  @Test
  void fileIsAVerifiedCopyUnderThePublishedNameWithEverySplit() {
    Path f = BuiltInDatasets.file(BuiltInDatasets.CLINC150);
    assertThat(f.getFileName()).hasToString("data_full.json");
    assertThat(Hashes.sha256(f)).isEqualTo(BuiltInDatasets.sha256(BuiltInDatasets.CLINC150));
    Path again = BuiltInDatasets.file(BuiltInDatasets.CLINC150);
    assertThat(again).as("a copy of its own").isNotEqualTo(f).hasFileName("data_full.json").hasSameBinaryContentAs(f);
    Map<String, List<LabeledText>> splits = new DatasetReader(Columns.DEFAULT).readSplits(f);
    assertThat(splits).containsOnlyKeys("train", "val", "test", "oos_train", "oos_val", "oos_test");
    assertThat(splits.get("train")).hasSize(15_000);
    assertThat(splits.get("oos_test")).hasSize(1_000);
  }

  /** A problem in the shipped copy names the dataset the user gave, not the temporary file it was written to. */
  @Test
  void aCopyIsShownByTheNameTheUserGave() throws Exception {
    Path f = BuiltInDatasets.file(BuiltInDatasets.CLINC150);
    assertThat(BuiltInDatasets.shownName(f)).isEqualTo("clinc150");
    assertThatThrownBy(() -> new DatasetReader(Columns.DEFAULT).read(f, "bogus"))
        .hasMessageStartingWith("clinc150: no split 'bogus' (has [");
    Path mine = Files.createDirectories(tmp.resolve("intent-dataset-clinc150-1")).resolve("data_full.json");
    assertThat(BuiltInDatasets.shownName(mine)).as("only the temporary directory's copies").isEqualTo(mine.toString());
  }

  @Test
  void resolveTakesAShippedNameUnlessAFileOfThatNameExists() throws Exception {
    assertThat(BuiltInDatasets.resolve(null)).isNull();
    assertThat(BuiltInDatasets.resolve(Path.of("clinc150"))).hasFileName("data_full.json")
        .hasSameBinaryContentAs(BuiltInDatasets.file(BuiltInDatasets.CLINC150));
    Path own = Files.writeString(tmp.resolve("clinc150"), "text,intent\nhi,greet\n");
    assertThat(BuiltInDatasets.resolve(own)).isEqualTo(own);
    Path missing = tmp.resolve("missing.json");
    assertThat(BuiltInDatasets.resolve(missing)).as("left for the reader to report").isEqualTo(missing);
    assertThatThrownBy(() -> BuiltInDatasets.bytes("nope")).isInstanceOf(IntentException.class).hasMessageContaining("clinc150");
  }
}
