package dev.intentinference.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextContentTest {
  @Test
  void invisibleCharactersAloneAreEmpty() {
    for (String nothing : new String[] {"", "  \t\n", "\u200b", "\ufeff", "\u0000", "\u00a0", "\u0301\u0301", "\u2028 \u200d"}) {
      assertThat(TextContent.isEmpty(nothing)).as("'%s'", nothing.codePoints().mapToObj(Integer::toHexString).toList()).isTrue();
    }
  }

  @Test
  void anyLetterDigitPunctuationOrSymbolIsContent() {
    for (String some : new String[] {"hi", " 7 ", "?", "\u20ac", "\ud83d\ude00", "\u4f60\u597d", "\u0645\u0631\u062d\u0628\u0627", "e\u0301"}) {
      assertThat(TextContent.isEmpty(some)).as(some).isFalse();
    }
  }
}
