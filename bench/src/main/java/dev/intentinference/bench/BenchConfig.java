package dev.intentinference.bench;

import java.nio.file.Path;

/**
 * Everything one {@code intent bench} run needs, built from the command line (or by tests).
 *
 * @param target where requests go
 * @param targetOptions how to talk to it
 * @param plan what load, for how long
 * @param data messages file, or {@code null} for the CLINC150 test messages
 * @param messageLimit send at most this many distinct messages (0: all)
 * @param csv where to write the reference-style CSV, or {@code null}
 * @param summary where to write the summary JSON, or {@code null}
 */
public record BenchConfig(
    TargetSpec target, TargetOptions targetOptions, RunPlan plan, Path data, int messageLimit, Path csv, Path summary) {}
