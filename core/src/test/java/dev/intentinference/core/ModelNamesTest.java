package dev.intentinference.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.model.ModelNames;
import dev.intentinference.core.model.PinFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelNamesTest {
  @TempDir Path repo;

  @Test
  void plainNamesAreValid() {
    for (String ok : new String[] {"clinc150", "1", "10", "v1.2.3", "my_model-2", "A", "a".repeat(128), "a..b"}) {
      assertThat(ModelNames.isValid(ok)).as(ok).isTrue();
      assertThat(ModelNames.problem("model name", ok)).isNull();
    }
  }

  @Test
  void traversalSeparatorsAbsoluteEmptyAndLongNamesAreNot() {
    assertThat(ModelNames.problem("model name", "..")).contains("'..'").contains("starts with '.'");
    assertThat(ModelNames.problem("model name", ".")).contains("starts with '.'");
    assertThat(ModelNames.problem("model name", "../../etc")).contains("starts with '.'");
    assertThat(ModelNames.problem("version", "a/b")).contains("invalid version 'a/b'").contains("path separator '/'");
    assertThat(ModelNames.problem("version", "a\\b")).contains("path separator '\\'");
    assertThat(ModelNames.problem("model name", "/etc/passwd")).contains("path separator '/'");
    assertThat(ModelNames.problem("model name", "C:")).contains("the character ':'");
    assertThat(ModelNames.problem("model name", "")).contains("it is empty").contains(ModelNames.RULE);
    assertThat(ModelNames.problem("model name", null)).contains("it is empty");
    assertThat(ModelNames.problem("model name", "-rf")).contains("starts with '-'");
    assertThat(ModelNames.problem("model name", "a b")).contains("the character ' '");
    assertThat(ModelNames.problem("model name", "a\nb")).contains("'a\\u000ab'").contains("U+000A");
    assertThat(ModelNames.problem("model name", "é")).contains("U+00E9");
    String longName = "a".repeat(129);
    assertThat(ModelNames.problem("model name", longName)).contains("129 characters").contains("...'")
        .doesNotContain(longName);
    assertThatThrownBy(() -> ModelNames.checkVersion("..")).isInstanceOf(IntentException.class)
        .hasMessageStartingWith("invalid version '..'");
  }

  @Test
  void pinFileRoundTripsAtomicallyAndRefusesBadContent() throws Exception {
    Files.createDirectories(repo.resolve("demo"));
    assertThat(PinFile.read(repo, "demo")).isEmpty();
    Path file = PinFile.write(repo, "demo", "1");
    assertThat(file).isEqualTo(repo.resolve("demo/.pinned-version"));
    assertThat(Files.readString(file)).isEqualTo("1\n");
    assertThat(PinFile.read(repo, "demo")).contains("1");
    PinFile.write(repo, "demo", "2");
    assertThat(PinFile.read(repo, "demo")).contains("2");
    try (var left = Files.list(repo.resolve("demo"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly(".pinned-version");
    }
    assertThat(PinFile.clear(repo, "demo")).isTrue();
    assertThat(PinFile.clear(repo, "demo")).isFalse();
    assertThat(PinFile.read(repo, "demo")).isEmpty();

    Files.writeString(repo.resolve("demo/.pinned-version"), "../../etc\n");
    assertThatThrownBy(() -> PinFile.read(repo, "demo")).isInstanceOf(IntentException.class)
        .hasMessageContaining(".pinned-version: invalid version '../../etc'");
    assertThatThrownBy(() -> PinFile.write(repo, "demo", "a/b")).hasMessageContaining("invalid version 'a/b'");
    assertThatThrownBy(() -> PinFile.path(repo, "..")).hasMessageContaining("invalid model name '..'");
    assertThat(PinFile.parse("  7\r\n", "s3://b/demo/.pinned-version")).isEqualTo("7");
  }
}
