package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A bar in a log: whole lines, the first at once, then one per interval, and the last state at the end. */
class ProgressLogLinesTest {
  @Test
  void linesAtTheStartOncePerIntervalAndAtTheEndWithoutCarriageReturns() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicLong now = new AtomicLong();
    ProgressLogLines log = new ProgressLogLines(new PrintStream(bytes, true, StandardCharsets.UTF_8),
        TimeUnit.SECONDS.toNanos(10), now::get);
    for (int second = 0; second <= 25; second++) {
      now.set(TimeUnit.SECONDS.toNanos(second));
      log.accept("eval " + second + "/25 texts   ");
    }
    log.close();
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("\r");
    assertThat(text.lines()).containsExactly("eval 0/25 texts", "eval 10/25 texts", "eval 20/25 texts", "eval 25/25 texts");
  }

  @Test
  void aBarWhoseLastStateWasPrintedEndsWithoutARepeat() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressLogLines log = new ProgressLogLines(new PrintStream(bytes, true, StandardCharsets.UTF_8), 10, () -> 0);
    log.accept("train 3/3");
    log.close();
    log.close();
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly("train 3/3");
  }
}
