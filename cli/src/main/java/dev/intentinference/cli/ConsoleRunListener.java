package dev.intentinference.cli;

import dev.intentinference.bench.Interval;
import dev.intentinference.bench.RunListener;
import dev.intentinference.bench.RunPlan;
import dev.intentinference.bench.TargetInfo;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Prints a run as it happens: the reference's line per interval on stdout and, on a terminal, a
 * progress bar with the time left on stderr.
 */
final class ConsoleRunListener implements RunListener {
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean progress;
  private final List<String> shown = new java.util.concurrent.CopyOnWriteArrayList<>();
  private ProgressBar bar;

  ConsoleRunListener(PrintWriter out, PrintWriter err, boolean progress) {
    this.out = out;
    this.err = err;
    this.progress = progress;
  }

  @Override
  public void onStart(TargetInfo target, RunPlan plan, Duration planned) {
    out.println("bench: " + target.target() + (target.model() == null ? "" : " model " + target.model())
        + (target.modelVersion() == null ? "" : " v" + target.modelVersion())
        + (target.platform() == null ? "" : " (" + target.platform() + ")")
        + ", " + plan.mode().name().toLowerCase() + (plan.openLoop() ? " (" + plan.arrivals().id() + " arrivals)" : "")
        + ", " + planned.toSeconds() + " s planned" + upTo(plan, planned));
    out.flush();
    if (progress && !planned.isZero()) {
      bar = new ProgressBarBuilder()
          .setTaskName("bench")
          .setInitialMax(planned.toMillis() / 100)
          .setUnit(" s", 10)
          .setStyle(ProgressBarStyle.ASCII)
          .setConsumer(new ConsoleProgressBarConsumer(System.err))
          .setUpdateIntervalMillis(500)
          .build();
    }
  }

  /** The longest the run can take when its warm-up waits for steady throughput, else nothing. */
  private static String upTo(RunPlan plan, Duration planned) {
    if (planned.isZero() || !plan.warmsUntilSteady()) {
      return "";
    }
    Duration longest = planned.plus(plan.warmupMax().minus(plan.warmup()).multipliedBy(plan.steps()));
    return " (up to " + longest.toSeconds() + " s: the warm-up goes on until throughput is steady, at most --warmup-max "
        + plan.warmupMax().toSeconds() + " s)";
  }

  @Override
  public void onStep(String load) {
    out.println("-- step: " + load);
    out.flush();
  }

  @Override
  public void onInterval(Interval interval, Duration elapsed) {
    if (bar != null) {
      // Clear the bar's line first, so the row does not land after it; the bar redraws below.
      err.print("\r\033[K");
      err.flush();
    }
    out.println(interval.row().consoleLine() + (interval.warmup() ? " (warm-up)" : "")
        + (interval.failed() > 0 ? " failed " + interval.failed() : ""));
    out.flush();
    if (bar != null) {
      bar.stepTo(Math.min(bar.getMax(), elapsed.toMillis() / 100));
    }
  }

  @Override
  public void onWarning(String message) {
    err.println("bench: warning: " + message);
    err.flush();
    shown.add(message);
  }

  /** The warnings printed while the run went, so its end does not print them again. */
  List<String> warningsShown() {
    return List.copyOf(shown);
  }

  @Override
  public void onEnd() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
