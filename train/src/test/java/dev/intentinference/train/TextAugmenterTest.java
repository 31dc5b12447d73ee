package dev.intentinference.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TextAugmenterTest {
  private static final List<String> TEXTS = List.of("please change my company address", "update the billing address now",
      "what is the weather in paris", "will it rain tomorrow");
  private static final int[] LABELS = {0, 0, 1, 1};

  @Test
  void eachVariantIsOneEditOfItsSourceUsingOnlyWordsOfItsIntent() {
    List<TextAugmenter.Variant> variants = new TextAugmenter(7).variants(TEXTS, LABELS, 3);
    assertThat(variants).hasSize(12);
    for (TextAugmenter.Variant v : variants) {
      List<String> source = Arrays.asList(TEXTS.get(v.source()).split(" "));
      List<String> words = Arrays.asList(v.text().split(" "));
      assertThat(Math.abs(words.size() - source.size())).isLessThanOrEqualTo(1);
      Set<String> intentWords = new HashSet<>();
      for (int i = 0; i < TEXTS.size(); i++) {
        if (LABELS[i] == LABELS[v.source()]) {
          intentWords.addAll(Arrays.asList(TEXTS.get(i).split(" ")));
        }
      }
      assertThat(intentWords).containsAll(words);
    }
    assertThat(variants).extracting(TextAugmenter.Variant::text).doesNotContainSequence(TEXTS);
  }

  @Test
  void theSameSeedGivesTheSameVariantsAndAnotherSeedOthers() {
    assertThat(new TextAugmenter(7).variants(TEXTS, LABELS, 2)).isEqualTo(new TextAugmenter(7).variants(TEXTS, LABELS, 2));
    assertThat(new TextAugmenter(7).variants(TEXTS, LABELS, 2)).isNotEqualTo(new TextAugmenter(8).variants(TEXTS, LABELS, 2));
  }
}
