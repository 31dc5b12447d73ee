package dev.intentinference.bench;

import dev.intentinference.core.data.LabeledText;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a benchmark: loads the messages, opens and probes the target, generates load step by
 * step, cuts each step into intervals, and writes the CSV and summary JSON.
 *
 * <pre>{@code
 * BenchConfig cfg = new BenchConfig(TargetSpec.parse("http://127.0.0.1:8000"),
 *     TargetOptions.defaults().withModel("clinc150"), RunPlan.closed(4, Duration.ofSeconds(60)),
 *     null, 0, Path.of("run.csv"), Path.of("run.json"));
 * BenchResult r = new BenchRunner(RunListener.NONE).run(cfg);
 * }</pre>
 */
public final class BenchRunner {
  private final RunListener listener;

  public BenchRunner(RunListener listener) {
    this.listener = listener;
  }

  public BenchResult run(BenchConfig cfg) throws InterruptedException {
    RunPlan plan = cfg.plan();
    List<LabeledText> rows = Workload.load(cfg.data(), cfg.messageLimit(), plan.seed());
    TargetOptions options = cfg.targetOptions();
    if (cfg.target().kind() == TargetSpec.Kind.INPROC) {
      // One thread per concurrent request at batch size 1; batching workers each run whole
      // batches, so there are as many as asked (one per core from the CLI), never more than requests.
      options = options.withWorkers(options.batch() > 1 ? Math.min(options.workers(), plan.maxConcurrency()) : plan.maxConcurrency());
    }
    String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    long pid = ProcessHandle.current().pid();
    try (Target target = Targets.open(cfg.target(), options, Workload.texts(rows))) {
      TargetInfo info = target.probe();
      Duration perStep = plan.warmup().plus(plan.duration());
      listener.onStart(info, plan, plan.mode() == Mode.ACCURACY ? Duration.ZERO : perStep.multipliedBy(plan.steps()));
      long runStart = System.nanoTime();
      List<Interval> intervals = new ArrayList<>();
      List<StepResult> steps = new ArrayList<>();
      List<String> warnings = new ArrayList<>();
      Map<String, Long> errors = new java.util.TreeMap<>();
      AccuracyResult accuracy = null;
      if (plan.mode() == Mode.ACCURACY) {
        RunRecorder rec = new RunRecorder(pid, plan.window(), System.nanoTime());
        accuracy = accuracy(target, rows, plan.maxConcurrency(), rec, options.timeout());
        Interval only = rec.tick(System.nanoTime(), false);
        intervals.add(only);
        listener.onInterval(only, Duration.ofNanos(System.nanoTime() - runStart));
        steps.add(step("concurrency " + plan.maxConcurrency(), plan.maxConcurrency(), null, rec, 0, 1, 0, Map.of(), 0));
      } else {
        for (int i = 0; i < plan.steps(); i++) {
          boolean open = plan.openLoop();
          Integer c = open ? null : plan.concurrency().get(plan.mode() == Mode.SWEEP ? i : 0);
          Double r = open ? plan.rates().get(plan.mode() == Mode.SWEEP ? i : 0) : null;
          String load = open ? String.format(java.util.Locale.ROOT, "rate %.1f/s", r) : "concurrency " + c;
          if (plan.steps() > 1) {
            listener.onStep(load);
          }
          steps.add(runStep(target, plan, i, c, r, load, rows.size(), pid, runStart, options.timeout(), intervals, warnings));
        }
      }
      steps.forEach(s -> s.errors().forEach((k, v) -> errors.merge(k, v, Long::sum)));
      Integer knee = plan.mode() == Mode.SWEEP ? Knee.of(steps) : null;
      StepResult headline = steps.get(knee == null ? 0 : knee);
      Stability stability = plan.mode() == Mode.ACCURACY ? null : Stability.of(
          intervals.subList(headline.firstRow(), headline.firstRow() + headline.rows()), headline.latency());
      long succeeded = steps.stream().mapToLong(StepResult::succeeded).sum();
      long failed = steps.stream().mapToLong(StepResult::failed).sum();
      if (failed > 0) {
        warnings.add(failed + " requests failed: " + errors);
      }
      String csvName = null;
      if (cfg.csv() != null) {
        csvName = cfg.summary() == null ? cfg.csv().toString() : relative(cfg.summary(), cfg.csv());
      }
      RunSummary summary = new RunSummary(RunSummary.FORMAT, startedAt, plan.mode().name().toLowerCase(java.util.Locale.ROOT),
          info, settings(cfg, options, rows.size()), MachineInfo.current(), csvName, plan.interval().toNanos() / 1e9,
          succeeded + failed, succeeded, failed, errors, headline.throughput(), headline.latency(), stability, steps, knee,
          accuracy, warnings);
      BenchResult result = new BenchResult(summary, intervals);
      if (cfg.csv() != null) {
        ReferenceCsv.write(cfg.csv(), result.rows());
      }
      if (cfg.summary() != null) {
        SummaryJson.write(cfg.summary(), summary);
      }
      listener.onEnd();
      return result;
    }
  }

