package dev.intentinference.cli;

import dev.intentinference.core.IntentException;
import dev.intentinference.deploy.CacheLock;
import dev.intentinference.deploy.RepositoryMirror;
import dev.intentinference.deploy.S3ArtifactStore;
import dev.intentinference.deploy.S3Location;
import picocli.CommandLine.Mixin;
import software.amazon.awssdk.services.s3.S3Client;

import dev.intentinference.server.BatchPolicy;
import dev.intentinference.server.InferenceServer;
import dev.intentinference.server.ServerConfig;
import dev.intentinference.train.FineTuning;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code intent serve}: serves a model repository over HTTP and gRPC until interrupted. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve every model of a repository (REPO/<model>/<version>/<artifact>.intent or a trained model "
        + "directory; the newest version serves) over Open Inference Protocol REST and gRPC, plain JSON, Prometheus "
        + "metrics, a home page (chat and live dashboard) and an OpenAPI description (/api), all on one port. New versions are hot-reloaded; --pin, a pin file written by "
        + "'intent rollback' or the admin API keep a model on another version. An empty repository gets the "
        + "default CLINC150 model built on first start (./models is created when missing; a --repository given must "
        + "exist). An s3:// repository (intent push fills it) is copied into a "
        + "local cache, every download checked against its SHA-256, and polled like a directory; a pin in the bucket "
        + "(intent rollback) makes every server serve that version. SIGTERM or Ctrl-C drains: readiness turns false and "
        + "new inference requests get 503 at once, requests already taken are answered, the port closes after --drain "
        + "seconds and the process exits (code 143 on SIGTERM, 130 on Ctrl-C).%n",
    footer = {
      "",
      "Examples:",
      "  intent serve                                  # ./models on http://127.0.0.1:8000",
      "  intent serve --repository /srv/models --port 9000 --instances 2 --threads 2",
      "  intent serve --repository models-acc --upgrade-cascade   # empty: quick model, then a fine-tuned cascade",
      "  intent serve --repository s3://my-models/prod --cache /var/cache/intent     # AWS credentials as usual",
      "  intent serve --repository s3://models/prod --s3-endpoint http://127.0.0.1:9000 --s3-path-style   # MinIO",
      "  INTENT_ADMIN_TOKEN=s3cret intent serve --pin clinc150=1   # admin API on, clinc150 stays on version 1",
      "  intent serve --host 0.0.0.0 --repository /mnt/models --model-name intent --drain 5   # in KServe",
      "  intent serve --reports bench-reports          # the home page links every intent bench report in it",
      "  intent serve --cors-origin https://shop.example.com --cors-origin http://localhost:3000",
      "       # pages of those origins may embed <intent-chat> (script: /web/intent-chat.js); no other origin may",
      "  curl -s localhost:8000/v1/models/clinc150/predict -H 'content-type: application/json' \\",
      "       -d '{\"text\":\"change my address\"}'"
    })
