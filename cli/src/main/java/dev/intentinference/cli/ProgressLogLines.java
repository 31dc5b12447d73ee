package dev.intentinference.cli;

import java.io.PrintStream;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBarConsumer;

/**
 * A progress bar for a log rather than a terminal (a file, a container's log, CI): instead of
 * redrawing one line with carriage returns, which a log keeps as one endless line, it writes the
 * bar as a line of its own when it starts, at most once per interval after that, and when it ends.
 */
final class ProgressLogLines implements ProgressBarConsumer {
  /**
   * Wide enough for the longest task name (a fine-tuning phase with its encoder id), a bar, the
   * counts, times and rate, and the loss after them; a log has no terminal width to fit.
   */
  private static final int WIDTH = 150;

  private final PrintStream out;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private long lastPrinted;
  private boolean printedAny;
  private String latest;
  private boolean latestPrinted;

  ProgressLogLines(PrintStream out, long intervalNanos, LongSupplier nanoClock) {
    this.out = out;
    this.intervalNanos = intervalNanos;
    this.nanoClock = nanoClock;
  }

  @Override
  public int getMaxRenderedLength() {
    return WIDTH;
  }

  @Override
  public void accept(String rendered) {
    latest = rendered.stripTrailing();
    latestPrinted = false;
    long now = nanoClock.getAsLong();
    if (!printedAny || now - lastPrinted >= intervalNanos) {
      print(now);
    }
  }

  @Override
  public void close() {
    if (latest != null && !latestPrinted) {
      print(nanoClock.getAsLong());
    }
    out.flush();
  }

  private void print(long now) {
    out.println(latest);
    printedAny = true;
    latestPrinted = true;
    lastPrinted = now;
  }
}
