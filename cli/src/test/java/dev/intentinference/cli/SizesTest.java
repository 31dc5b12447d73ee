package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import org.junit.jupiter.api.Test;

class SizesTest {
  @Test
  void sizesAsPeopleWriteThemAndNothingElse() {
    assertThat(Sizes.parseBytes("512M", "--x")).isEqualTo(512L << 20);
    assertThat(Sizes.parseBytes("1.5g", "--x")).isEqualTo(3L << 29);
    assertThat(Sizes.parseBytes("1500000", "--x")).isEqualTo(1_500_000);
    // Java's number parser takes these; under one byte rounded to 0, which meant no limit.
    for (String bad : new String[] {"1d", "0x1p3", "Infinity", "NaN", "0.5", "0.0001K", "-1G", "", "G"}) {
      assertThatThrownBy(() -> Sizes.parseBytes(bad, "--memory-limit")).as(bad).isInstanceOf(IntentException.class)
          .hasMessageContaining("not a size");
    }
  }
}