  private StepResult runStep(Target target, RunPlan plan, int index, Integer concurrency, Double rate, String load,
      int messages, long pid, long runStart, Duration timeout, List<Interval> intervals, List<String> warnings)
      throws InterruptedException {
    long start = System.nanoTime();
    RunRecorder rec = new RunRecorder(pid, plan.window(), start);
    LoadDriver driver = rate != null
        ? new OpenLoop(target, new RampedSchedule(plan.arrivals().schedule(rate, plan.seed() + index), rampNanos(plan)),
            messages, rec)
        : new ClosedLoop(target, concurrency, messages, rec);
    int firstRow = intervals.size();
    int warmupRows = 0;
    driver.start();
    long warmMin = start + plan.warmup().toNanos();
    long warmMax = start + plan.warmupMax().toNanos();
    boolean untilSteady = plan.warmsUntilSteady();
    long interval = plan.interval().toNanos();
    List<Double> warmThroughputs = new ArrayList<>();
    boolean warm = warmMax > start;
    long end = warm ? Long.MAX_VALUE : start + plan.duration().toNanos();
    long next = start;
    while (true) {
      // Warm-up ends on a row boundary, so no row mixes warm-up with measured requests.
      long boundary = !warm ? end : next < warmMin ? warmMin : warmMax;
      next = Math.min(next + interval, boundary);
      sleepUntil(next);
      if (!warm && next >= end) {
        // Stop sending before the last row closes: a request started after it (while the row is
        // printed) would land in the totals without belonging to any measured row. Only those in
        // flight, at most the concurrency, complete after it and count.
        driver.stop();
      }
      Interval iv = rec.tick(System.nanoTime(), warm);
      intervals.add(iv);
      listener.onInterval(iv, Duration.ofNanos(System.nanoTime() - runStart));
      if (warm) {
        warmupRows++;
        warmThroughputs.add(iv.row().throughput());
        boolean steady = untilSteady && SteadyWarmup.isSteady(warmThroughputs);
        if (next >= warmMin && (!untilSteady || steady || next >= warmMax)) {
          if (untilSteady && !steady) {
            String w = String.format(java.util.Locale.ROOT, "throughput was not steady after the longest warm-up (--warmup-max %s);"
                + " the first measured intervals may still include the harness's or the target's warm-up", Durations.seconds(plan.warmupMax()));
            warnings.add(load + ": " + w);
            listener.onWarning(w);
          }
          warm = false;
          driver.warmupEnded();
          end = next + plan.duration().toNanos();
        }
      } else if (next >= end) {
        break;
      }
    }
    driver.stop();
    long unfinished = driver.awaitDrained(timeout);
    long drained = rec.drain();
    for (long u = 0; u < unfinished; u++) {
      rec.recordFailure("unfinished at end of run");
    }
    if (rec.warmupFailed() > 0) {
      String w = rec.warmupFailed() + " requests failed during the warm-up " + rec.warmupErrors()
          + "; they are not in the measured totals";
      warnings.add(load + ": " + w);
      listener.onWarning(w);
    }
    if (rate != null && drained > 0) {
      // Closed loops leave at most their concurrency in flight; an open loop leaves what the target
      // fell behind by, which can be most of a run.
      String w = drained + " requests were still in flight when the last interval ended and completed after it: their "
          + "latencies are in the percentiles and the totals, not in the CSV rows or the throughput";
      warnings.add(load + ": " + w);
      listener.onWarning(w);
    }
    String warning = driver.harnessWarning();
    if (warning != null) {
      warnings.add(load + ": " + warning);
      listener.onWarning(warning);
    }
    return step(load, concurrency, rate, rec, firstRow, intervals.size() - firstRow, warmupRows, driver.harnessStats(), drained);
  }

