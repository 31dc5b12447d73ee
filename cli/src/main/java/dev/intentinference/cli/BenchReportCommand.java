package dev.intentinference.cli;

import dev.intentinference.bench.report.Comparison;
import dev.intentinference.bench.report.Report;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code intent bench report}: an HTML page and charts for one or several runs. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Write a self-contained HTML report (no external URLs) and PNG/SVG charts of throughput and p50/p90",
      "over time (warm-up shown apart, drift flagged) and of a sweep's throughput-latency curve.",
      "Runs are summary .json files from 'intent bench' or bare reference-style CSVs."},
    footer = {"", "Example:",
      "  intent bench report reference-inf1.csv reference-g4dn.csv --price-per-hour 1.18,0.526 --out report/"})
public final class BenchReportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "RUN", description = "Summary .json or .csv files, one per run.")
  List<Path> runs;

  @Option(names = "--out", defaultValue = "bench-report", paramLabel = "DIR",
      description = "Directory for index.html and the charts. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--price-per-hour", split = ",", paramLabel = "P[,P...]",
      description = "Price per hour of each run's machine, in run order: adds cost per million inferences.")
  List<Double> prices;

  @Override
  public Integer call() {
    Report report = Report.of(runs, prices == null ? List.of() : prices);
    Path html = report.write(out);
    PrintWriter w = spec.commandLine().getOut();
    for (Comparison c : report.comparisons()) {
      w.print(c.table());
      w.println();
    }
    w.println("report: " + html);
    w.flush();
    return 0;
  }
}
