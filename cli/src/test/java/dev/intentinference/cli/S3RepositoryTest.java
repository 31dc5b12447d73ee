package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.deploy.RepositoryMirror;
import dev.intentinference.deploy.S3ArtifactStore;
import dev.intentinference.deploy.S3Location;
import dev.intentinference.deploy.S3TestServer;
import dev.intentinference.server.InferenceServer;
import dev.intentinference.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Artifacts through object storage, end to end: real compiled artifacts pushed with the CLI to a
 * real S3 API (S3Proxy on loopback, signed requests, the AWS SDK's client) and served from the
 * bucket by real servers, while clients keep asking.
 */
class S3RepositoryTest {
  @TempDir static Path shared;
  @TempDir Path tmp;
  static final Map<String, Path> ARTIFACTS = new LinkedHashMap<>();
  static final Properties SAVED = new Properties();
  private S3TestServer s3;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void compileThreeVersions() throws Exception {
    // The CLI builds its client from the default credential chain, which reads these.
    for (String k : S3TestServer.credentialProperties().stringPropertyNames()) {
      if (System.getProperty(k) != null) {
        SAVED.setProperty(k, System.getProperty(k));
      }
      System.setProperty(k, S3TestServer.credentialProperties().getProperty(k));
    }
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("balance", List.of("what is my account balance", "how much money do i have", "show my balance"));
    examples.put("weather", List.of("will it rain tomorrow", "what is the weather like", "how hot is it outside"));
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), SessionSettings.singleThread())) {
      for (String v : List.of("1", "2", "3")) {
        Path source = shared.resolve("source-" + v);
        new CentroidModelBuilder(enc, "demo", v).write(source, examples, 0.0);
        Path out = Files.createDirectories(shared.resolve("dist-" + v));
        Cli r = Cli.run("compile", "--model", source.toString(), "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        ARTIFACTS.put(v, out.resolve("demo-" + v + ".intent"));
      }
    }
  }

  @AfterAll
  static void restoreProperties() {
    for (String k : S3TestServer.credentialProperties().stringPropertyNames()) {
      if (SAVED.containsKey(k)) {
        System.setProperty(k, SAVED.getProperty(k));
      } else {
        System.clearProperty(k);
      }
    }
  }

  @BeforeEach
  void startS3() throws Exception {
    s3 = S3TestServer.start(tmp.resolve("blobs"));
    s3.createBucket("models");
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    s3.close();
  }

  private String[] s3Flags() {
    return new String[] {"--s3-endpoint", s3.endpoint().toString(), "--s3-path-style"};
  }

  private Cli push(String version, String... extra) {
    List<String> args = new ArrayList<>(List.of("push", ARTIFACTS.get(version).toString(), "s3://models/prod"));
    args.addAll(List.of(s3Flags()));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  private InferenceServer serve(String name) {
    S3Client client = s3.client();
    Path cache = tmp.resolve(name);
    RepositoryMirror mirror = new RepositoryMirror(new S3ArtifactStore(client, S3Location.parse("s3://models/prod")), cache, 2);
    BucketRepository bucket = new BucketRepository(client, mirror);
    InferenceServer server = InferenceServer.start(
        ServerConfig.builder(cache).port(0).threads(1).instances(1).pollInterval(Duration.ofMillis(200)).build(), bucket);
    open.add(server);
    open.add(bucket);
    return server;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void pushThenListThroughTheCommandLine() {
    Cli first = push("1");
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out()).contains("pushed s3://models/prod/demo/1/demo-1.intent").contains(Hashes.sha256(ARTIFACTS.get("1")));
    assertThat(push("1").out()).contains("already holds this artifact");
    assertThat(push("2").exitCode()).isZero();

    Cli list = Cli.run(concat(new String[] {"models", "s3://models/prod"}, s3Flags()));
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out()).contains("demo").contains(Hashes.sha256(ARTIFACTS.get("2")))
        .containsPattern("\\* 2 +[0-9.]+ [KM]iB").containsPattern("  1 +[0-9.]+ [KM]iB");
  }

  /** A newer object without its hash is refused by every server, so the listing's '*' stays where they serve. */
  @Test
  void theServedMarkSkipsAVersionServersWillRefuse() throws Exception {
    assertThat(push("1").exitCode()).isZero();
    try (S3Client client = s3.client()) {
      client.putObject(b -> b.bucket("models").key("prod/demo/7/demo-7.intent"),
          software.amazon.awssdk.core.sync.RequestBody.fromFile(ARTIFACTS.get("2")));
    }
    Cli list = Cli.run(concat(new String[] {"models", "s3://models/prod"}, s3Flags()));
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out()).containsPattern("  7 +[0-9.]+ [KM]iB.*no sha256 metadata").containsPattern("\\* 1 +[0-9.]+ [KM]iB");
    // Nor can a rollback pin it: some servers would serve what they hold, others nothing new.
    Cli pin = Cli.run(concat(new String[] {"rollback", "--repository", "s3://models/prod", "--model", "demo", "--version", "7"}, s3Flags()));
    assertThat(pin.exitCode()).isEqualTo(2);
    assertThat(pin.err()).contains("has no intent-sha256 metadata, so servers refuse to serve it").doesNotContain("Exception");
  }

  @Test
  void badPushesAreOneLineAndExitTwo() throws Exception {
    Path notArtifact = Files.writeString(tmp.resolve("x.intent"), "garbage");
    Cli corrupt = Cli.run(concat(new String[] {"push", notArtifact.toString(), "s3://models/prod"}, s3Flags()));
    assertThat(corrupt.exitCode()).isEqualTo(2);
    assertThat(corrupt.err()).contains("not a valid .intent artifact").doesNotContain("Exception");

    // A missing file is named first, before any S3 setting (even none at all) is looked at.
    Cli missing = Cli.run("push", tmp.resolve("missing.intent").toString(), "s3://models/prod");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err().strip()).endsWith("missing.intent: no such file");

    Cli badAddress = Cli.run(concat(new String[] {"push", ARTIFACTS.get("1").toString(), "models/prod"}, s3Flags()));
    assertThat(badAddress.exitCode()).isEqualTo(2);
    assertThat(badAddress.err()).contains("not an S3 address");

    Cli noBucket = Cli.run(concat(new String[] {"push", ARTIFACTS.get("1").toString(), "s3://no-such-bucket/p"}, s3Flags()));
    assertThat(noBucket.exitCode()).isEqualTo(2);
    assertThat(noBucket.err()).contains("NoSuchBucket").doesNotContain("Exception");

    // A different artifact for a version the bucket already holds: refused unless --force.
    assertThat(push("1").exitCode()).isZero();
    Path impostor = Files.createDirectories(tmp.resolve("impostor")).resolve("demo-1.intent");
    Files.copy(ARTIFACTS.get("2"), impostor);
    rewriteVersion(impostor);
    Cli again = Cli.run(concat(new String[] {"push", impostor.toString(), "s3://models/prod"}, s3Flags()));
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains("already exists").contains("--force");
  }

  /** Pushing a new version while clients ask: every request answered, replies switch to the new version. */
  @Test
  void aServerOnTheBucketSwapsInANewVersionWithZeroFailedRequests() throws Exception {
    assertThat(push("1").exitCode()).isZero();
    InferenceServer server = serve("cache");
    assertThat(server.servingVersion("demo")).isEqualTo("1");

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger failed = new AtomicInteger();
    Map<String, AtomicInteger> byVersion = new java.util.concurrent.ConcurrentHashMap<>();
    HttpClient http = HttpClient.newHttpClient();
    URI predict = server.baseUri().resolve("/v1/models/demo/predict");
    Thread load = new Thread(() -> {
      while (running.get()) {
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(predict).header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"what is my balance\"}")).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 200) {
            failed.incrementAndGet();
          } else {
            String v = r.body().replaceAll(".*\"model_version\":\"([^\"]+)\".*", "$1");
            byVersion.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
          }
        } catch (Exception e) {
          failed.incrementAndGet();
        }
      }
    });
    load.start();
    try {
      await("some answers from version 1", () -> byVersion.containsKey("1"));
      assertThat(push("2").exitCode()).isZero();
      await("version 2 to serve", () -> "2".equals(server.servingVersion("demo")));
      await("answers from version 2", () -> byVersion.containsKey("2"));
    } finally {
      running.set(false);
      load.join();
    }
    assertThat(failed.get()).as("failed requests").isZero();
    assertThat(server.repositoryStatus()).containsEntry("status", "in_sync").containsEntry("address", "s3://models/prod");
  }

  @Test
  void aCorruptObjectIsRejectedAndTheServingVersionStays() throws Exception {
    assertThat(push("1").exitCode()).isZero();
    InferenceServer server = serve("cache");
    Path good = ARTIFACTS.get("2");
    byte[] bytes = Files.readAllBytes(good);
    bytes[bytes.length / 3] ^= 0x40;
    try (S3Client c = s3.client()) {
      c.putObject(b -> b.bucket("models").key("prod/demo/2/demo-2.intent")
          .metadata(Map.of(S3ArtifactStore.META_SHA256, Hashes.sha256(good))), RequestBody.fromBytes(bytes));
    }
    server.reloadNow();

    assertThat(server.servingVersion("demo")).isEqualTo("1");
    assertThat(server.repositoryStatus().get("rejected")).asString().contains("demo/2: corrupt");
    assertThat(tmp.resolve("cache/demo/2")).doesNotExist();
  }

  @Test
  void whenTheBucketGoesAwayTheCachedVersionKeepsServingAndTheStatusSaysWhy() throws Exception {
    assertThat(push("1").exitCode()).isZero();
    InferenceServer server = serve("cache");
    s3.stop();
    server.reloadNow();

    assertThat(server.repositoryStatus()).containsEntry("status", "unreachable").containsKey("error");
    HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.baseUri().resolve("/v2/health/ready")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).as("the cached model still serves").isEqualTo(200);
    assertThat(ready.body()).contains("\"status\":\"unreachable\"").contains("\"address\":\"s3://models/prod\"");
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.baseUri().resolve("/v1/models/demo/predict"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"will it rain\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"weather\"");

    s3.restart();
    assertThat(push("2").exitCode()).isZero();
    await("recovery", () -> "in_sync".equals(server.repositoryStatus().get("status")) && "2".equals(server.servingVersion("demo")));
  }

  @Test
  void aServerStartsFromItsCacheWhileTheBucketIsAwayButNotFromNothing() throws Exception {
    assertThat(push("1").exitCode()).isZero();
    InferenceServer first = serve("cache");
    first.close();
    s3.stop();

    InferenceServer again = serve("cache");
    assertThat(again.servingVersion("demo")).isEqualTo("1");
    assertThat(again.repositoryStatus()).containsEntry("status", "unreachable");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> serve("empty-cache"))
        .hasMessageContaining("cannot read s3://models/prod and nothing is cached");
    s3.restart();
  }

  @Test
  void aRollbackInTheBucketPutsEveryServerBackOnThatVersion() throws Exception {
    assertThat(push("1").exitCode()).isZero();
    assertThat(push("2").exitCode()).isZero();
    InferenceServer a = serve("cache-a");
    InferenceServer b = serve("cache-b");
    assertThat(a.servingVersion("demo")).isEqualTo("2");

    Cli rollback = Cli.run(concat(new String[] {"rollback", "--repository", "s3://models/prod", "--model", "demo", "--version", "1"}, s3Flags()));
    assertThat(rollback.exitCode()).as(rollback.err()).isZero();
    await("both back on version 1", () -> "1".equals(a.servingVersion("demo")) && "1".equals(b.servingVersion("demo")));
    Cli list = Cli.run(concat(new String[] {"models", "s3://models/prod"}, s3Flags()));
    assertThat(list.out()).contains("pinned to version 1").containsPattern("\\* 1 ");

    Cli unknown = Cli.run(concat(new String[] {"rollback", "--repository", "s3://models/prod", "--model", "demo", "--version", "9"}, s3Flags()));
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("no version '9'").contains("[2, 1]");

    Cli clear = Cli.run(concat(new String[] {"rollback", "--repository", "s3://models/prod", "--model", "demo", "--clear"}, s3Flags()));
    assertThat(clear.exitCode()).as(clear.err()).isZero();
    assertThat(clear.out()).contains("pin removed");
    await("both on the newest again", () -> "2".equals(a.servingVersion("demo")) && "2".equals(b.servingVersion("demo")));
    Cli again = Cli.run(concat(new String[] {"rollback", "--repository", "s3://models/prod", "--model", "demo", "--clear"}, s3Flags()));
    assertThat(again.out()).as("nothing to remove the second time").contains("had no pin");
  }

  /** The command line's own wiring (client from the default chain, mirror, server): clear refusals, never a trace. */
  @Test
  void serveFromAnEmptyOrUnreachableBucketIsOneLineAndExitTwo() throws Exception {
    String[] serve = {"serve", "--repository", "s3://models/prod", "--cache", tmp.resolve("cli-cache").toString(), "--port", "0",
        "--upgrade", "false"};
    Cli empty = Cli.run(concat(serve, s3Flags()));
    assertThat(empty.exitCode()).isEqualTo(2);
    assertThat(empty.err()).contains("no model to serve in s3://models/prod").contains("intent push").doesNotContain("Exception");

    s3.stop();
    Cli away = Cli.run(concat(serve, s3Flags()));
    assertThat(away.exitCode()).isEqualTo(2);
    assertThat(away.err()).contains("cannot read s3://models/prod and nothing is cached").doesNotContain("\tat ");
    s3.restart();

    Cli badEndpoint = Cli.run(concat(serve, new String[] {"--s3-endpoint", "ftp://x"}));
    assertThat(badEndpoint.exitCode()).isEqualTo(2);
    assertThat(badEndpoint.err()).contains("--s3-endpoint must be an http(s) URL");
  }

  @Test
  void twoServersOnOneBucketConvergeWithinAPollInterval() throws Exception {
    assertThat(push("1").exitCode()).isZero();
    InferenceServer a = serve("cache-a");
    InferenceServer b = serve("cache-b");
    assertThat(push("2").exitCode()).isZero();
    long pushed = System.nanoTime();
    await("both on version 2", () -> "2".equals(a.servingVersion("demo")) && "2".equals(b.servingVersion("demo")));
    // One poll (200 ms) plus a download, a load and a warm-up each, on a shared 2-core machine.
    assertThat(Duration.ofNanos(System.nanoTime() - pushed)).isLessThan(Duration.ofSeconds(20));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Leaves the file's bytes different but its manifest's version as it is (a different build of version 1). */
  private static void rewriteVersion(Path artifact) throws Exception {
    dev.intentinference.core.model.IntentArtifact a = dev.intentinference.core.model.IntentArtifact.read(artifact);
    Files.delete(artifact);
    dev.intentinference.core.model.ModelManifest m = a.manifest();
    dev.intentinference.core.model.ModelManifest v1 = new dev.intentinference.core.model.ModelManifest(m.formatVersion(), m.kind(),
        m.name(), "1", m.labels(), m.encoders(), m.threshold(), m.head(), m.training(), m.metrics(), m.compile(), m.files(), m.build());
    dev.intentinference.core.model.IntentArtifact.write(artifact, v1, a.entries());
  }
}
