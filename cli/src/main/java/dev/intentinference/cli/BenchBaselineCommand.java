package dev.intentinference.cli;

import dev.intentinference.bench.BenchConfig;
import dev.intentinference.bench.BenchResult;
import dev.intentinference.bench.BenchRunner;
import dev.intentinference.bench.Durations;
import dev.intentinference.bench.Mode;
import dev.intentinference.bench.RunPlan;
import dev.intentinference.bench.TargetOptions;
import dev.intentinference.bench.TargetSpec;
import dev.intentinference.bench.report.Report;
import dev.intentinference.core.IntentException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code intent bench baseline}: the product's story on one machine. The served, compiled model
 * against the reference team's setting (the uncompiled model in process, padded to 512 tokens),
 * same messages, same concurrency, batch size 1.
 */
@Command(
    name = "baseline",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the like-for-like comparison: A = the compiled model served over HTTP (--served), B = the uncompiled",
      "model in this JVM padded to --pad-to tokens (--reference; the reference team's setting). Same messages,",
      "same concurrency, batch size 1, one after the other. Prints the compare table (A / B) and writes the report."},
    footer = {"", "Example:",
      "  intent serve --model clinc150-1.intent &",
      "  intent bench baseline --served http://127.0.0.1:8000 --model clinc150 --reference models/clinc150-fp32 --duration 30s"})
public final class BenchBaselineCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--served", required = true, paramLabel = "URL",
      description = "The server running the compiled artifact, e.g. http://127.0.0.1:8000.")
  String served;

  @Option(names = "--model", paramLabel = "NAME", description = "Model name on the server (default: its only model).")
  String model;

  @Option(names = "--reference", required = true, paramLabel = "PATH",
      description = "The uncompiled fp32 model (model directory or .intent) run in process as the baseline.")
  Path reference;

  @Option(names = "--pad-to", defaultValue = "512", paramLabel = "TOKENS",
      description = "Baseline padding in tokens (the reference's fixed shape). Default: ${DEFAULT-VALUE}.")
  int padTo;

  @Option(names = "--concurrency", defaultValue = "1", paramLabel = "N",
      description = "Requests in flight for both runs. Default: ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(names = "--duration", defaultValue = "30s", paramLabel = "TIME", description = "Measured time per run. Default: ${DEFAULT-VALUE}.")
  String duration;

  @Option(names = "--warmup", defaultValue = "5s", paramLabel = "TIME", description = "Warm-up per run. Default: ${DEFAULT-VALUE}.")
  String warmup;

  @Option(names = "--interval", defaultValue = "1s", paramLabel = "TIME", description = "Time between rows. Default: ${DEFAULT-VALUE}.")
  String interval;

  @Option(names = "--data", paramLabel = "FILE", description = "Messages (default: the test messages of the CLINC150 copy shipped with intent).")
  Path data;

  @Option(names = "--messages", defaultValue = "0", paramLabel = "N", description = "Sample this many messages (0 = all). Default: ${DEFAULT-VALUE}.")
  int messages;

  @Option(names = "--intra-op-threads", paramLabel = "N",
      description = "Baseline ONNX Runtime threads per request (default: cores / concurrency, at least 1).")
  Integer intraOpThreads;

  @Option(names = "--price-per-hour", split = ",", paramLabel = "PA,PB", description = "Prices for the cost rows (normally the same machine).")
  List<Double> prices;

  @Option(names = "--out", defaultValue = "bench-baseline", paramLabel = "DIR",
      description = "Where the runs' CSV/JSON and the report go. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Override
  public Integer call() throws Exception {
    TargetSpec servedSpec = TargetSpec.parse(served);
    if (servedSpec.kind() == TargetSpec.Kind.INPROC) {
      throw new IntentException("--served: give the server's URL, e.g. http://127.0.0.1:8000 (got " + served + ")");
    }
    RunPlan plan = RunPlan.of(Mode.CLOSED, List.of(concurrency), List.of(), Durations.parse("--warmup", warmup),
        Durations.parse("--duration", duration), Durations.parse("--interval", interval), RunPlan.DEFAULT_WINDOW, RunPlan.DEFAULT_SEED);
    int intra = intraOpThreads != null ? intraOpThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / concurrency);
    TargetOptions servedOptions = TargetOptions.defaults().withModel(model);
    TargetOptions refOptions = TargetOptions.defaults().withWorkers(concurrency).withIntraOpThreads(intra).withPadTo(padTo);
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter e = spec.commandLine().getErr();
    boolean progress = System.console() != null;
    BenchConfig a = new BenchConfig(servedSpec, servedOptions, plan, data, messages,
        out.resolve("served.csv"), out.resolve("served.json"));
    BenchConfig b = new BenchConfig(TargetSpec.parse("inproc:" + reference), refOptions, plan, data, messages,
        out.resolve("reference.csv"), out.resolve("reference.json"));
    ConsoleRunListener la = new ConsoleRunListener(o, e, progress);
    BenchResult ra = new BenchRunner(la).run(a);
    int codeA = BenchCommand.printSummary(ra.summary(), a, o, e, la.warningsShown());
    ConsoleRunListener lb = new ConsoleRunListener(o, e, progress);
    BenchResult rb = new BenchRunner(lb).run(b);
    int codeB = BenchCommand.printSummary(rb.summary(), b, o, e, lb.warningsShown());
    Report report = Report.of(List.of(a.summary(), b.summary()), prices == null ? List.of() : prices);
    Path html = report.write(out.resolve("report"));
    o.println();
    o.print(report.comparisons().get(0).table());
    o.println("report: " + html);
    o.flush();
    return Math.max(codeA, codeB);
  }
}
