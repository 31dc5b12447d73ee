package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.bench.Mode;
import dev.intentinference.bench.RunPlan;
import dev.intentinference.bench.TargetInfo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleRunListenerTest {
  private static String start(RunPlan plan) {
    StringWriter out = new StringWriter();
    Duration planned = plan.warmup().plus(plan.duration()).multipliedBy(plan.steps());
    new ConsoleRunListener(new PrintWriter(out, true), new PrintWriter(new StringWriter()), false)
        .onStart(new TargetInfo("inproc:m", null, null, null, null), plan, planned);
    return out.toString().strip();
  }

  @Test
  void theHeaderGivesTheLongestTimeWhenTheWarmUpWaitsForSteadyThroughput() {
    RunPlan sweep = RunPlan.of(Mode.SWEEP, List.of(1, 2), List.of(), Duration.ofSeconds(5), Duration.ofSeconds(10),
        RunPlan.DEFAULT_INTERVAL, RunPlan.DEFAULT_WINDOW, 42).withWarmupMax(Duration.ofSeconds(30));
    assertThat(start(sweep)).endsWith(", 30 s planned (up to 80 s: the warm-up goes on until throughput is steady, "
        + "at most --warmup-max 30 s)");
    RunPlan fixed = RunPlan.of(Mode.CLOSED, List.of(4), List.of(), Duration.ofSeconds(5), Duration.ofSeconds(10),
        RunPlan.DEFAULT_INTERVAL, RunPlan.DEFAULT_WINDOW, 42);
    assertThat(start(fixed)).endsWith(", 15 s planned");
  }
}
