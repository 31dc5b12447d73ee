package dev.intentinference.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.onnx.BulkEmbedder;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.core.onnx.Vectors;
import dev.intentinference.core.text.TokenizedText;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EncoderTest {
  static SentenceEncoder bge;

  @BeforeAll
  static void load() {
    bge = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), new SessionSettings(2, 1, true));
  }

  @AfterAll
  static void close() {
    bge.close();
  }

  @Test
  void tokenizesWithTheUncasedBertVocabulary() {
    TokenizedText t = bge.tokenizer().encode("change company address");
    assertThat(t.ids()).containsExactly(101, 2689, 2194, 4769, 102);
    assertThat(t.truncated()).isFalse();
  }

  @Test
  void reportsTruncation() {
    String longText = "word ".repeat(600);
    TokenizedText t = bge.tokenizer().encode(longText);
    assertThat(t.length()).isEqualTo(512);
    assertThat(t.truncated()).isTrue();
    assertThat(t.ids()[511]).isEqualTo(102);
  }

  @Test
  void paraphrasesAreCloserThanUnrelatedTexts() {
    float[][] v = bge.embed(List.of(
        "change company address", "update the address of my business", "what is the weather tomorrow"));
    assertThat(v[0]).hasSize(384);
    assertThat(Vectors.dot(v[0], v[0])).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(Vectors.cosine(v[0], v[1])).isGreaterThan(Vectors.cosine(v[0], v[2]) + 0.1);
  }

  @Test
  void bulkEmbeddingMatchesOneByOneEmbedding() {
    List<String> texts = List.of("hi", "please transfer one hundred dollars from checking to savings", "balance", "ok then");
    float[][] bulk = new BulkEmbedder(bge, 2).embed(texts);
    for (int i = 0; i < texts.size(); i++) {
      float[] single = bge.embed(List.of(texts.get(i)))[0];
      // Not identical: the int8 graph quantizes activations per tensor, padding included, so a
      // text's vector moves slightly with its batch-mates.
      assertThat(Vectors.cosine(bulk[i], single)).isGreaterThan(0.99);
    }
  }
}
