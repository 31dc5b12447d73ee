package dev.intentinference.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.data.LabeledText;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.model.IntentPrediction;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.Manifests;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short real runs: the harness against a real Open Inference Protocol server on a loopback port
 * serving a real model (the int8 encoder from its Maven jar with a nearest-centroid head), and
 * the same model in process. No timing is asserted, only what the runs counted and wrote.
 */
class LoopbackBenchTest {
  @TempDir static Path dir;
  static Path model;
  static Path data;
  static IntentPredictor predictor;
  static OipTestServer server;
  static String manifestHash;

  @BeforeAll
  static void start() throws Exception {
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("update_address", List.of("change my address", "update my home address", "i moved, new address"));
    examples.put("balance", List.of("what is my balance", "how much money do i have", "show account balance"));
    examples.put("weather", List.of("will it rain today", "what's the weather like", "temperature outside"));
    model = dir.resolve("model");
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), SessionSettings.singleThread())) {
      new CentroidModelBuilder(enc, "demo", "3").write(model, examples, 0.5);
    }
    predictor = ModelLoader.open(model, LoadOptions.defaults().withSession(SessionSettings.singleThread()));
    manifestHash = Hashes.sha256(Manifests.toJson(predictor.manifest()));
    data = dir.resolve("messages.csv");
    Files.writeString(data, String.join("\n",
        "text,intent",
        "please change company address,update_address",
        "my address changed,update_address",
        "how much is in my account,balance",
        "account balance please,balance",
        "is it going to be sunny tomorrow,weather",
        "do i need an umbrella,weather",
        "tell me a joke about cats,oos",
        "who won the football game,oos") + "\n");
    server = new OipTestServer(0, "demo", predictor, 1);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (predictor != null) {
      predictor.close();
    }
  }

  static RunPlan plan(Mode mode, List<Integer> c, List<Double> rates) {
    return RunPlan.of(mode, c, rates, Duration.ofMillis(200), Duration.ofMillis(800), Duration.ofMillis(200), 100, 1);
  }

  static BenchConfig config(String target, TargetOptions o, RunPlan p, String name) {
    return new BenchConfig(TargetSpec.parse(target), o, p, data, 0,
        name == null ? null : dir.resolve(name + ".csv"), name == null ? null : dir.resolve(name + ".json"));
  }

  @Test
  void closedLoopOverHttpWritesRowsCsvAndSummary() throws Exception {
    BenchResult r = new BenchRunner(RunListener.NONE).run(
        config(server.url(), TargetOptions.defaults().withModel("demo"), plan(Mode.CLOSED, List.of(2), List.of()), "closed"));
    RunSummary s = r.summary();
    assertThat(s.failed()).isZero();
    assertThat(s.succeeded()).isPositive();
    assertThat(s.target().manifestSha256()).as("hash read from GET /v2/models/demo").isEqualTo(manifestHash);
    assertThat(s.target().modelVersion()).isEqualTo("3");
    // 200 ms warm-up + 800 ms at 200 ms per row: 1 warm-up row and 4 measured rows.
    assertThat(r.intervals()).hasSize(5);
    assertThat(s.steps().get(0).warmupRows()).isEqualTo(1);
    assertThat(r.intervals().get(0).warmup()).isTrue();
    // Counts are cumulative and the measured ones add up to the totals (plus the in-flight
    // requests counted at the end, at most the concurrency).
    long warm = r.intervals().get(0).latency().count();
    long measured = r.intervals().stream().skip(1).mapToLong(i -> i.latency().count()).sum();
    assertThat(r.rows().get(4).count()).isEqualTo(warm + measured);
    assertThat(s.succeeded()).isBetween(measured, measured + 2);
    assertThat(s.latency().p50()).isPositive().isLessThanOrEqualTo(s.latency().p99());
    assertThat(s.latency().p99()).isLessThanOrEqualTo(s.latency().max());
    List<IntervalRow> csv = ReferenceCsv.read(dir.resolve("closed.csv"));
    assertThat(csv).hasSize(5);
    assertThat(csv.get(4).count()).isEqualTo(r.rows().get(4).count());
    RunSummary back = SummaryJson.read(dir.resolve("closed.json"));
    assertThat(back.csv()).isEqualTo("closed.csv");
    assertThat(back.machine().cores()).isPositive();
    assertThat(back.settings()).containsEntry("concurrency", List.of(2));
    assertThat(back.stability().intervals()).as("the 4 measured rows").isEqualTo(4);
    assertThat(Files.readString(dir.resolve("closed.json"))).contains("\"manifest_sha256\"").contains("\"p99_9\"").contains("\"cpu_model\"");
  }

  @Test
  void aWarmUpUntilSteadyIsMarkedAndKeptOutOfTheTotals() throws Exception {
    // At least 200 ms, then until 4 rows of 200 ms agree, at most 3 s; then 800 ms measured.
    RunPlan p = plan(Mode.CLOSED, List.of(2), List.of()).withWarmupMax(Duration.ofSeconds(3));
    BenchResult r = new BenchRunner(RunListener.NONE).run(config(server.url(), TargetOptions.defaults().withModel("demo"), p, "steady"));
    RunSummary s = r.summary();
    int warmRows = s.steps().get(0).warmupRows();
    assertThat(warmRows).as("steady needs %d rows; the cap is 15", 2 * SteadyWarmup.WINDOW).isBetween(2 * SteadyWarmup.WINDOW, 15);
    assertThat(r.intervals()).hasSize(warmRows + 4);
    assertThat(r.intervals().subList(0, warmRows)).allMatch(Interval::warmup);
    assertThat(r.intervals().subList(warmRows, warmRows + 4)).noneMatch(Interval::warmup);
    List<Double> warmThroughputs = r.intervals().subList(0, warmRows).stream().map(i -> i.row().throughput()).toList();
    for (int k = 1; k < warmRows; k++) {
      assertThat(SteadyWarmup.isSteady(warmThroughputs.subList(0, k))).as("the warm-up ends at the first steady row, not after row %d", k).isFalse();
    }
    // The 15th row may be the first steady one: only a warm-up that ends unsteady is warned about.
    boolean steady = SteadyWarmup.isSteady(warmThroughputs);
    boolean warned = s.warnings().stream().anyMatch(w -> w.contains("not steady after the longest warm-up"));
    assertThat(warned).as("warned exactly when the warm-up ended unsteady (%d rows: %s)", warmRows, warmThroughputs).isEqualTo(!steady);
    if (!steady) {
      assertThat(warmRows).as("an unsteady warm-up runs to its cap").isEqualTo(15);
    }
    long measured = r.intervals().stream().skip(warmRows).mapToLong(i -> i.latency().count()).sum();
    assertThat(s.succeeded()).as("no warm-up request in the totals").isBetween(measured, measured + 2);
    assertThat(s.stability().intervals()).isEqualTo(4);
    RunSummary back = SummaryJson.read(dir.resolve("steady.json"));
    assertThat(back.settings()).containsEntry("warmup_max_s", 3.0);
    assertThat(back.steps().get(0).warmupRows()).as("the report sets the CSV's warm-up rows apart by this").isEqualTo(warmRows);
    assertThat(ReferenceCsv.read(dir.resolve("steady.csv"))).hasSize(warmRows + 4);
  }

  @Test
  void accuracyAsServedMatchesTheModelInProcess() throws Exception {
    BenchResult r = new BenchRunner(RunListener.NONE).run(
        config(server.url(), TargetOptions.defaults(), plan(Mode.ACCURACY, List.of(3), List.of()), null));
    AccuracyResult a = r.summary().accuracy();
    assertThat(r.summary().target().model()).as("the server's only model, from its repository index").isEqualTo("demo");
    assertThat(a.messages()).isEqualTo(8);
    assertThat(a.answered()).isEqualTo(8);
    // The same decisions made directly with the predictor.
    int correct = 0;
    for (LabeledText t : Workload.load(data, 0, 1)) {
      IntentPrediction p = predictor.predict(t.text());
      correct += t.intent().equals(p.outOfScope() ? LabeledText.OUT_OF_SCOPE : p.intent()) ? 1 : 0;
    }
    assertThat(a.correct()).isEqualTo(correct);
    assertThat(a.inScope()).isEqualTo(6);
    assertThat(a.outOfScope()).isEqualTo(2);
  }

  @Test
  void openLoopAndSweep() throws Exception {
    BenchResult open = new BenchRunner(RunListener.NONE).run(
        config(server.url(), TargetOptions.defaults().withModel("demo"), plan(Mode.OPEN, List.of(1), List.of(40.0)), null));
    assertThat(open.summary().failed()).isZero();
    assertThat(open.summary().succeeded()).isPositive();
    assertThat(open.summary().steps().get(0).harness()).containsKeys("late_sends", "max_send_lag_ms", "kept_up", "offered_rate_per_s", "send_lag_p99_ms");
    assertThat(open.summary().settings()).containsEntry("arrivals", "poisson").containsEntry("warmup_ramp_s", 0.1);
    BenchResult constant = new BenchRunner(RunListener.NONE).run(config(server.url(), TargetOptions.defaults().withModel("demo"),
        plan(Mode.OPEN, List.of(1), List.of(40.0)).withArrivals(Arrivals.CONSTANT), "constant"));
    assertThat(constant.summary().failed()).isZero();
    assertThat(constant.summary().settings()).containsEntry("arrivals", "constant");
    // 4 measured rows of 200 ms; how steady they were depends on the machine, so only the shape is checked.
    Stability st = constant.summary().stability();
    assertThat(st.intervals()).isEqualTo(4);
    assertThat(st.within5pct()).isBetween(0.0, 1.0);
    assertThat(Files.readString(dir.resolve("constant.json"))).contains("\"arrivals\" : \"constant\"")
        .contains("\"stability\"").contains("\"within_5pct\"").contains("\"p99_over_p50\"").contains("\"mean_throughput\"");
    assertThat(SummaryJson.read(dir.resolve("constant.json")).stability()).isEqualTo(st);
    BenchResult sweep = new BenchRunner(RunListener.NONE).run(
        config(server.url(), TargetOptions.defaults().withModel("demo"), plan(Mode.SWEEP, List.of(1, 2), List.of()), "sweep"));
    assertThat(sweep.summary().steps()).extracting(StepResult::load).containsExactly("concurrency 1", "concurrency 2");
    assertThat(sweep.summary().knee()).isIn(0, 1);
    assertThat(sweep.intervals()).hasSize(10);
    assertThat(sweep.summary().settings()).doesNotContainKey("arrivals");
  }

  @Test
  void requestsInFlightAtTheEndCountInTheTotalsAndAreNamedNotHidden() throws Exception {
    // 40/s against answers that take 300 ms: about 12 requests are in flight when the last row closes.
    BenchResult r = new BenchRunner(RunListener.NONE).run(
        config(server.url(), TargetOptions.defaults().withModel("slow"), plan(Mode.OPEN, List.of(1), List.of(40.0)), null));
    StepResult step = r.summary().steps().get(0);
    List<Interval> measured = r.intervals().subList(step.firstRow() + step.warmupRows(), step.firstRow() + step.rows());
    long inRows = measured.stream().mapToLong(i -> i.latency().count()).sum();
    assertThat(step.completedAfterLastRow()).isPositive();
    assertThat(step.succeeded()).as("rows + completed after the last row").isEqualTo(inRows + step.completedAfterLastRow());
    assertThat(r.summary().warnings()).anySatisfy(w -> assertThat(w).contains(step.completedAfterLastRow()
        + " requests were still in flight when the last interval ended"));
    assertThat(step.latency().max()).isGreaterThanOrEqualTo(OipTestServer.SLOW_MILLIS / 1e3);
  }

  @Test
  void failuresAreCountedByCauseAndKeptOutOfPercentiles() throws Exception {
    BenchResult r = new BenchRunner(RunListener.NONE).run(
        config(server.url(), TargetOptions.defaults().withModel("flaky"), plan(Mode.CLOSED, List.of(1), List.of()), null));
    RunSummary s = r.summary();
    assertThat(s.failed()).isPositive();
    assertThat(s.succeeded()).isZero();
    assertThat(s.errors()).containsOnlyKeys("http 503");
    assertThat(s.latency().count()).isZero();
    assertThat(s.warnings()).anyMatch(w -> w.contains("requests failed"));
  }

  @Test
  void healthEndpointMode() throws Exception {
    TargetOptions o = new TargetOptions(null, "/v2/health/live", "h1", 1, Duration.ofSeconds(5), 1, 1, 0);
    BenchResult r = new BenchRunner(RunListener.NONE).run(config(server.url(), o, plan(Mode.CLOSED, List.of(4), List.of()), null));
    assertThat(r.summary().failed()).isZero();
    assertThat(r.summary().succeeded()).isPositive();
    assertThat(r.summary().target().platform()).isEqualTo("GET /v2/health/live");
  }

  @Test
  void inProcessRunWithPadding() throws Exception {
    TargetOptions o = TargetOptions.defaults().withPadTo(64);
    BenchResult r = new BenchRunner(RunListener.NONE).run(config("inproc:" + model, o, plan(Mode.CLOSED, List.of(1), List.of()), null));
    assertThat(r.summary().failed()).isZero();
    assertThat(r.summary().succeeded()).isPositive();
    assertThat(r.summary().target().manifestSha256()).isEqualTo(manifestHash);
    assertThat(r.summary().target().platform()).contains("padded to 64 tokens");
    assertThat(r.summary().settings()).containsEntry("pad_to", 64).containsEntry("workers", 1);
  }

  @Test
  void inProcessRunWithBatching() throws Exception {
    TargetOptions o = TargetOptions.defaults().withWorkers(2).withBatch(8);
    BenchResult r = new BenchRunner(RunListener.NONE).run(config("inproc:" + model, o, plan(Mode.CLOSED, List.of(8), List.of()), null));
    assertThat(r.summary().failed()).isZero();
    assertThat(r.summary().succeeded()).isPositive();
    assertThat(r.summary().target().platform()).contains("batches of up to 8 on 2 workers");
    assertThat(r.summary().settings()).containsEntry("inproc_batch", 8).containsEntry("workers", 2);
  }

  @Test
  void badTargetsFailWithOneClearError() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    RunPlan p = plan(Mode.CLOSED, List.of(1), List.of());
    assertThatThrownBy(() -> new BenchRunner(RunListener.NONE).run(
            config("http://127.0.0.1:" + closedPort, TargetOptions.defaults().withModel("demo"), p, null)))
        .isInstanceOf(IntentException.class).hasMessageStartingWith("cannot reach http://127.0.0.1:" + closedPort);
    assertThatThrownBy(() -> new BenchRunner(RunListener.NONE).run(config(server.url(), TargetOptions.defaults().withModel("nope"), p, null)))
        .isInstanceOf(IntentException.class).hasMessageContaining("unknown model 'nope'");
  }
}
