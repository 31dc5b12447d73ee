package dev.intentinference.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.GracefulShutdown;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import dev.intentinference.core.IntentException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The inference server: every model of a repository behind one port, over Open Inference
 * Protocol REST ({@code /v2/...}), gRPC ({@code inference.GRPCInferenceService}), plain JSON
 * ({@code /v1/models/{m}/predict}), Prometheus metrics ({@code /metrics}), and a home page ({@code /})
 * with the chat component and a live dashboard ({@link WebRoutes}).
 *
 * <pre>{@code
 * try (InferenceServer server = InferenceServer.start(ServerConfig.builder(Path.of("models")).port(0).build(),
 *     RepositoryBootstrapper.NONE)) {
 *   System.out.println(server.apiUrl()); // http://127.0.0.1:41234/v2
 * }
 * }</pre>
 *
 * <p>{@link #close()} shuts down gracefully: it stops accepting requests, answers those in flight
 * and queued, then closes the models. {@link #drainThenClose(Duration)} (what {@code intent serve}
 * runs on SIGTERM) first turns readiness false and answers new inference requests with 503 +
 * {@code Retry-After} for a while, so load balancers see the replica leave before its port closes:
 *
 * <pre>{@code
 * Runtime.getRuntime().addShutdownHook(new Thread(() -> server.drainThenClose(Duration.ofSeconds(5))));
 * }</pre>
 */
public final class InferenceServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(InferenceServer.class.getName());
  private static final Duration ADMIN_TIMEOUT = Duration.ofMinutes(10);
  // What batches already running get once the grace is over and the queues are refused.
  private static final Duration RUNNING_BATCH_GRACE = Duration.ofSeconds(1);

  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final ModelRegistry registry;
  private final Server server;
  private final ScheduledExecutorService poller;
  private final Admission admission = new Admission();
  private final LargeBodyPool largeBodies = LargeBodyPool.forCores();
  private final RemoteRepository remote;
  private final RepositoryStatus repositoryStatus;
  private final AtomicBoolean closed = new AtomicBoolean();

  private InferenceServer(ServerConfig config, ServerMetrics metrics, ModelRegistry registry, RemoteRepository remote,
      RepositoryStatus repositoryStatus) {
    this.config = config;
    this.metrics = metrics;
    this.registry = registry;
    this.remote = remote;
    this.repositoryStatus = repositoryStatus;
    this.server = build();
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "intent-repository-poll");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Loads the repository (after {@code bootstrapper} fills it when it holds no model), starts
   * listening and starts polling for new versions.
   *
   * @throws IntentException when no model can be loaded or the port is taken
   */
  public static InferenceServer start(ServerConfig config, RepositoryBootstrapper bootstrapper) {
    return start(config, bootstrapper, null, BatchClock.system());
  }

  /**
   * Serves the models of {@code remote}, copied into {@code config.repository()} before the first
   * scan and before every poll. When the remote cannot be read the local copy keeps serving and
   * readiness says why; at start that is only allowed when the local copy holds a model.
   *
   * @throws IntentException when the remote cannot be read and nothing is cached, or it holds no model
   */
  public static InferenceServer start(ServerConfig config, RemoteRepository remote) {
    return start(config, RepositoryBootstrapper.NONE, remote, BatchClock.system());
  }

  static InferenceServer start(ServerConfig config, RepositoryBootstrapper bootstrapper, BatchClock clock) {
    return start(config, bootstrapper, null, clock);
  }

  static InferenceServer start(ServerConfig config, RepositoryBootstrapper bootstrapper, RemoteRepository remote,
      BatchClock clock) {
    try {
      java.net.InetAddress.getByName(config.host());
    } catch (java.net.UnknownHostException e) {
      throw new IntentException("--host " + config.host() + ": no such address (it does not resolve)", e);
    }
    if (Files.exists(config.repository()) && !Files.isDirectory(config.repository())) {
      throw new IntentException("model repository " + config.repository() + " is a file, not a directory");
    }
    try {
      Files.createDirectories(config.repository());
    } catch (IOException e) {
      throw new IntentException("cannot create model repository " + config.repository() + ": " + e.getMessage(), e);
    }
    ServerMetrics metrics = new ServerMetrics();
    ModelRegistry registry = new ModelRegistry(config, metrics, clock);
    RepositoryStatus status = remote == null ? null : new RepositoryStatus(remote.address(), java.time.Clock.systemUTC());
    if (remote != null) {
      sync(remote, status, metrics);
      if (!status.healthy() && registry.repository().isEmpty()) {
        throw new IntentException("cannot read " + remote.address() + " and nothing is cached in " + config.repository()
            + ": " + status.describe().get("error"));
      }
      if (registry.repository().isEmpty()) {
        throw new IntentException("no model to serve in " + remote.address() + " (push one with: intent push FILE.intent "
            + remote.address() + ")" + rejections(status));
      }
    } else if (registry.repository().isEmpty()) {
      try {
        bootstrapper.populate(config.repository());
      } catch (IntentException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("could not build the default model in " + config.repository() + ": " + e.getMessage(), e);
      }
    }
    registry.refresh();
    if (registry.names().isEmpty()) {
      String why = registry.repository().models().stream().map(registry::lastRejection).filter(r -> r != null)
          .findFirst().orElse("expected <model>/<version>/<artifact>.intent or <model>/<version>/manifest.json");
      throw new IntentException("no model to serve in " + config.repository() + ": " + why);
    }
    InferenceServer s = new InferenceServer(config, metrics, registry, remote, status);
    try {
      s.server.start().join();
    } catch (RuntimeException e) {
      registry.close();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IntentException("cannot listen on " + config.host() + ":" + config.port() + ": " + cause.getMessage(), e);
    }
    if (!config.pollInterval().isZero()) {
      long ms = config.pollInterval().toMillis();
      s.poller.scheduleWithFixedDelay(s::poll, ms, ms, TimeUnit.MILLISECONDS);
    }
    return s;
  }

  /**
   * Copies the remote (if any), then loads what is new. Never throws: failures are logged and
   * counted. The scheduled poll and {@link #reloadNow()} take turns, so an older copy's status
   * never overwrites a newer one's.
   */
  private synchronized void poll() {
    if (remote != null) {
      sync(remote, repositoryStatus, metrics);
    }
    registry.refresh();
  }

  private static void sync(RemoteRepository remote, RepositoryStatus status, ServerMetrics metrics) {
    try {
      List<String> before = status.rejected();
      List<String> rejected = remote.sync();
      // Each poll reports every object still refused; the log says so once.
      rejected.stream().filter(r -> !before.contains(r)).forEach(r -> LOG.warning(remote.address() + ": rejected " + r));
      status.succeeded(rejected);
      metrics.repositorySync(true);
    } catch (RuntimeException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (status.healthy()) {
        LOG.warning("cannot read " + remote.address() + ", serving the local copy: " + why);
      }
      status.failed(why);
      metrics.repositorySync(false);
    }
  }

  private static String rejections(RepositoryStatus status) {
    Object r = status.describe().get("rejected");
    return r == null ? "" : "; rejected: " + r;
  }

  /** The remote repository's state (address, in_sync or unreachable, last sync, errors); null when local. */
  public java.util.Map<String, Object> repositoryStatus() {
    return repositoryStatus == null ? null : repositoryStatus.describe();
  }

  private Server build() {
    ObjectMapper mapper = new ObjectMapper();
    OipJson json = new OipJson();
    HttpErrors errors = new HttpErrors(metrics, config.maxBodyBytes());
    MetadataService meta = new MetadataService(registry, mapper, errors, admission::accepting, this::repositoryStatus,
        config.adminToken().isConfigured());
    JsonInference endpoint = new JsonInference(errors, metrics, admission, largeBodies);
    InferService infer = new InferService(registry, json, endpoint);
    metrics.requestsInFlight(admission::unanswered);
    ServerBuilder sb = Server.builder()
        .port(new InetSocketAddress(config.host(), config.port()), SessionProtocol.HTTP)
        .workerGroup(PromptEventLoops.workers(config.ioThreads()), true)
        .bossGroupFactory(PromptEventLoops::acceptor)
        .maxRequestLength(config.maxBodyBytes())
        // The queue's own deadline answers first; this only guards against a stuck request.
        .requestTimeout(config.timeout().plusSeconds(5))
        // No quiet period: clients still sending (each answered 503) would restart it until the
        // grace ran out, and without one Armeria's graceful shutdown is off. close() waits for the
        // requests taken itself (Admission) and refuses what is still queued past the grace; this
        // function is Armeria's last resort for a batch still running a second after that.
        .gracefulShutdown(GracefulShutdown.builder().quietPeriod(Duration.ZERO).timeout(config.shutdownGrace())
            .toExceptionFunction((ctx, req) -> new ShuttingDownException()).build())
        .meterRegistry(metrics.registry())
        .errorHandler(errors);
    sb.route().get("/v2").build(meta.server());
    sb.route().get("/v2/health/live").build(meta.live());
    sb.route().get("/v2/health/ready").build(meta.serverReady());
    sb.route().get("/v2/models/{m}").build(meta.model());
    sb.route().get("/v2/models/{m}/versions/{v}").build(meta.model());
    sb.route().get("/v2/models/{m}/ready").build(meta.modelReady());
    sb.route().get("/v2/models/{m}/versions/{v}/ready").build(meta.modelReady());
    HttpService admitted = admission.gate(infer, errors);
    sb.route().post("/v2/models/{m}/infer").build(admitted);
    sb.route().post("/v2/models/{m}/versions/{v}/infer").build(admitted);
    AdminService admin = new AdminService(registry, config.adminToken(), mapper, errors);
    sb.route().post("/v2/repository/index").build(admin.index());
    // Loading a large model and warming it up can take longer than an inference request may.
    sb.route().post("/v2/repository/models/{m}/load").requestTimeout(ADMIN_TIMEOUT).build(admin.load());
    sb.route().post("/v2/repository/models/{m}/unload").requestTimeout(ADMIN_TIMEOUT).build(admin.unload());
    sb.route().get("/v1/models").build(meta.modelList());
    sb.route().post("/v1/models/{m}/predict").build(
        admission.gate(new PredictService(registry, json, mapper, endpoint), errors));
    sb.route().get("/metrics").build((ctx, req) -> HttpResponse.of(HttpStatus.OK,
        MediaType.parse("text/plain; version=0.0.4; charset=utf-8"), metrics.scrape()));
    new WebRoutes(registry, metrics, mapper, config.reports() == null ? null : ReportsFolder.of(config.reports(), mapper))
        .addTo(sb);
    var cors = CorsOrigins.decorator(config.corsOrigins());
    if (cors != null) {
      sb.decorator(cors);
    }
    sb.service(GrpcService.builder()
        .addService(new OipGrpcService(registry, meta, metrics))
        .maxRequestMessageLength((int) Math.min(Integer.MAX_VALUE, config.maxBodyBytes()))
        .build(), admission::counted);
    return sb.build();
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  public int port() {
    return server.activeLocalPort(SessionProtocol.HTTP);
  }

  public URI baseUri() {
    return URI.create("http://" + config.host() + ":" + port());
  }

  /** The Open Inference Protocol REST root ({@code /v2}); gRPC is on the same port. */
  public URI apiUrl() {
    return baseUri().resolve("/v2");
  }

  public URI metricsUrl() {
    return baseUri().resolve("/metrics");
  }

  public URI pageUrl() {
    return baseUri().resolve("/");
  }

  public ServerConfig config() {
    return config;
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  /** Names of the models being served. */
  public java.util.List<String> models() {
    return registry.names();
  }

  /** The version of {@code model} being served. */
  public String servingVersion(String model) {
    return registry.slot(model).current().version();
  }

  /** Copies the remote repository (if any) and scans the local one now instead of waiting for the next poll. */
  public void reloadNow() {
    poll();
  }

  /** Why the last refused version of {@code model} was refused, or null. */
  public String lastRejection(String model) {
    return registry.lastRejection(model);
  }

  /** Whether new inference requests are taken (false once draining or closed). */
  public boolean accepting() {
    return admission.accepting();
  }

  /**
   * Starts draining: readiness (REST, gRPC, per model) turns false and new inference requests get
   * 503 + {@code Retry-After}; requests already taken, in flight or queued, are answered. Health
   * and metadata keep answering, liveness stays 200.
   */
  public void stopAccepting() {
    if (admission.stop()) {
      LOG.info("draining: not ready, new inference requests get 503");
    }
  }

  /**
   * What SIGTERM runs: {@link #stopAccepting()}, then {@code drain} with the port still open so
   * clients and load balancers get a clear 503 (not a refused connection) while they notice, then
   * {@link #close()}, which waits up to {@link ServerConfig#shutdownGrace()} for requests in flight.
   */
  public void drainThenClose(Duration drain) {
    stopAccepting();
    try {
      Thread.sleep(drain.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close();
  }

  /** Graceful shutdown: stop accepting, answer what is in flight and queued, close the models. */
  @Override
  public void close() {
    stopAccepting();
    if (closed.getAndSet(true)) {
      return;
    }
    poller.shutdownNow();
    try {
      int unanswered = admission.awaitAnswered(config.shutdownGrace());
      if (unanswered > 0) {
        // Answered here, while their connections are open: Armeria's own last resort races the
        // answers with closing the connections.
        int queued = registry.abandonQueued();
        LOG.warning(unanswered + " requests still unanswered after the shutdown grace of "
            + config.shutdownGrace().toMillis() + " ms: " + queued + " texts still queued get 503");
        admission.awaitAnswered(RUNNING_BATCH_GRACE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      server.stop().join();
    } finally {
      largeBodies.close();
      registry.close();
      LOG.info("server stopped");
    }
  }

  /** Blocks until the server has stopped. */
  public void awaitStop() {
    server.whenClosed().join();
  }

}
