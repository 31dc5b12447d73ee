package dev.intentinference.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics, one registry per server (no global registry):
 *
 * <ul>
 *   <li>{@code intent_requests_total{api,model}}: requests answered or refused; requests naming a
 *       model never served here are counted under {@code model="(not served)"}, so clients cannot
 *       add series without end;
 *   <li>{@code intent_errors_total{cause}}: failures by {@link ErrorCause#tag()};
 *   <li>{@code intent_queue_seconds}, {@code intent_batch_seconds}, {@code intent_inference_seconds},
 *       {@code intent_request_seconds} (histograms): time waiting in the queue, time a batch spent
 *       forming, engine time per batch, and whole-request time ({@code outcome="ok"} for answers,
 *       {@code "error"} for refusals and failures: a flood of quick 503s must not read as faster
 *       service);
 *   <li>{@code intent_batch_size} (histogram), {@code intent_queue_depth{model}} (gauge);
 *   <li>{@code intent_requests_in_flight} (gauge): inference requests taken and not yet answered,
 *       what a graceful shutdown waits for;
 *   <li>{@code intent_model_loaded{model,version}}: 1 per version being served;
 *       {@code intent_model_load_failures_total{model}}.
 * </ul>
 *
 * <pre>{@code
 * ServerMetrics m = new ServerMetrics();
 * m.error(ErrorCause.QUEUE_FULL);
 * String text = m.scrape(); // Prometheus text format
 * }</pre>
 */
public final class ServerMetrics {
  // Latency buckets from 100 us to 5 s: batch-size-1 inference is a few ms, overload is seconds.
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
    Duration.ofMillis(2), Duration.ofMillis(3), Duration.ofMillis(4), Duration.ofMillis(6), Duration.ofMillis(8),
    Duration.ofMillis(12), Duration.ofMillis(16), Duration.ofMillis(25), Duration.ofMillis(40), Duration.ofMillis(60),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)
  };
  private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  // Registered up front (0 with a local repository) so alert rules on them always have a series.
  private final Counter repositorySyncs = Counter.builder("intent_repository_syncs_total")
      .description("copies of a remote (S3) repository that succeeded").register(registry);
  private final Counter repositorySyncFailures = Counter.builder("intent_repository_sync_failures_total")
      .description("copies of a remote (S3) repository that failed: the local copy kept serving").register(registry);
  /** The model label of requests naming a model never served: not a valid model name, so no model has it. */
  static final String NOT_SERVED = "(not served)";

  private final Map<String, Map<String, Counter>> requestCounters = new ConcurrentHashMap<>();
  /** Models ever served: only they get request series of their own. */
  private final Set<String> servedModels = ConcurrentHashMap.newKeySet();
  private final Map<ErrorCause, Counter> errorCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter[]> cascadeCounters = new ConcurrentHashMap<>();
  private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();
  private final Map<String, Timer> failedRequestTimers = new ConcurrentHashMap<>();
  private final Map<String, Meter.Id> loadedGauges = new ConcurrentHashMap<>();
  private final Timer queue = timer("intent_queue", "time a text waited in the queue before its batch ran");
  private final Timer batch = timer("intent_batch", "time a batch spent forming (waiting for more requests)");
  private final Timer inference = timer("intent_inference", "engine time per batch");
  private final DistributionSummary batchSize = DistributionSummary.builder("intent_batch_size")
      .description("texts per batch run").serviceLevelObjectives(BATCH_BUCKETS).register(registry);

  private Timer timer(String name, String description) {
    return Timer.builder(name).description(description).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * Counts one request and records its total latency.
   *
   * @param api {@code v2_infer}, {@code v1_predict} or {@code grpc_infer}
   * @param ok whether it was answered (else refused or failed)
   */
  public void request(String api, String model, long nanos, boolean ok) {
    // Looked up without building a key or a capturing lambda: this runs for every request.
    Counter counter = requestCounters.computeIfAbsent(api, a -> new ConcurrentHashMap<>()).get(model);
    if (counter == null) {
      String label = servedModels.contains(model) ? model : NOT_SERVED;
      counter = requestCounters.get(api).computeIfAbsent(label, m -> Counter.builder("intent_requests_total")
          .description("inference requests").tag("api", api).tag("model", m).register(registry));
    }
    counter.increment();
    Map<String, Timer> timers = ok ? requestTimers : failedRequestTimers;
    Timer timer = timers.get(api);
    if (timer == null) {
      timer = timers.computeIfAbsent(api, a -> Timer.builder("intent_request").description("whole-request time")
          .tag("api", a).tag("outcome", ok ? "ok" : "error").serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
    }
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void error(ErrorCause cause) {
    errorCounters.computeIfAbsent(cause, c -> Counter.builder("intent_errors_total").description("failed requests by cause")
        .tag("cause", c.tag()).register(registry)).increment();
  }

  void queueWait(long nanos) {
    queue.record(nanos, TimeUnit.NANOSECONDS);
  }

  void batchRun(int size, long formingNanos, long inferenceNanos) {
    batchSize.record(size);
    batch.record(formingNanos, TimeUnit.NANOSECONDS);
    inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Counts a cascade's texts and those its fallback model answered: their ratio is the share of
   * messages that pay for the second network.
   */
  void escalated(String model, int texts, int escalated) {
    // Looked up first: this runs for every batch, and the registering lambda captures.
    Counter[] c = cascadeCounters.get(model);
    if (c == null) {
      c = cascadeCounters.computeIfAbsent(model, m -> new Counter[] {
          Counter.builder("intent_cascade_texts_total").description("texts a cascade model answered").tag("model", m).register(registry),
          Counter.builder("intent_cascade_escalated_total").description("texts a cascade's fallback model answered again")
              .tag("model", m).register(registry)});
    }
    c[0].increment(texts);
    c[1].increment(escalated);
  }

  void queueDepth(String model, Supplier<Number> depth) {
    Gauge.builder("intent_queue_depth", depth).description("texts waiting per model").tag("model", model)
        .strongReference(true).register(registry);
  }

  void requestsInFlight(Supplier<Number> count) {
    Gauge.builder("intent_requests_in_flight", count)
        .description("inference requests (and gRPC calls) taken and not yet answered").strongReference(true).register(registry);
  }

  void modelLoaded(String model, String version) {
    servedModels.add(model);
    Meter.Id id = Gauge.builder("intent_model_loaded", () -> 1).description("1 for each model version being served")
        .tag("model", model).tag("version", version).strongReference(true).register(registry).getId();
    loadedGauges.put(model + '\0' + version, id);
  }

  void modelUnloaded(String model, String version) {
    Meter.Id id = loadedGauges.remove(model + '\0' + version);
    if (id != null) {
      registry.remove(id);
    }
  }

  void repositorySync(boolean ok) {
    (ok ? repositorySyncs : repositorySyncFailures).increment();
  }

  void loadFailure(String model) {
    registry.counter("intent_model_load_failures_total", "model", model).increment();
  }
}
