package dev.intentinference.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.intentinference.core.data.BuiltInDatasets;
import dev.intentinference.core.data.Columns;
import dev.intentinference.core.data.DatasetReader;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.io.ClasspathResources;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link TextTokenizer#encode} reads the native encoding itself; it must give what DJL gives. */
class TextTokenizerTest {
  private static final byte[] JSON =
      ClasspathResources.readAll(EncoderRegistry.builtIn().get("all-minilm-l6-v2-q").tokenizerResource());

  private static HuggingFaceTokenizer djl(int maxLength) throws Exception {
    return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(JSON), Map.of(
        "truncation", "true", "maxLength", Integer.toString(maxLength), "padding", "false", "addSpecialTokens", "true"));
  }

  private static List<String> texts() {
    List<String> texts = new ArrayList<>();
    new DatasetReader(Columns.DEFAULT).readSplits(BuiltInDatasets.file(BuiltInDatasets.CLINC150))
        .values().forEach(split -> split.stream().map(LabeledText::text).forEach(texts::add));
    texts.addAll(List.of("", "   ", "Zürich-time, naïve café ☕ 東京 🙂", "a".repeat(600),
        "word ".repeat(600), "tab\tand\nnewline"));
    return texts;
  }

  @Test
  void everyShippedTextEncodesAsDjlEncodesIt() throws Exception {
    List<String> texts = texts();
    assertThat(texts).hasSizeGreaterThan(23_000);
    for (int maxLength : new int[] {512, 8}) {
      int truncated = 0;
      try (TextTokenizer ours = TextTokenizer.fromBytes(JSON, maxLength); HuggingFaceTokenizer theirs = djl(maxLength)) {
        for (String text : texts) {
          TokenizedText t = ours.encode(text);
          Encoding e = theirs.encode(text);
          assertThat(t.ids()).as(text).containsExactly(e.getIds());
          assertThat(t.typeIds()).as(text).containsExactly(e.getTypeIds());
          assertThat(t.truncated()).as(text).isEqualTo(e.exceedMaxLength());
          truncated += t.truncated() ? 1 : 0;
        }
      }
      assertThat(truncated).as("texts cut at %d tokens", maxLength).isGreaterThan(maxLength == 8 ? 1_000 : 0);
    }
  }

  @Test
  void aLongTextEncodedFromItsPrefixGivesTheWholeTextsTokens() throws Exception {
    // Prefixes of 5 characters per token cut most shipped texts between words: what a 1 MB message
    // meets at 4,096 characters. Every cut must give what the whole text gives.
    List<String> texts = texts();
    java.util.Random random = new java.util.Random(7);
    String[] pieces = {"word", "  ", "\t", "don't", "e-mail", "\u00a0", "\u200b", "東京", "🙂", "naïve", "a\u0301", "!!", "x".repeat(150)};
    for (int i = 0; i < 300; i++) {
      StringBuilder sb = new StringBuilder();
      while (sb.length() < 40 + random.nextInt(400)) {
        sb.append(pieces[random.nextInt(pieces.length)]).append(random.nextInt(4) == 0 ? "" : " ");
      }
      texts.add(sb.toString());
    }
    for (int maxLength : new int[] {4, 8}) {
      int fromPrefix = 0;
      int prefix = 5 * maxLength;
      try (TextTokenizer whole = TextTokenizer.fromBytes(JSON, maxLength); HuggingFaceTokenizer theirs = djl(maxLength)) {
        TextTokenizer ours = whole.withPrefixChars(prefix);
        for (String text : texts) {
          TokenizedText t = ours.encode(text);
          Encoding e = theirs.encode(text);
          assertThat(t.ids()).as(text).containsExactly(e.getIds());
          assertThat(t.truncated()).as(text).isEqualTo(e.exceedMaxLength());
          int cut = TextTokenizer.wordBoundaryBefore(text, prefix);
          fromPrefix += text.length() > prefix && cut > 0 && whole.encode(text.substring(0, cut)).truncated() ? 1 : 0;
        }
        assertThat(ours.encodeAll(texts.subList(0, 500))).hasSize(500);
      }
      assertThat(fromPrefix).as("texts answered from their prefix at %d tokens", maxLength).isGreaterThan(100);
    }
    try (TextTokenizer tok = TextTokenizer.fromBytes(JSON, 256); HuggingFaceTokenizer theirs = djl(256)) {
      String huge = "please move my money to savings ".repeat(30_000); // ~1 MB, as the server's body limit allows
      assertThat(tok.encode(huge).ids()).containsExactly(theirs.encode(huge).getIds());
    }
  }

  @Test
  void encodeAllAgreesWithEncode() {
    List<String> texts = texts().subList(0, 500);
    try (TextTokenizer tok = TextTokenizer.fromBytes(JSON, 16)) {
      List<TokenizedText> all = tok.encodeAll(texts);
      for (int i = 0; i < texts.size(); i++) {
        TokenizedText one = tok.encode(texts.get(i));
        assertThat(all.get(i).ids()).containsExactly(one.ids());
        assertThat(all.get(i).truncated()).isEqualTo(one.truncated());
      }
    }
  }

  @Test
  void nullOrAClosedTokenizerIsAJavaErrorNotANativeCrash() {
    TextTokenizer tok = TextTokenizer.fromBytes(JSON, 16);
    assertThatThrownBy(() -> tok.encode(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("text");
    tok.close();
    assertThatThrownBy(() -> tok.encode("hello")).isInstanceOf(IllegalStateException.class);
  }
}
