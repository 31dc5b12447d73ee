package dev.intentinference.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Variants of training texts for distillation: the teacher labels them, so the model sees more of
 * the teacher's function than the training texts alone show. Each variant takes one of the easy
 * edits of EDA (Wei and Zou, 2019) that need no thesaurus: delete a word, swap two words, or
 * insert a word taken from another text of the same intent. Deterministic for a seed.
 *
 * <pre>{@code
 * List<String> extra = new TextAugmenter(42).variants(List.of("change my address"), new int[] {0}, 1);
 * }</pre>
 */
public final class TextAugmenter {
  private final long seed;

  public TextAugmenter(long seed) {
    this.seed = seed;
  }

  /** A variant and the index of the text it came from. */
  public record Variant(String text, int source) {}

  /**
   * @param texts training texts
   * @param labels their label indices (insertions borrow words from texts of the same label)
   * @param copies variants per text
   */
  public List<Variant> variants(List<String> texts, int[] labels, int copies) {
    Random rng = new Random(seed);
    int maxLabel = Arrays.stream(labels).max().orElse(0);
    List<List<String>> wordsByLabel = new ArrayList<>();
    for (int i = 0; i <= maxLabel; i++) {
      wordsByLabel.add(new ArrayList<>());
    }
    List<String[]> split = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      String[] w = texts.get(i).trim().split("\\s+");
      split.add(w);
      wordsByLabel.get(labels[i]).addAll(Arrays.asList(w));
    }
    List<Variant> out = new ArrayList<>();
    for (int c = 0; c < copies; c++) {
      for (int i = 0; i < texts.size(); i++) {
        List<String> w = new ArrayList<>(Arrays.asList(split.get(i)));
        int edit = rng.nextInt(3);
        if (edit == 0 && w.size() >= 3) {
          w.remove(rng.nextInt(w.size()));
        } else if (edit == 1 && w.size() >= 2) {
          int a = rng.nextInt(w.size());
          int b = rng.nextInt(w.size());
          String t = w.get(a);
          w.set(a, w.get(b));
          w.set(b, t);
        } else {
          List<String> pool = wordsByLabel.get(labels[i]);
          w.add(rng.nextInt(w.size() + 1), pool.get(rng.nextInt(pool.size())));
        }
        out.add(new Variant(String.join(" ", w), i));
      }
    }
    return out;
  }
}
