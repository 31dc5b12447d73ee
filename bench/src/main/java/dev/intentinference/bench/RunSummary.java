package dev.intentinference.bench;

import java.util.List;
import java.util.Map;

/**
 * The summary JSON of a run, next to its CSV. Everything needed to judge and repeat the run:
 * what was measured, how, where, and what went wrong.
 *
 * @param format {@value #FORMAT}
 * @param startedAt ISO-8601 UTC start time
 * @param mode closed, open, sweep or accuracy
 * @param target what was measured, with the model's manifest hash when known
 * @param settings every option of the run
 * @param machine cores, CPU model, JVM
 * @param csv the reference-style CSV's file name, relative to this summary ({@code null} if none)
 * @param intervalSeconds the rows' nominal interval
 * @param requests requests that got an answer or failed, warm-up included
 * @param succeeded successful requests after warm-up
 * @param failed failed requests, warm-up included; non-zero makes the run fail
 * @param errors failures by cause
 * @param throughput successful requests per second after warm-up (a sweep: its knee step's)
 * @param latency latency percentiles in seconds after warm-up (a sweep: its knee step's)
 * @param stability how steady throughput was interval by interval after warm-up (a sweep: its knee
 *     step's); {@code null} in accuracy mode or when nothing succeeded
 * @param steps the measured steps (one unless sweeping)
 * @param knee index into {@code steps} of the sweep's knee, else {@code null}
 * @param accuracy accuracy as served (accuracy mode), else {@code null}
 * @param warnings things the reader must know, e.g. that the harness could not keep up
 */
public record RunSummary(
    String format, String startedAt, String mode, TargetInfo target, Map<String, Object> settings,
    MachineInfo machine, String csv, double intervalSeconds, long requests, long succeeded, long failed,
    Map<String, Long> errors, double throughput, LatencySummary latency, Stability stability, List<StepResult> steps,
    Integer knee, AccuracyResult accuracy, List<String> warnings) {
  public static final String FORMAT = "intent-bench-summary/1";
}
