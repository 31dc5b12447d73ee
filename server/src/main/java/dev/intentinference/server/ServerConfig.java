package dev.intentinference.server;

import dev.intentinference.core.model.ModelNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the inference server is started with, validated up front. Each error names the
 * option, the value and the accepted range.
 *
 * <pre>{@code
 * ServerConfig config = ServerConfig.builder(Path.of("models"))
 *     .port(8000)               // 0 picks a free port
 *     .instances(2)             // ONNX Runtime sessions per model
 *     .threads(2)               // intra-op threads shared by those sessions
 *     .batch(new BatchPolicy(16, 1_000, 256))
 *     .build();
 * }</pre>
 *
 * @param host address to listen on, e.g. {@code 127.0.0.1}
 * @param port TCP port, 0..65535 (0 = any free port)
 * @param repository model repository: {@code REPO/<model>/<version>/<artifact>}
 * @param instances ONNX Runtime sessions per model, 1..64; each runs one batch at a time
 * @param threads intra-op threads in total, 1..256; each instance gets {@code max(1, threads / instances)}
 * @param batch batching and admission control per model
 * @param timeout per-request deadline, 1 ms..10 min; a request still queued after it gets 503
 * @param maxBodyBytes largest request body, 1 KiB..1 GiB; larger bodies get 413
 * @param truncate cut texts longer than the model's maximum length (and say so), or refuse them (422)
 * @param maxBatchRequest most texts in one request, 1..100,000; more gets 400
 * @param pollInterval how often the repository is scanned for new versions; {@link Duration#ZERO} disables
 * @param topK intents listed per prediction, 1..1000
 * @param shutdownGrace how long graceful shutdown waits for in-flight requests, 0..10 min
 * @param ioThreads event-loop threads for HTTP and gRPC, 1..64
 * @param adminToken bearer token of the admin API ({@code /v2/repository/...}); {@link AdminToken#NONE} disables it
 * @param pins model name to the version it serves instead of the newest ({@code --pin model=version})
 * @param modelName null to serve every model of the repository; else serve only this model, and when
 *     the repository directory itself holds the artifact ({@code REPO/<file>.intent} or
 *     {@code REPO/manifest.json}, as KServe's storage initializer leaves a model in
 *     {@code /mnt/models}), serve that as this model, at the version its manifest records
 * @param corsOrigins origins (e.g. {@code https://shop.example.com}) whose pages may call the API from a
 *     browser ({@code --cors-origin}); empty (the default) allows none, {@code *} any
 * @param reports folder of {@code intent bench report} outputs served read-only under {@code /reports/}
 *     ({@code --reports}); null serves none
 */
public record ServerConfig(
    String host,
    int port,
    Path repository,
    int instances,
    int threads,
    BatchPolicy batch,
    Duration timeout,
    long maxBodyBytes,
    boolean truncate,
    int maxBatchRequest,
    Duration pollInterval,
    int topK,
    Duration shutdownGrace,
    int ioThreads,
    AdminToken adminToken,
    Map<String, String> pins,
    String modelName,
    java.util.List<String> corsOrigins,
    Path reports) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8000;
  /** Two single-threaded sessions: on 2 cores both compute without any spinning intra-op pool. */
  public static final int DEFAULT_INSTANCES = 2;
  public static final int DEFAULT_MAX_BATCH = 16;
  public static final long DEFAULT_MAX_QUEUE_DELAY_MICROS = 1_000;
  public static final int DEFAULT_QUEUE_CAPACITY = 256;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final long DEFAULT_MAX_BODY_BYTES = 1 << 20;
  public static final int DEFAULT_MAX_BATCH_REQUEST = 64;
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
  public static final int DEFAULT_TOP_K = 3;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
  /**
   * One event loop: parsing, tokenizing and writing a small request take tens of microseconds, so
   * one thread keeps up with both sessions, and the cores stay with ONNX Runtime (Armeria's
   * default of two loops per core only adds context switches on 2 cores; docs/perf.md).
   */
  public static final int DEFAULT_IO_THREADS = 1;

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(batch, "batch");
    check("--port", port, 0, 65535);
    check("--instances", instances, 1, 64);
    check("--threads", threads, 1, 256);
    check("--timeout (ms)", timeout.toMillis(), 1, 600_000);
    check("--max-body (bytes)", maxBodyBytes, 1024, 1L << 30);
    check("--max-batch-request", maxBatchRequest, 1, 100_000);
    check("--poll (ms)", pollInterval.toMillis(), 0, 86_400_000);
    check("--top-k", topK, 1, 1000);
    check("--shutdown-grace (ms)", shutdownGrace.toMillis(), 0, 600_000);
    check("--io-threads", ioThreads, 1, 64);
    Objects.requireNonNull(adminToken, "adminToken");
    pins = Map.copyOf(pins);
    pins.forEach((model, version) -> {
      String problem = ModelNames.problem("model name", model);
      problem = problem != null ? problem : ModelNames.problem("version", version);
      if (problem != null) {
        throw new IllegalArgumentException("--pin " + model + "=" + version + ": " + problem);
      }
    });
    if (modelName != null && !ModelNames.isValid(modelName)) {
      throw new IllegalArgumentException("--model-name must be 1..128 letters, digits, '.', '_' or '-' and not start "
          + "with '.', was '" + modelName + "'");
    }
    corsOrigins = java.util.List.copyOf(corsOrigins);
    corsOrigins.forEach(CorsOrigins::check);
  }

  /** The configuration without browser origins or reports, as before those existed. */
  public ServerConfig(String host, int port, Path repository, int instances, int threads, BatchPolicy batch,
      Duration timeout, long maxBodyBytes, boolean truncate, int maxBatchRequest, Duration pollInterval, int topK,
      Duration shutdownGrace, int ioThreads, AdminToken adminToken, Map<String, String> pins, String modelName) {
    this(host, port, repository, instances, threads, batch, timeout, maxBodyBytes, truncate, maxBatchRequest,
        pollInterval, topK, shutdownGrace, ioThreads, adminToken, pins, modelName, java.util.List.of(), null);
  }

  /** Intra-op threads of each instance's session. */
  public int threadsPerInstance() {
    return Math.max(1, threads / instances);
  }

  static void check(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + value);
    }
  }

  public static Builder builder(Path repository) {
    return new Builder(repository);
  }

  /** Builds a {@link ServerConfig}; starts from the documented defaults. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private final Path repository;
    private int instances = DEFAULT_INSTANCES;
    private int threads = Runtime.getRuntime().availableProcessors();
    private BatchPolicy batch = new BatchPolicy(DEFAULT_MAX_BATCH, DEFAULT_MAX_QUEUE_DELAY_MICROS, DEFAULT_QUEUE_CAPACITY);
    private Duration timeout = DEFAULT_TIMEOUT;
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private boolean truncate = true;
    private int maxBatchRequest = DEFAULT_MAX_BATCH_REQUEST;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private int topK = DEFAULT_TOP_K;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private int ioThreads = DEFAULT_IO_THREADS;
    private AdminToken adminToken = AdminToken.NONE;
    private final Map<String, String> pins = new LinkedHashMap<>();
    private String modelName;
    private final java.util.List<String> corsOrigins = new java.util.ArrayList<>();
    private Path reports;

    private Builder(Path repository) {
      this.repository = repository;
    }

    public Builder host(String v) {
      host = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder instances(int v) {
      instances = v;
      return this;
    }

    public Builder threads(int v) {
      threads = v;
      return this;
    }

    public Builder batch(BatchPolicy v) {
      batch = v;
      return this;
    }

    public Builder timeout(Duration v) {
      timeout = v;
      return this;
    }

    public Builder maxBodyBytes(long v) {
      maxBodyBytes = v;
      return this;
    }

    public Builder truncate(boolean v) {
      truncate = v;
      return this;
    }

    public Builder maxBatchRequest(int v) {
      maxBatchRequest = v;
      return this;
    }

    public Builder pollInterval(Duration v) {
      pollInterval = v;
      return this;
    }

    public Builder topK(int v) {
      topK = v;
      return this;
    }

    public Builder shutdownGrace(Duration v) {
      shutdownGrace = v;
      return this;
    }

    public Builder ioThreads(int v) {
      ioThreads = v;
      return this;
    }

    /** The admin API's bearer token; null (the default) disables the admin API. */
    public Builder adminToken(String v) {
      adminToken = AdminToken.of(v);
      return this;
    }

    /** Serves {@code version} of {@code model} instead of its newest version. */
    public Builder pin(String model, String version) {
      pins.put(model, version);
      return this;
    }

    /** Serve only this model (null: all); see {@link ServerConfig#modelName()}. */
    public Builder modelName(String v) {
      modelName = v;
      return this;
    }

    /** Lets pages of {@code origin} ({@code scheme://host[:port]}, or {@code *} for any) call the API; repeatable. */
    public Builder corsOrigin(String origin) {
      corsOrigins.add(origin);
      return this;
    }

    /** Serves the {@code intent bench report} outputs under {@code dir} read-only at {@code /reports/}. */
    public Builder reports(Path dir) {
      reports = dir;
      return this;
    }

    public ServerConfig build() {
      return new ServerConfig(host, port, repository, instances, threads, batch, timeout, maxBodyBytes, truncate,
          maxBatchRequest, pollInterval, topK, shutdownGrace, ioThreads, adminToken, pins, modelName, corsOrigins,
          reports);
    }
  }
}
