package dev.intentinference.train.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How a batch is cut into passes: nothing for short texts, pieces within the budget for long ones. */
class StepBudgetTest {
  private static final BertConfig SMALL = new BertConfig(3, 384, 12, 1536, 1e-12f, -10000f);

  @Test
  void aBatchOfTextsNoLongerThanTheReferenceIsOnePieceTheSameArray() {
    StepBudget budget = StepBudget.of(SMALL, 64);
    int[] lengths = IntStream.range(0, 64).map(i -> 8 + i % 57).toArray();
    int[] rows = IntStream.range(0, 64).toArray();
    List<int[]> pieces = budget.split(rows, lengths, rows.length);
    assertThat(pieces).singleElement().isSameAs(rows);
  }

  @Test
  void longTextsArePiecesWithinTheBudgetCoveringEveryRowInOrder() {
    StepBudget budget = StepBudget.of(SMALL, 64);
    // Ascending lengths, as a batch drawn from a sorted pool: the long tail cannot share one pass.
    int[] lengths = IntStream.range(0, 64).map(i -> 20 + 4 * i).toArray();
    int[] rows = IntStream.range(0, 64).toArray();
    List<int[]> pieces = budget.split(rows, lengths, rows.length);
    assertThat(pieces.size()).isGreaterThan(1);
    assertThat(pieces.stream().flatMapToInt(IntStream::of).toArray()).containsExactly(rows);
    for (int[] piece : pieces) {
      int longest = IntStream.of(piece).map(r -> lengths[r]).max().orElseThrow();
      assertThat(budget.cost(piece.length, longest)).isLessThanOrEqualTo(budget.limit());
    }
  }

  @Test
  void oneTextOverTheBudgetIsAPieceOfItsOwnAndRowCountsAreCapped() {
    StepBudget budget = StepBudget.of(SMALL, 2, 16);
    int[] lengths = {10, 12, 500, 9, 9, 9};
    List<int[]> pieces = budget.split(new int[] {0, 1, 2, 3, 4, 5}, lengths, 2);
    assertThat(pieces).containsExactly(new int[] {0, 1}, new int[] {2}, new int[] {3, 4}, new int[] {5});
    assertThat(budget.split(new int[0], lengths, 2)).isEmpty();
  }

  @Test
  void predictionChunksOfShortTextsAreCutOnlyByTheirSizeAndLongTextsShareLess() {
    int[] lengths = IntStream.range(0, 300).map(i -> 5 + i % 60).toArray();
    assertThat(LengthChunks.of(lengths, 128, SMALL)).extracting(c -> c.length).containsExactly(128, 128, 44);
    int[] longer = IntStream.range(0, 300).map(i -> 200 + i % 50).toArray();
    List<int[]> chunks = LengthChunks.of(longer, 128, SMALL);
    assertThat(chunks.size()).isGreaterThan(3);
    assertThat(chunks.stream().mapToInt(c -> c.length).sum()).isEqualTo(300);
  }
}
