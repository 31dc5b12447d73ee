package dev.intentinference.cli;

import dev.intentinference.bench.AccuracyResult;
import dev.intentinference.bench.Arrivals;
import dev.intentinference.bench.BenchConfig;
import dev.intentinference.bench.BenchResult;
import dev.intentinference.bench.BenchRunner;
import dev.intentinference.bench.Durations;
import dev.intentinference.bench.LatencySummary;
import dev.intentinference.bench.Mode;
import dev.intentinference.bench.RunPlan;
import dev.intentinference.bench.RunSummary;
import dev.intentinference.bench.Stability;
import dev.intentinference.bench.StepResult;
import dev.intentinference.bench.TargetOptions;
import dev.intentinference.bench.TargetSpec;
import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.OutputPlace;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code intent bench}: load a target and measure it like the reference harness, better. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Benchmark a model: closed loop (the reference: N workers at batch size 1), open loop (Poisson or constant",
      "arrivals, latency from the scheduled send time), a sweep of concurrency or rates, or accuracy as served.",
      "Every interval prints 'pid P: current inferences N throughput T, latency p50=.. p90=..' (seconds).",
      "Writes the reference CSV (pid,current_num_infer,throughput,p50,p90) and a summary JSON.",
      "Exit codes: 0 ok, 1 some requests failed (see the summary), 2 bad input."},
    subcommands = {BenchReportCommand.class, BenchCompareCommand.class, BenchBaselineCommand.class},
    footer = {
      "",
      "Examples:",
      "  intent bench --target http://127.0.0.1:8000 --model clinc150 --concurrency 4 --duration 60s --csv run.csv --summary run.json",
      "  intent bench --target http://127.0.0.1:8000 --concurrency 16 --duration 15s --warmup 5s --warmup-max 60s",
      "  intent bench --target http://127.0.0.1:8000 --rate 200 --duration 30s                 # open loop",
      "  intent bench --target http://127.0.0.1:8000 --rate 70 --arrivals constant --duration 10m # soak: steady load",
      "  intent bench --target http://127.0.0.1:8000 --concurrency 1,2,4,8,16,32 --duration 10s # sweep",
      "  intent bench --target inproc:models/clinc150 --pad-to 512 --concurrency 1              # reference setting",
      "  intent bench --target inproc:dist/clinc150-1.intent --concurrency 16 --inproc-batch 16  # batched in process",
      "  intent bench --target http://127.0.0.1:8000 --mode accuracy --concurrency 8",
      "  intent bench --target http://127.0.0.1:8000 --endpoint /v2/health/live --concurrency 64 --duration 10s",
      "  intent bench report run.json other.json --price-per-hour 1.18,0.526 --out report/",
      "  intent bench compare reference-inf1.csv reference-g4dn.csv"})
