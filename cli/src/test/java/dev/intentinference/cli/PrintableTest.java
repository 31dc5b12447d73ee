package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {
  @Test
  void controlCharactersAndBidiOverridesAreEscapedTheRestKept() {
    assertThat(Printable.of("multi\nline\ttab")).isEqualTo("multi\\nline\\ttab");
    assertThat(Printable.of("red\u001b[31m")).isEqualTo("red\\u001b[31m");
    assertThat(Printable.of("abc\u202Edef")).isEqualTo("abc\\u202edef");
    String plain = "caf\u00e9 \u4f60\u597d \ud83d\ude00";
    assertThat(Printable.of(plain)).isSameAs(plain);
  }
}