final class ServeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @picocli.CommandLine.ParentCommand IntentCli parent;

  @Option(names = "--repository", paramLabel = "DIR|s3://BUCKET/PREFIX", defaultValue = "models",
      description = "Model repository: a directory, or an S3 location filled by intent push, copied into --cache "
          + "and polled (default: ${DEFAULT-VALUE}).")
  String repository;

  @Option(names = "--cache", paramLabel = "DIR", defaultValue = "s3-cache",
      description = "With an s3:// repository: local copy of the bucket's models, kept across restarts so a server "
          + "starts even while the bucket is unreachable (default: ${DEFAULT-VALUE}).")
  Path cache;

  @Option(names = "--keep-versions", paramLabel = "N", defaultValue = "2",
      description = "With an s3:// repository: newest versions of each model kept in the cache (the pinned one is kept "
          + "too), 1..100 (default: ${DEFAULT-VALUE}).")
  int keepVersions;

  @Mixin S3Options s3;

  @Option(names = "--host", defaultValue = ServerConfig.DEFAULT_HOST, description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8000", description = "TCP port, 0 = any free port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--instances", defaultValue = "2",
      description = "ONNX Runtime sessions per model, each running one batch at a time, 1..64 (default: ${DEFAULT-VALUE}).")
  int instances;

  @Option(names = "--threads", description = "Intra-op threads in total, split evenly between instances, 1..256 "
      + "(default: the number of cores).")
  Integer threads;

  @Option(names = "--io-threads", defaultValue = "1",
      description = "Event-loop threads for HTTP and gRPC, 1..64; one keeps up with the sessions on a small machine "
          + "and leaves the cores to inference (default: ${DEFAULT-VALUE}).")
  int ioThreads;

  @Option(names = "--max-batch", defaultValue = "16", description = "Most texts run together in one batch, 1..1024 (default: ${DEFAULT-VALUE}).")
  int maxBatch;

  @Option(names = "--max-queue-delay", paramLabel = "MICROS", defaultValue = "1000",
      description = "Microseconds a batch may wait for more requests when the server is busy, counted from the first "
          + "waiting request, and only while no text of another length waits; an idle server never waits, "
          + "0..1000000 (default: ${DEFAULT-VALUE}).")
  long maxQueueDelay;

  @Option(names = "--queue-capacity", defaultValue = "256",
      description = "Texts waiting per model before requests are refused with 503 + Retry-After (default: ${DEFAULT-VALUE}).")
  int queueCapacity;

  @Option(names = "--timeout", paramLabel = "MS", defaultValue = "5000",
      description = "Per-request deadline in milliseconds; a text still queued at it is answered 503 then (default: ${DEFAULT-VALUE}).")
  long timeoutMs;

  @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "1048576",
      description = "Largest request body in bytes; larger = 413 (default: ${DEFAULT-VALUE}, 1 MiB).")
  long maxBody;

  @Option(names = "--truncate", arity = "1", defaultValue = "true",
      description = "Cut texts longer than the model's maximum length and say so (true), or refuse them with 422 (false) "
          + "(default: ${DEFAULT-VALUE}).")
  boolean truncate;

  @Option(names = "--max-batch-request", defaultValue = "64",
      description = "Most texts in one request; more = 400 (default: ${DEFAULT-VALUE}).")
  int maxBatchRequest;

  @Option(names = "--poll", paramLabel = "SECONDS", defaultValue = "2",
      description = "Seconds between repository scans for new versions, 0 = never (default: ${DEFAULT-VALUE}).")
  long pollSeconds;

  @Option(names = "--top-k", defaultValue = "3", description = "Intents listed per prediction (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--upgrade", arity = "1", defaultValue = "true",
      description = "When the repository serves only the quick default model (clinc150/1, a head on frozen features), "
          + "fine-tune the accurate one in the background and publish it as clinc150/2, which is swapped in without a "
          + "restart (default: ${DEFAULT-VALUE}).")
  boolean upgrade;

  @Option(names = "--upgrade-cascade",
      description = "Publish that clinc150/2 as a cascade: the fine-tuned model with the teacher it was distilled from "
          + "behind it, answering again the messages the model is unsure of: more accurate than either alone on CLINC150 "
          + "and BANKING77, at about half the throughput (docs/fine-tuning.md, \"A fallback model\").")
  boolean upgradeCascade;

  @Option(names = "--upgrade-threads", paramLabel = "N",
      description = "Threads for that background fine-tuning (default: all cores but one, at least 1).")
  Integer upgradeThreads;

  @Option(names = "--model-name", paramLabel = "NAME",
      description = "Serve only model NAME. When the repository directory itself holds the artifact (REPO/<file>.intent "
          + "or REPO/manifest.json, as KServe's storage initializer leaves a model in /mnt/models), serve it as NAME at "
          + "the version its manifest records (default: every model of the repository).")
  String modelName;

  @Option(names = "--drain", paramLabel = "SECONDS", defaultValue = "5",
      description = "On SIGTERM, seconds the port stays open after readiness turns false, answering new inference "
          + "requests with 503 + Retry-After while load balancers notice, 0..300 (default: ${DEFAULT-VALUE}).")
  long drainSeconds;

  @Option(names = "--shutdown-grace", paramLabel = "SECONDS", defaultValue = "10",
      description = "Then, seconds requests in flight and queued get to be answered; what is still queued after "
          + "them gets 503, and the port closes, 0..600 (default: ${DEFAULT-VALUE}).")
  long shutdownGraceSeconds;

  @Option(names = "--data", paramLabel = "FILE",
      description = "CLINC150 data_full.json used to build the default model when the repository is empty "
          + "(default: clinc150, the CLINC150 Full copy shipped with intent).")
  Path data;

  @Option(names = "--admin-token", paramLabel = "TOKEN",
      description = "Bearer token of the admin API (POST /v2/repository/index, /v2/repository/models/{m}/load and /unload); "
          + "default: the INTENT_ADMIN_TOKEN environment variable. Without either the admin API is disabled (403).")
  String adminToken;

  @Option(names = "--pin", paramLabel = "MODEL=VERSION",
      description = "Serve this version of a model instead of the newest, even over a pin file written by 'intent rollback' "
          + "(repeatable). A pinned version that is missing or fails to load leaves the serving version serving.")
  Map<String, String> pins = new LinkedHashMap<>();

  @Option(names = "--cors-origin", paramLabel = "URL",
      description = "Let web pages of this origin (scheme://host[:port], e.g. https://shop.example.com; * for any) call "
          + "the API from a browser, e.g. to embed the <intent-chat> component; repeatable. Default: no other origin.")
  java.util.List<String> corsOrigins = new java.util.ArrayList<>();

  @Option(names = "--reports", paramLabel = "DIR",
      description = "Serve the benchmark reports in DIR (outputs of 'intent bench report --out DIR/NAME') read-only under "
          + "/reports/ and list them on the home page (default: none).")
  Path reports;

  /** Where the admin token comes from when {@code --admin-token} is not given; a test replaces it. */
  Map<String, String> environment = System.getenv();

  boolean fromBucket() {
    return S3Location.isS3(repository);
  }

  /** The local directory the server loads from: the repository itself, or the bucket's copy. */
  Path localRepository() {
    if (!fromBucket()) {
      return Path.of(repository);
    }
    S3Location at = S3Location.parse(repository);
    Path dir = cache.resolve(at.bucket());
    return at.prefix().isEmpty() ? dir : dir.resolve(at.prefix());
  }

  ServerConfig config() {
    try {
      if (drainSeconds < 0 || drainSeconds > 300) {
        throw new IllegalArgumentException("--drain must be in 0..300, was " + drainSeconds);
      }
      if (shutdownGraceSeconds < 0 || shutdownGraceSeconds > 600) {
        throw new IllegalArgumentException("--shutdown-grace must be in 0..600, was " + shutdownGraceSeconds);
      }
      ServerConfig.Builder b = ServerConfig.builder(localRepository())
          .adminToken(AdminTokens.resolve(adminToken, environment));
      pins.forEach(b::pin);
      corsOrigins.forEach(b::corsOrigin);
      if (reports != null && !java.nio.file.Files.isDirectory(reports)) {
        // checked before a model is built or loaded: that can take minutes
        throw new IntentException("--reports " + reports + ": not a directory (give the folder that holds the outputs "
            + "of intent bench report --out)");
      }
      b.reports(reports);
      return b.host(host).port(port).instances(instances)
          .threads(threads == null ? Runtime.getRuntime().availableProcessors() : threads)
          .batch(new BatchPolicy(maxBatch, maxQueueDelay, queueCapacity))
          .timeout(Duration.ofMillis(timeoutMs)).maxBodyBytes(maxBody).truncate(truncate)
          .maxBatchRequest(maxBatchRequest).pollInterval(Duration.ofSeconds(pollSeconds)).topK(topK).ioThreads(ioThreads)
          .shutdownGrace(Duration.ofSeconds(shutdownGraceSeconds))
          .modelName(modelName).build();
    } catch (IllegalArgumentException e) {
      throw new IntentException(e.getMessage());
    }
  }

  @Override
  public Integer call() {
    ServerConfig config = config();
    PrintWriter out = spec.commandLine().getOut();
    DefaultModelBootstrap bootstrap = DefaultModelBootstrap.of(data, out);
    int upgradeThreadCount = upgradeThreads != null ? upgradeThreads : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    if (upgradeCascade && !upgrade) {
      throw new IntentException("--upgrade-cascade says what the upgrade publishes, and --upgrade false turns it off; drop one of them");
    }
    if (upgradeThreadCount < 1) {
      throw new IntentException("--upgrade-threads must be at least 1, was " + upgradeThreadCount);
    }
    if (keepVersions < 1 || keepVersions > 100) {
      throw new IntentException("--keep-versions must be 1..100, was " + keepVersions);
    }
    if (!fromBucket() && spec.commandLine().getParseResult().hasMatchedOption("--repository")
        && !java.nio.file.Files.exists(Path.of(repository))) {
      // A mistyped path would otherwise get the default model built into a new directory: minutes of
      // work that serves the wrong model. Only the default ./models is created on first start.
      throw new IntentException("--repository " + repository + ": no such directory (check the path; to have the "
          + "default model built in a new repository, create the directory first)");
    }
    BucketRepository bucket = null;
    InferenceServer server;
    if (fromBucket()) {
      S3Location at = S3Location.parse(repository);
      CacheLock lock = CacheLock.acquire(config.repository()); // before S3 is touched: a shared cache is the first thing to fix
      S3Client client;
      try {
        client = s3.settings().client();
      } catch (RuntimeException e) {
        lock.close();
        throw e;
      }
      bucket = new BucketRepository(client, new RepositoryMirror(new S3ArtifactStore(client, at), config.repository(), keepVersions), lock);
      try {
        server = InferenceServer.start(config, bucket);
      } catch (RuntimeException e) {
        bucket.close();
        throw e;
      }
    } else {
      server = InferenceServer.start(config, bootstrap);
    }
    BucketRepository openBucket = bucket;
    Duration drain = Duration.ofSeconds(drainSeconds);
    // Printed, not logged: java.util.logging may already be shut down when this runs in a shutdown
    // hook. The drain runs before ONNX Runtime is stopped at exit: it still answers requests (ProcessExit).
    parent.exit().onExit("intent-shutdown", () -> {
      out.printf("intent: draining: not ready, new inference requests get 503; in %d s (--drain) requests in flight "
          + "get up to %d s more (--shutdown-grace), then the port closes%n", drainSeconds, shutdownGraceSeconds);
      out.flush();
      server.drainThenClose(drain);
      if (openBucket != null) {
        openBucket.close();
      }
      out.println("intent: stopped");
      out.flush();
    });
    out.printf("intent: serving %s from %s (%d instance(s) x %d thread(s), max batch %d)%n", server.models(),
        fromBucket() ? repository + " (copied to " + config.repository().toAbsolutePath().normalize() + ")"
            : config.repository().toAbsolutePath().normalize(), config.instances(), config.threadsPerInstance(), config.batch().maxBatch());
    out.printf("  API (Open Inference Protocol REST; gRPC on the same port): %s%n", server.apiUrl());
    out.printf("  plain JSON:  %s%n", server.baseUri().resolve("/v1/models/" + server.models().get(0) + "/predict"));
    out.printf("  metrics:     %s%n", server.metricsUrl());
    out.printf("  admin API:   %s%n", config.adminToken().isConfigured()
        ? server.baseUri().resolve("/v2/repository/index") + " (bearer token)" : "disabled (no --admin-token or INTENT_ADMIN_TOKEN)");
    out.printf("  home page:   %s (chat and live dashboard; stats: %s)%n", server.pageUrl(), server.baseUri().resolve("/v1/stats"));
    out.printf("  API docs:    %s (OpenAPI: %s)%n", server.baseUri().resolve("/api"), server.baseUri().resolve("/openapi.json"));
    if (config.reports() != null) {
      out.printf("  reports:     %s from %s%n", server.baseUri().resolve("/reports/"), config.reports().toAbsolutePath().normalize());
    }
    if (!config.corsOrigins().isEmpty()) {
      out.printf("  browsers of: %s may call the API (--cors-origin)%n", String.join(", ", config.corsOrigins()));
    }
    out.println("Press Ctrl-C to stop (drains for " + drainSeconds + " s, --drain).");
    out.flush();
    if (upgrade && !fromBucket() && DefaultModelUpgrade.needed(config.repository())) {
      new DefaultModelUpgrade(bootstrap.data(), FineTuning.defaults().withThreads(upgradeThreadCount), upgradeCascade, out)
          .startInBackground(config.repository(), pollSeconds == 0 ? server::reloadNow : () -> {});
    }
    server.awaitStop();
    return 0;
  }
}