public final class BenchCommand implements Callable<Integer> {
  static final String DEFAULT_WARMUP_MAX = "30s";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--target", paramLabel = "TARGET",
      description = "http://host:port (Open Inference Protocol server), grpc://host:port, or inproc:PATH (model dir or .intent).")
  String target;

  @Option(names = "--model", paramLabel = "NAME",
      description = "Model name for network targets (default: the server's only model).")
  String model;

  @Option(names = "--mode", paramLabel = "MODE",
      description = "closed, open, sweep or accuracy (default: open with --rate, sweep with several values, else closed).")
  String mode;

  @Option(names = "--concurrency", split = ",", paramLabel = "N[,N...]", defaultValue = "1",
      description = "Requests in flight (closed loop); several values make a sweep; in-process worker threads. Default: ${DEFAULT-VALUE}.")
  List<Integer> concurrency;

  @Option(names = "--rate", split = ",", paramLabel = "R[,R...]",
      description = "Open loop: mean requests per second; several values make a rate sweep.")
  List<Double> rate;

  @Option(names = "--arrivals", defaultValue = "poisson", paramLabel = "poisson|constant",
      description = "Open loop: poisson (independent customers) or constant (sends exactly 1/rate apart, for soak"
          + " stability checks). Default: ${DEFAULT-VALUE}.")
  String arrivals;

  @Option(names = "--duration", defaultValue = "60s", paramLabel = "TIME",
      description = "Measured time per step, e.g. 500ms, 30s, 2m. Default: ${DEFAULT-VALUE}.")
  String duration;

  @Option(names = "--warmup", defaultValue = "5s", paramLabel = "TIME",
      description = "Warm-up before each step (the least; see --warmup-max): rows printed and marked, requests kept out of the totals. "
          + "An open loop (--rate) climbs from 0 to its rate over the first half of it. Default: ${DEFAULT-VALUE}.")
  String warmup;

  @Option(names = "--warmup-max", paramLabel = "TIME",
      description = "Closed loop: keep warming past --warmup until the last 4 intervals' throughputs agree within \u00b110%%"
          + " and stop climbing, also against the 4 before them (the harness's JIT and connections, and the target,"
          + " have settled), at most this long."
          + " Default: the larger of --warmup and " + DEFAULT_WARMUP_MAX + "; set it to --warmup for a fixed warm-up.")
  String warmupMax;

  @Option(names = "--interval", defaultValue = "1s", paramLabel = "TIME",
      description = "Time between rows (the reference used 10s). Default: ${DEFAULT-VALUE}.")
  String interval;

  @Option(names = "--window", defaultValue = "1000", paramLabel = "N",
      description = "Latencies kept for the rows' sliding p50/p90. Default: ${DEFAULT-VALUE}.")
  int window;

  @Option(names = "--data", paramLabel = "FILE",
      description = "Messages: CLINC150 JSON (test + oos_test splits), CSV/TSV with text,intent header, or JSONL. Default: the test messages of the CLINC150 copy shipped with intent.")
  Path data;

  @Option(names = "--messages", defaultValue = "0", paramLabel = "N",
      description = "Sample this many distinct messages (0 = all). Default: ${DEFAULT-VALUE}.")
  int messages;

  @Option(names = "--seed", defaultValue = "42", description = "Seeds message sampling and arrivals. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--csv", paramLabel = "FILE", description = "Write the reference CSV here.")
  Path csv;

  @Option(names = "--summary", paramLabel = "FILE.json", description = "Write the summary JSON here.")
  Path summary;

  @Option(names = "--pad-to", defaultValue = "0", paramLabel = "TOKENS",
      description = "inproc: pad every message to this many tokens (512 = the reference's setting; 0 = no padding). Default: ${DEFAULT-VALUE}.")
  int padTo;

  @Option(names = "--intra-op-threads", paramLabel = "N",
      description = "inproc: ONNX Runtime threads per request (default: cores / concurrency, at least 1).")
  Integer intraOpThreads;

  @Option(names = "--inproc-batch", defaultValue = "1", paramLabel = "N",
      description = "inproc: score up to N concurrent messages in one call, as a server's dynamic batching does: one worker"
          + " per core, each taking its share of what is waiting, lengths mixed (1 = each message alone, the reference's"
          + " batch size 1). E.g. --concurrency 16 --inproc-batch 16. Default: ${DEFAULT-VALUE}.")
  int inprocBatch;

  @Option(names = "--endpoint", paramLabel = "PATH",
      description = "HTTP: GET this path instead of inferring (measures the harness, e.g. /v2/health/live).")
  String endpoint;

  @Option(names = "--http", defaultValue = "auto", paramLabel = "auto|h1|h2",
      description = "HTTP version: auto (HTTP/2 when offered), h1 or h2 (cleartext). Default: ${DEFAULT-VALUE}.")
  String http;

  @Option(names = "--client-threads", defaultValue = "1", paramLabel = "N",
      description = "HTTP client event-loop threads. Default: ${DEFAULT-VALUE}.")
  int clientThreads;

  @Option(names = "--timeout", defaultValue = "30s", paramLabel = "TIME",
      description = "Per-request timeout; slower requests fail as 'timeout'. Default: ${DEFAULT-VALUE}.")
  String timeout;

  @Option(names = "--no-progress", description = "No progress bar (it is shown only on a terminal anyway).")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    if (target == null) {
      throw new IntentException("--target is required (e.g. --target http://127.0.0.1:8000); see 'intent bench --help'");
    }
    BenchConfig cfg = config();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConsoleRunListener listener = new ConsoleRunListener(out, err, !noProgress && System.console() != null);
    BenchResult result = new BenchRunner(listener).run(cfg);
    return printSummary(result.summary(), cfg, out, err, listener.warningsShown());
  }

  BenchConfig config() {
    TargetSpec t = TargetSpec.parse(target);
    Mode m = mode();
    List<Double> rates = rate == null ? List.of() : rate;
    RunPlan plan = RunPlan.of(m, m == Mode.OPEN || (m == Mode.SWEEP && rates.size() > 1) ? List.of(concurrency.get(0)) : concurrency,
        rates, Durations.parse("--warmup", warmup), Durations.parse("--duration", duration),
        Durations.parse("--interval", interval), window, seed).withArrivals(arrivals());
    // --warmup 0s asks for no warm-up: without an explicit --warmup-max, none runs (not the steady-state wait).
    java.time.Duration maxWarmup = warmupMax != null ? Durations.parse("--warmup-max", warmupMax)
        : plan.warmup().isZero() ? java.time.Duration.ZERO
        : java.util.Collections.max(List.of(plan.warmup(), Durations.parse("--warmup-max", DEFAULT_WARMUP_MAX)));
    plan = plan.withWarmupMax(maxWarmup);
    int cores = Runtime.getRuntime().availableProcessors();
    // Batching workers are threads that each run a whole batch: one per core, not one per request.
    int workers = inprocBatch > 1 ? Math.min(plan.maxConcurrency(), cores) : plan.maxConcurrency();
    int intra = intraOpThreads != null ? intraOpThreads : Math.max(1, cores / workers);
    TargetOptions o = new TargetOptions(model, endpoint, http, clientThreads, Durations.parse("--timeout", timeout),
        workers, intra, padTo, inprocBatch);
    if (inprocBatch != 1 && t.kind() != TargetSpec.Kind.INPROC) {
      throw new IntentException("--inproc-batch: only for in-process targets (a server batches by its own --max-batch)");
    }
    if (padTo > 0 && t.kind() != TargetSpec.Kind.INPROC) {
      throw new IntentException("--pad-to: only in-process targets can pad (a server pads as it was compiled)");
    }
    checkOutput("--csv", csv, t);
    checkOutput("--summary", summary, t);
    if (csv != null && summary != null && csv.toAbsolutePath().normalize().equals(summary.toAbsolutePath().normalize())) {
      throw new IntentException("--csv and --summary name the same file, " + csv + "; give each its own");
    }
    return new BenchConfig(t, o, plan, data, messages, csv, summary);
  }

  /** Checked before the run, so minutes of measurements are never lost to a path, nor an input to an output. */
  private void checkOutput(String option, Path file, TargetSpec t) {
    if (file == null) {
      return;
    }
    if (Files.isDirectory(file)) {
      throw new IntentException(option + " " + file + " is a directory; name a file");
    }
    OutputPlace.requireNotInput(option, file, new OutputPlace.Input("--target", t.path()), new OutputPlace.Input("--data", data));
    OutputPlace.requireWritable(option, file);
  }

  private Mode mode() {
    if (mode != null) {
      Mode m;
      try {
        m = Mode.valueOf(mode.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IntentException("--mode: '" + mode + "' is not one of closed, open, sweep, accuracy");
      }
      if (m == Mode.ACCURACY && rate != null && !rate.isEmpty()) {
        throw new IntentException("--rate: accuracy mode sends every message once at --concurrency; a rate would be ignored");
      }
      return m;
    }
    if (rate != null && !rate.isEmpty()) {
      return rate.size() > 1 ? Mode.SWEEP : Mode.OPEN;
    }
    return concurrency.size() > 1 ? Mode.SWEEP : Mode.CLOSED;
  }

  private Arrivals arrivals() {
    try {
      return Arrivals.valueOf(arrivals.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IntentException("--arrivals: '" + arrivals + "' is not one of poisson, constant");
    }
  }

  /** e.g. {@code stability: 96.8% of 600 intervals within \u00b15% of 70.0 inf/s (cv 2.1%); p99/p50 1.60}. */
  static String stabilityLine(Stability st) {
    return String.format(Locale.ROOT, "stability: %s of %d intervals within \u00b1%.0f%% of %.1f inf/s (cv %s); p99/p50 %.2f",
        Format.pct(st.within5pct()), st.intervals(), Stability.TOLERANCE * 100, st.meanThroughput(), Format.pct(st.cv()),
        st.p99OverP50());
  }

  /** A share with four decimals, or n/a where nothing was there to measure (no out-of-scope query). */
  private static String fraction(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
  }

  /** Prints the end-of-run block; returns the exit code (1 when any request failed). */
  static int printSummary(RunSummary s, BenchConfig cfg, PrintWriter out, PrintWriter err, List<String> shown) {
    LatencySummary l = s.latency();
    out.printf(Locale.ROOT, "summary: %d succeeded, %d failed; throughput %.2f inf/s%n", s.succeeded(), s.failed(), s.throughput());
    out.printf(Locale.ROOT, "latency (s): p50 %.6f  p90 %.6f  p95 %.6f  p99 %.6f  p99.9 %.6f  max %.6f%n",
        l.p50(), l.p90(), l.p95(), l.p99(), l.p999(), l.max());
    if (s.stability() != null) {
      out.println(stabilityLine(s.stability()));
    }
    if (s.steps().size() == 1 && s.steps().get(0).harness().get("send_lag_p99_ms") instanceof Double p99) {
      Map<String, Object> h = s.steps().get(0).harness();
      out.printf(Locale.ROOT, "send lag (ms, part of every latency above): p50 %.3f  p99 %.3f  max %.3f%n",
          (Double) h.get("send_lag_p50_ms"), p99, (Double) h.get("send_lag_max_ms"));
    }
    if (s.steps().size() > 1) {
      for (int i = 0; i < s.steps().size(); i++) {
        StepResult st = s.steps().get(i);
        out.printf(Locale.ROOT, "  %-20s %10.1f inf/s  p50 %.6f  p90 %.6f  p99 %.6f%s%n", st.load(), st.throughput(),
            st.latency().p50(), st.latency().p90(), st.latency().p99(), s.knee() != null && s.knee() == i ? "  <- knee" : "");
      }
    }
    AccuracyResult a = s.accuracy();
    if (a != null) {
      out.printf(Locale.ROOT, "accuracy as served: %.4f (%d/%d); in-scope %s; out-of-scope recall %s%n",
          a.accuracy(), a.correct(), a.answered(), fraction(a.inScopeAccuracy()), fraction(a.oosRecall()));
    }
    if (cfg.csv() != null) {
      out.println("csv: " + cfg.csv());
    }
    if (cfg.summary() != null) {
      out.println("summary: " + cfg.summary());
    }
    // The run printed its warnings as they happened; repeated here are only those it did not (the
    // failure count has its own line below).
    for (String w : s.warnings()) {
      if (!w.endsWith(" requests failed: " + s.errors()) && shown.stream().noneMatch(p -> w.equals(p) || w.endsWith(": " + p))) {
        err.println("bench: warning: " + w);
      }
    }
    out.flush();
    err.flush();
    if (s.failed() > 0) {
      err.println("bench: " + s.failed() + " requests failed: " + s.errors());
      return IntentCli.EXIT_FAILURE;
    }
    return 0;
  }
}