  private static StepResult step(String load, Integer concurrency, Double rate, RunRecorder rec, int firstRow, int rows,
      int warmupRows, Map<String, Object> harness, long drained) {
    var total = rec.total();
    return new StepResult(load, concurrency, rate, total.getTotalCount(), rec.failed(), rec.measuredThroughput(),
        LatencySummary.of(total), rec.errors(), firstRow, rows, warmupRows, harness, drained);
  }

  private static void sleepUntil(long deadline) throws InterruptedException {
    long now;
    while ((now = System.nanoTime()) < deadline) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      LockSupport.parkNanos(deadline - now);
    }
  }

  /** Sends every message once with {@code concurrency} in flight and scores the answers. */
  static AccuracyResult accuracy(Target target, List<LabeledText> rows, int concurrency, RunRecorder rec, Duration timeout)
      throws InterruptedException {
    String[] answers = new String[rows.size()];
    Semaphore slots = new Semaphore(concurrency);
    for (int i = 0; i < rows.size(); i++) {
      slots.acquire();
      final int m = i;
      final long t0 = System.nanoTime();
      target.send(m, true).whenComplete((r, e) -> {
        if (r != null && r.ok()) {
          rec.recordSuccess(System.nanoTime() - t0);
          answers[m] = r.label();
        } else {
          rec.recordFailure(r == null ? String.valueOf(e) : r.failure());
        }
        slots.release();
      });
    }
    if (!slots.tryAcquire(concurrency, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      rec.recordFailure("unfinished at end of run");
    }
    AtomicInteger answered = new AtomicInteger();
    int correct = 0, inScope = 0, inScopeCorrect = 0, oos = 0, oosRecalled = 0;
    for (int i = 0; i < rows.size(); i++) {
      String a = answers[i];
      if (a == null) {
        continue;
      }
      answered.incrementAndGet();
      LabeledText gold = rows.get(i);
      boolean right = gold.intent().equals(a);
      correct += right ? 1 : 0;
      if (gold.isOutOfScope()) {
        oos++;
        oosRecalled += right ? 1 : 0;
      } else {
        inScope++;
        inScopeCorrect += right ? 1 : 0;
      }
    }
    int n = answered.get();
    return new AccuracyResult(rows.size(), n, correct, n == 0 ? 0 : (double) correct / n, inScope,
        inScope == 0 ? Double.NaN : (double) inScopeCorrect / inScope, oos, oos == 0 ? Double.NaN : (double) oosRecalled / oos);
  }

  /** An open loop ramps its rate up over the first half of the warm-up (none without one). */
  static long rampNanos(RunPlan plan) {
    return plan.warmup().toNanos() / 2;
  }

  private static Map<String, Object> settings(BenchConfig cfg, TargetOptions o, int messages) {
    RunPlan p = cfg.plan();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", cfg.target().toString());
    m.put("mode", p.mode().name().toLowerCase(java.util.Locale.ROOT));
    m.put("concurrency", p.concurrency());
    m.put("rates_per_s", p.rates());
    if (p.openLoop()) {
      m.put("arrivals", p.arrivals().id());
      m.put("warmup_ramp_s", rampNanos(p) / 1e9);
    }
    m.put("warmup_s", p.warmup().toNanos() / 1e9);
    if (p.warmsUntilSteady()) {
      m.put("warmup_max_s", p.warmupMax().toNanos() / 1e9);
    }
    m.put("duration_s", p.duration().toNanos() / 1e9);
    m.put("interval_s", p.interval().toNanos() / 1e9);
    m.put("window", p.window());
    m.put("seed", p.seed());
    m.put("data", cfg.data() == null ? "CLINC150 test + oos_test (default)" : cfg.data().toString());
    m.put("messages", messages);
    m.put("batch_size", 1);
    m.put("timeout_s", o.timeout().toNanos() / 1e9);
    if (cfg.target().kind() == TargetSpec.Kind.INPROC) {
      m.put("workers", o.workers());
      m.put("intra_op_threads", o.intraOpThreads());
      m.put("pad_to", o.padTo());
      m.put("inproc_batch", o.batch());
    } else {
      m.put("model", o.model());
      m.put("endpoint", o.endpoint() == null ? "infer" : o.endpoint());
      m.put("http", o.httpProtocol());
      m.put("client_threads", o.clientThreads());
    }
    return m;
  }

  private static String relative(Path summary, Path csv) {
    Path base = summary.toAbsolutePath().getParent();
    return base.relativize(csv.toAbsolutePath()).toString();
  }
}
