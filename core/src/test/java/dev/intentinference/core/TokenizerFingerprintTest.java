package dev.intentinference.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.io.ClasspathResources;
import dev.intentinference.core.text.TextTokenizer;
import dev.intentinference.core.text.TokenizerFingerprint;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenizerFingerprintTest {
  static byte[] tokenizer(String encoder) {
    return ClasspathResources.readAll(EncoderRegistry.builtIn().get(encoder).tokenizerResource());
  }

  @Test
  void bgeAndMiniLmTokenizersGiveTheSameIdsAndFingerprint() {
    byte[] bge = tokenizer("bge-small-en-v1.5-q");
    byte[] minilm = tokenizer("all-minilm-l6-v2-q");
    assertThat(bge).isNotEqualTo(minilm);
    assertThat(TokenizerFingerprint.of(bge)).isEqualTo(TokenizerFingerprint.of(minilm));
    String text = "Hi! Could you move my Tuesday 3pm meeting to Zürich-time, please?";
    try (TextTokenizer a = TextTokenizer.fromBytes(bge, 256); TextTokenizer b = TextTokenizer.fromBytes(minilm, 256)) {
      assertThat(a.encode(text).ids()).containsExactly(b.encode(text).ids());
    }
  }

  @Test
  void aDifferentVocabularyChangesTheFingerprint() {
    String bge = new String(tokenizer("bge-small-en-v1.5-q"), StandardCharsets.UTF_8);
    byte[] changed = bge.replaceFirst("\"\\[PAD\\]\"", "\"[PAD2]\"").getBytes(StandardCharsets.UTF_8);
    assertThat(TokenizerFingerprint.of(changed)).isNotEqualTo(TokenizerFingerprint.of(bge.getBytes(StandardCharsets.UTF_8)));
  }
}
