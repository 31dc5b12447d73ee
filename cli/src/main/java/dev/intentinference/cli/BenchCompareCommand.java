package dev.intentinference.cli;

import dev.intentinference.bench.report.Comparison;
import dev.intentinference.bench.report.RunAnalysis;
import dev.intentinference.bench.report.RunData;
import dev.intentinference.core.IntentException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code intent bench compare A B}: the reference's comparison as a table. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Compare two runs: steady and peak throughput ratio, latency ratios at p50/p90/p99 (p99 n/a for bare CSVs),",
      "cost ratio with prices, warm-up and drift. Ratios are A / B."},
    footer = {"", "Example:",
      "  intent bench compare reference-inf1.csv reference-g4dn.csv --price-per-hour 1.18,0.526"})
public final class BenchCompareCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "A", description = "First run (.json summary or .csv).")
  Path a;

  @Parameters(index = "1", paramLabel = "B", description = "Second run (.json summary or .csv).")
  Path b;

  @Option(names = "--price-per-hour", split = ",", paramLabel = "PA,PB",
      description = "Price per hour of A's and B's machines: adds cost per million inferences and its ratio.")
  List<Double> prices;

  @Override
  public Integer call() {
    if (prices != null && prices.size() != 2) {
      throw new IntentException("--price-per-hour: give two prices, A's and B's, e.g. 1.18,0.526 (got " + prices.size() + ")");
    }
    if (prices != null && !(prices.get(0) > 0 && prices.get(1) > 0 && Double.isFinite(prices.get(0)) && Double.isFinite(prices.get(1)))) {
      throw new IntentException("--price-per-hour: prices must be positive numbers, got " + prices);
    }
    Comparison c = Comparison.of(RunAnalysis.of(RunData.load(a)), RunAnalysis.of(RunData.load(b)),
        prices == null ? null : prices.get(0), prices == null ? null : prices.get(1));
    spec.commandLine().getOut().print(c.table());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
