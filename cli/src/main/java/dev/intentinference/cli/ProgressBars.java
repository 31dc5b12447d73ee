package dev.intentinference.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars on stderr with rate and ETA; none at all when quiet. Without a terminal (output
 * to a file or a container's log) a bar is written as a line every {@value #LOG_INTERVAL_SECONDS}
 * seconds instead of being redrawn in place.
 */
final class ProgressBars {
  static final long LOG_INTERVAL_SECONDS = 10;

  private final boolean quiet;

  ProgressBars(boolean quiet) {
    this.quiet = quiet;
  }

  /** A started bar, or null when quiet. */
  ProgressBar start(String task, long max, String unit) {
    if (quiet) {
      return null;
    }
    return new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(max)
        .setStyle(ProgressBarStyle.ASCII)
        .setUnit(" " + unit, 1)
        .showSpeed()
        .setUpdateIntervalMillis(250)
        .setConsumer(System.console() != null ? new ConsoleProgressBarConsumer(System.err)
            : new ProgressLogLines(System.err, java.util.concurrent.TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS), System::nanoTime))
        .build();
  }

  /** A line of its own between bars (e.g. an epoch's result), unless quiet. */
  void log(String line) {
    if (!quiet) {
      System.err.println();
      System.err.println(line);
    }
  }

  static void stepTo(ProgressBar bar, long n) {
    if (bar != null) {
      bar.stepTo(n);
    }
  }

  static void close(ProgressBar bar) {
    if (bar != null) {
      bar.close();
    }
  }
}
