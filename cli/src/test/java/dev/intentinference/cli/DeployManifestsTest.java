package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.intentinference.server.InferenceServer;
import dev.intentinference.server.RepositoryBootstrapper;
import dev.intentinference.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Dockerfile, the Kubernetes manifests and the KServe runtime, checked against the real
 * command line and a real server: every argument they pass to {@code intent serve} parses (and
 * makes a valid configuration), ports agree with what the server listens on, every probe path
 * answers 200 on a running server, and the objects refer to each other correctly.
 */
class DeployManifestsTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final ObjectMapper YAML = new YAMLMapper();

  @TempDir static Path tmp;
  static Map<String, JsonNode> kube;
  static Map<String, JsonNode> kserve;

  @BeforeAll
  static void read() throws Exception {
    assertThat(ROOT.resolve("Dockerfile")).as("tests run in the cli module of the repository").exists();
    kube = objects(ROOT.resolve("deploy/kubernetes"));
    kserve = objects(ROOT.resolve("deploy/kserve"));
  }

  /** Every object of every YAML file in {@code dir}, by {@code Kind/name}. */
  private static Map<String, JsonNode> objects(Path dir) throws Exception {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      try (var parser = new YAMLFactory().createParser(f.toFile())) {
        for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
          JsonNode doc = it.next();
          assertThat(doc.path("apiVersion").asText()).as(f + ": apiVersion").isNotEmpty();
          out.put(doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText(), doc);
        }
      }
    }
    return out;
  }

  /** {@code intent serve ARGS} parsed by the real command's picocli spec, and its configuration built. */
  private static ServeCommand serve(List<String> args) {
    ServeCommand cmd = new ServeCommand();
    CommandLine cli = new CommandLine(cmd);
    List<String> given = args.stream().map(a -> a.replace("{{.Name}}", "clinc150")).toList();
    for (String a : given) {
      if (a.startsWith("--")) {
        assertThat(cli.getCommandSpec().findOption(a.split("=", 2)[0])).as("intent serve accepts " + a).isNotNull();
      }
    }
    cli.parseArgs(given.toArray(String[]::new)); // throws on an unknown option or a bad value
    cmd.config(); // throws on a value out of range
    return cmd;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode container(JsonNode podSpec) {
    assertThat(podSpec.path("containers")).hasSize(1);
    return podSpec.path("containers").get(0);
  }

  private static int probePort(JsonNode probe, JsonNode container) {
    JsonNode port = probe.path("httpGet").path("port");
    if (port.isInt()) {
      return port.asInt();
    }
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(port.asText())) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("no container port named " + port);
  }

  /** {@code config} on a free loopback port, serving {@code repository}, without polling. */
  private static ServerConfig onLoopback(ServerConfig c, Path repository) {
    return new ServerConfig("127.0.0.1", 0, repository, c.instances(), c.threads(), c.batch(), c.timeout(), c.maxBodyBytes(),
        c.truncate(), c.maxBatchRequest(), java.time.Duration.ZERO, c.topK(), c.shutdownGrace(), c.ioThreads(), c.adminToken(),
        c.pins(), c.modelName());
  }

  /** Starts a real server with {@code config} and GETs each path; all must answer 200. */
  private static void answers200(ServerConfig config, List<String> paths) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    try (InferenceServer server = InferenceServer.start(config, RepositoryBootstrapper.NONE)) {
      for (String path : paths) {
        URI uri = server.baseUri().resolve(path);
        int status = client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        assertThat(status).as("GET " + path).isEqualTo(200);
      }
    }
  }

  /** The Dockerfile's instructions (continuations joined, heredoc bodies skipped), e.g. "EXPOSE 8000". */
  private static List<String> dockerInstructions() throws Exception {
    List<String> out = new ArrayList<>();
    String heredocEnd = null;
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(ROOT.resolve("Dockerfile"))) {
      if (heredocEnd != null) {
        if (line.strip().equals(heredocEnd)) {
          heredocEnd = null;
        }
        continue;
      }
      if (current.length() == 0 && (line.isBlank() || line.stripLeading().startsWith("#"))) {
        continue;
      }
      var heredoc = java.util.regex.Pattern.compile("<<-?'?(\\w+)'?").matcher(line);
      if (heredoc.find()) {
        heredocEnd = heredoc.group(1);
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      out.add(current.append(line).toString().strip());
      current.setLength(0);
    }
    return out;
  }

  private static String instruction(List<String> all, String name) {
    List<String> found = all.stream().filter(i -> i.startsWith(name + " ")).toList();
    assertThat(found).as(name).isNotEmpty();
    return found.get(found.size() - 1).substring(name.length() + 1).strip();
  }

  @Test
  void dockerfileRunsTheRealServeCommandOnItsPortWithHealthCheckAndVolume() throws Exception {
    List<String> docker = dockerInstructions();
    List<String> entrypoint = strings(YAML.readTree(instruction(docker, "ENTRYPOINT")));
    List<String> cmd = strings(YAML.readTree(instruction(docker, "CMD")));
    assertThat(entrypoint).endsWith("serve");
    ServeCommand serve = serve(cmd);
    assertThat(serve.host).isEqualTo("0.0.0.0");
    assertThat(serve.repository).isEqualTo("/models");
    assertThat(instruction(docker, "VOLUME")).contains("/models");
    assertThat(Integer.parseInt(instruction(docker, "EXPOSE"))).isEqualTo(serve.port).isEqualTo(ServerConfig.DEFAULT_PORT);
    assertThat(instruction(docker, "USER")).matches("[1-9][0-9]*(:[1-9][0-9]*)?");
    String health = instruction(docker, "HEALTHCHECK");
    assertThat(health).contains("http://127.0.0.1:" + serve.port + "/v2/health/live");
    assertThat(ROOT.resolve(".dockerignore")).content().contains("**/target").contains(".git");

    Path repo = tmp.resolve("docker-models");
    TinyModel.write(repo.resolve("demo/1"), "demo", "1");
    answers200(ServerConfig.builder(repo).port(0).threads(1).instances(1).pollInterval(java.time.Duration.ZERO).build(),
        List.of(URI.create(health.replaceAll(".*(http://\\S+?)\"?(\\s|,|]|$).*", "$1")).getPath()));
  }

  @Test
  void kubernetesDeploymentServiceHpaAndPdbAgreeWithTheServer() throws Exception {
    JsonNode deployment = kube.get("Deployment/intent-inference");
    assertThat(deployment).as(kube.keySet().toString()).isNotNull();
    JsonNode pod = deployment.path("spec").path("template");
    JsonNode c = container(pod.path("spec"));
    ServeCommand serve = serve(strings(c.path("args")));
    assertThat(serve.host).isEqualTo("0.0.0.0");
    assertThat(c.path("ports")).hasSize(1);
    int containerPort = c.path("ports").get(0).path("containerPort").asInt();
    String portName = c.path("ports").get(0).path("name").asText();
    assertThat(containerPort).as("the port intent serve listens on").isEqualTo(serve.port);

    // Probes: the server's port, and paths a running server answers 200.
    List<String> paths = new ArrayList<>();
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      JsonNode p = c.path(probe);
      assertThat(p.isMissingNode()).as(probe).isFalse();
      assertThat(probePort(p, c)).as(probe + " port").isEqualTo(containerPort);
      paths.add(p.path("httpGet").path("path").asText());
    }
    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/v2/health/ready");
    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/v2/health/live");

    // The drain sequence fits in the grace period: preStop sleep, then --drain, then --shutdown-grace,
    // then up to a second for batches still running and about one for the port's close.
    List<String> preStop = strings(c.path("lifecycle").path("preStop").path("exec").path("command"));
    assertThat(preStop).hasSize(2).startsWith("sleep");
    long sleep = Long.parseLong(preStop.get(1));
    assertThat(sleep).isPositive();
    assertThat(pod.path("spec").path("terminationGracePeriodSeconds").asLong())
        .isGreaterThan(sleep + serve.drainSeconds + serve.shutdownGraceSeconds + 2);

    // Non-root, read-only root filesystem, a writable /tmp, the repository as a read-only volume.
    JsonNode podSecurity = pod.path("spec").path("securityContext");
    assertThat(podSecurity.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(podSecurity.path("runAsUser").asInt()).isPositive();
    assertThat(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
    Map<String, JsonNode> mounts = new LinkedHashMap<>();
    c.path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m));
    assertThat(mounts).containsKeys("/tmp", serve.repository.toString());
    Map<String, JsonNode> volumes = new LinkedHashMap<>();
    pod.path("spec").path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
    assertThat(volumes.get(mounts.get("/tmp").path("name").asText()).has("emptyDir")).isTrue();
    JsonNode models = volumes.get(mounts.get(serve.repository.toString()).path("name").asText());
    assertThat(kube).containsKey("PersistentVolumeClaim/" + models.path("persistentVolumeClaim").path("claimName").asText());

    // The admin token comes from a Secret, under the name the server reads.
    JsonNode token = null;
    for (JsonNode e : c.path("env")) {
      if (e.path("name").asText().equals("INTENT_ADMIN_TOKEN")) {
        token = e;
      }
    }
    assertThat(token).as("INTENT_ADMIN_TOKEN").isNotNull();
    assertThat(kube).containsKey("Secret/" + token.path("valueFrom").path("secretKeyRef").path("name").asText());

    // Selectors: Service, PDB and the Deployment's own select the pod; the HPA scales the Deployment.
    Map<String, String> podLabels = YAML.convertValue(pod.path("metadata").path("labels"), Map.class);
    assertThat(podLabels).containsAllEntriesOf(YAML.convertValue(deployment.path("spec").path("selector").path("matchLabels"), Map.class));
    JsonNode service = kube.get("Service/intent-inference");
    assertThat(podLabels).containsAllEntriesOf(YAML.convertValue(service.path("spec").path("selector"), Map.class));
    JsonNode target = service.path("spec").path("ports").get(0).path("targetPort");
    assertThat(target.isInt() ? String.valueOf(target.asInt()) : target.asText()).isIn(portName, String.valueOf(containerPort));
    JsonNode pdb = kube.get("PodDisruptionBudget/intent-inference");
    assertThat(podLabels).containsAllEntriesOf(YAML.convertValue(pdb.path("spec").path("selector").path("matchLabels"), Map.class));
    JsonNode hpa = kube.get("HorizontalPodAutoscaler/intent-inference");
    assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
    assertThat(hpa.path("spec").path("scaleTargetRef").path("kind").asText()).isEqualTo("Deployment");
    assertThat(hpa.path("spec").path("scaleTargetRef").path("name").asText()).isEqualTo("intent-inference");
    assertThat(hpa.path("spec").path("metrics").get(0).path("resource").path("name").asText()).isEqualTo("cpu");
    assertThat(c.path("resources").path("requests").path("cpu").isMissingNode()).as("HPA on CPU needs a CPU request").isFalse();

    Path repo = tmp.resolve("kube-models");
    TinyModel.write(repo.resolve("demo/1"), "demo", "1");
    answers200(onLoopback(serve.config(), repo), paths);
  }

  /** The S3 variant (a kustomize overlay): the bucket as repository, a writable cache, credentials from a Secret. */
  @Test
  void theS3OverlayServesFromABucketIntoAWritableCache() throws Exception {
    Path dir = ROOT.resolve("deploy/kubernetes/s3");
    Map<String, JsonNode> overlay = objects(dir);
    JsonNode kustomization = overlay.get("Kustomization/");
    assertThat(kustomization).as(overlay.keySet().toString()).isNotNull();
    for (JsonNode patch : kustomization.path("patches")) {
      assertThat(dir.resolve(patch.path("path").asText())).as("patch file").exists();
    }
    assertThat(strings(kustomization.path("resources"))).contains("..");

    JsonNode pod = overlay.get("Deployment/intent-inference").path("spec").path("template");
    JsonNode c = container(pod.path("spec"));
    ServeCommand serve = serve(strings(c.path("args")));
    assertThat(serve.fromBucket()).isTrue();
    assertThat(serve.localRepository().startsWith(serve.cache)).as("the bucket is copied under --cache").isTrue();
    String secret = c.path("envFrom").get(0).path("secretRef").path("name").asText();
    assertThat(overlay).containsKey("Secret/" + secret);
    assertThat(YAML.convertValue(overlay.get("Secret/" + secret).path("stringData"), Map.class))
        .containsKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION");
    String cacheVolume = null;
    for (JsonNode m : c.path("volumeMounts")) {
      if (m.path("mountPath").asText().equals(serve.cache.toString())) {
        cacheVolume = m.path("name").asText();
      }
    }
    assertThat(cacheVolume).as("the cache is mounted").isNotNull();
    boolean emptyDir = false;
    for (JsonNode v : pod.path("spec").path("volumes")) {
      emptyDir |= v.path("name").asText().equals(cacheVolume) && v.has("emptyDir");
    }
    assertThat(emptyDir).as("the cache is a writable emptyDir (the root filesystem is read-only)").isTrue();
    assertThat(overlay).containsKey("PersistentVolumeClaim/intent-models"); // the delete patch for the base's claim
  }

  @Test
  void kserveRuntimeServesTheFlatModelMountUnderTheInferenceServiceName() throws Exception {
    JsonNode runtime = kserve.get("ServingRuntime/intent-runtime");
    assertThat(runtime).as(kserve.keySet().toString()).isNotNull();
    JsonNode spec = runtime.path("spec");
    assertThat(strings(spec.path("protocolVersions"))).contains("v2", "grpc-v2");
    assertThat(spec.path("supportedModelFormats").get(0).path("name").asText()).isEqualTo("intent");
    JsonNode c = container(spec);
    List<String> args = strings(c.path("args"));
    assertThat(args).contains("{{.Name}}");
    ServeCommand serve = serve(args);
    assertThat(serve.modelName).isEqualTo("clinc150");
    assertThat(serve.repository).isEqualTo("/mnt/models");
    int containerPort = c.path("ports").get(0).path("containerPort").asInt();
    assertThat(containerPort).isEqualTo(serve.port);
    List<String> paths = new ArrayList<>();
    for (String probe : List.of("livenessProbe", "readinessProbe")) {
      assertThat(probePort(c.path(probe), c)).as(probe).isEqualTo(containerPort);
      paths.add(c.path(probe).path("httpGet").path("path").asText());
    }

    JsonNode isvc = kserve.get("InferenceService/clinc150");
    JsonNode model = isvc.path("spec").path("predictor").path("model");
    assertThat(model.path("modelFormat").path("name").asText()).isEqualTo("intent");
    assertThat(model.path("runtime").asText()).isEqualTo("intent-runtime");
    assertThat(model.path("protocolVersion").asText()).isEqualTo("v2");
    assertThat(model.path("storageUri").asText()).matches("s3://[a-z0-9.-]+/.+/[^/]+/[^/]+");
    String sa = isvc.path("spec").path("predictor").path("serviceAccountName").asText();
    assertThat(kserve).containsKey("ServiceAccount/" + sa);

    // What the storage initializer leaves: the model directly in /mnt/models. The server, run
    // with the runtime's arguments, serves it as the InferenceService's name and answers the probes.
    Path mnt = tmp.resolve("mnt-models");
    TinyModel.write(mnt, "banking", "2");
    List<String> withModel = new ArrayList<>(paths);
    withModel.add("/v2/models/" + isvc.path("metadata").path("name").asText() + "/ready");
    answers200(onLoopback(serve.config(), mnt), withModel);
  }
}
