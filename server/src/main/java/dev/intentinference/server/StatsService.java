package dev.intentinference.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/stats}: the server's own metrics as one small JSON object for the dashboard,
 * read from the same Micrometer registry {@code /metrics} exposes. Counters and histogram buckets
 * are cumulative since start, like Prometheus counters: a client takes the difference of two polls
 * (rates, percentiles over the interval). Nothing here runs on the inference path; a poll reads a
 * few dozen meters.
 *
 * <pre>{@code
 * curl -s localhost:8000/v1/stats
 * {"time_ms":...,"started_ms":...,"requests":{"total":120,"by_api":{"v1_predict":120}},"errors":{"total":1,"unavailable":0,
 *  "by_cause":{"empty_text":1}},"latency_seconds":{"le":[1.0E-4,...],"counts":[0,...],"count":120,"sum":0.41},
 *  "batch_size":{...},"queue_depth":{"clinc150":0},"cascade":{},"models":[{"name":"clinc150","serving_version":"2",...}]}
 * }</pre>
 */
final class StatsService implements HttpService {
  private final ModelRegistry registry;
  private final MeterRegistry meters;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final boolean reports;
  /** When these counters started: a client that sees it change knows they restarted from zero. */
  private final long startedMillis;

  StatsService(ModelRegistry registry, MeterRegistry meters, ObjectMapper mapper, Clock clock, boolean reports) {
    this.registry = registry;
    this.meters = meters;
    this.mapper = mapper;
    this.clock = clock;
    this.reports = reports;
    this.startedMillis = clock.millis();
  }

  @Override
  public HttpResponse serve(com.linecorp.armeria.server.ServiceRequestContext ctx,
      com.linecorp.armeria.common.HttpRequest req) {
    try {
      return HttpResponse.builder().ok().content(com.linecorp.armeria.common.MediaType.JSON_UTF_8,
          mapper.writeValueAsBytes(stats())).header("cache-control", "no-store").build();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  Map<String, Object> stats() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("time_ms", clock.millis());
    out.put("started_ms", startedMillis);
    out.put("server", Map.of("name", MetadataService.SERVER_NAME, "version", MetadataService.serverVersion()));
    Map<String, Double> byApi = new TreeMap<>();
    for (Counter c : meters.find("intent_requests_total").counters()) {
      byApi.merge(c.getId().getTag("api"), c.count(), Double::sum);
    }
    out.put("requests", Map.of("total", sum(byApi.values()), "by_api", byApi));
    Map<String, Double> byCause = new TreeMap<>();
    for (Counter c : meters.find("intent_errors_total").counters()) {
      byCause.merge(c.getId().getTag("cause"), c.count(), Double::sum);
    }
    double unavailable = 0;
    for (ErrorCause cause : ErrorCause.values()) {
      if (cause.httpStatus() == 503) {
        unavailable += byCause.getOrDefault(cause.tag(), 0.0);
      }
    }
    Map<String, Object> errors = new LinkedHashMap<>();
    errors.put("total", sum(byCause.values()));
    errors.put("unavailable", unavailable);
    errors.put("by_cause", byCause);
    out.put("errors", errors);
    List<HistogramSnapshot> requestTimes = new ArrayList<>();
    for (Timer t : meters.find("intent_request").tag("outcome", "ok").timers()) { // answers only: not quick 503s
      requestTimes.add(t.takeSnapshot());
    }
    out.put("latency_seconds", histogram(requestTimes, true));
    List<HistogramSnapshot> batches = new ArrayList<>();
    for (DistributionSummary s : meters.find("intent_batch_size").summaries()) {
      batches.add(s.takeSnapshot());
    }
    out.put("batch_size", histogram(batches, false));
    Map<String, Double> depth = new TreeMap<>();
    for (Gauge g : meters.find("intent_queue_depth").gauges()) {
      depth.put(g.getId().getTag("model"), g.value());
    }
    out.put("queue_depth", depth);
    // Only cascades have these, from their first batch on: the dashboard charts the share escalated.
    Map<String, Map<String, Double>> cascades = new TreeMap<>();
    for (Counter c : meters.find("intent_cascade_texts_total").counters()) {
      cascades.computeIfAbsent(c.getId().getTag("model"), m -> new TreeMap<>()).put("texts", c.count());
    }
    for (Counter c : meters.find("intent_cascade_escalated_total").counters()) {
      cascades.computeIfAbsent(c.getId().getTag("model"), m -> new TreeMap<>()).put("escalated", c.count());
    }
    out.put("cascade", cascades);
    List<Map<String, Object>> models = new ArrayList<>();
    for (String name : registry.names()) {
      try {
        ModelSlot slot = registry.slot(name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("serving_version", slot.current().version());
        m.put("loaded_versions", slot.loadedVersions());
        models.add(m);
      } catch (ApiException e) {
        // unloaded between names() and slot(): not served, so not listed
      }
    }
    out.put("models", models);
    out.put("reports", reports);
    return out;
  }

  /**
   * Bucket upper bounds and cumulative counts (values at most {@code le}), summed over the
   * snapshots, which share their buckets; {@code count} includes values above the last bound.
   */
  private static Map<String, Object> histogram(List<HistogramSnapshot> snapshots, boolean seconds) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    long count = 0;
    double total = 0;
    for (HistogramSnapshot s : snapshots) {
      count += s.count();
      total += seconds ? s.total(TimeUnit.SECONDS) : s.total();
      for (CountAtBucket b : s.histogramCounts()) {
        buckets.merge(seconds ? b.bucket(TimeUnit.SECONDS) : b.bucket(), b.count(), Double::sum);
      }
    }
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("le", new ArrayList<>(buckets.keySet()));
    h.put("counts", buckets.values().stream().map(Math::round).toList());
    h.put("count", count);
    h.put("sum", total);
    return h;
  }

  private static double sum(Iterable<Double> values) {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return s;
  }
}
