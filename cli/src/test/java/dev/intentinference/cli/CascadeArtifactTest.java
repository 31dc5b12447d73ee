package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.CascadeInfo;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.IntentPrediction;
import dev.intentinference.core.model.IntentPredictor;
import dev.intentinference.core.model.LoadOptions;
import dev.intentinference.core.model.ModelLoader;
import dev.intentinference.core.model.OpenedModel;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.server.HeadlessChromium;
import dev.intentinference.server.InferenceServer;
import dev.intentinference.server.RepositoryBootstrapper;
import dev.intentinference.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A cascade artifact end to end: two real centroid models on the shipped encoder compiled to int8
 * and packed by {@code intent compile --fallback}, then evaluated, predicted with, benchmarked in
 * process and served over HTTP, where each message must be answered by exactly the model the
 * escalation rule names.
 */
class CascadeArtifactTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> MESSAGES = List.of("change company address", "how much is in my account",
      "is it going to snow", "i moved house", "balance please", "umbrella needed today?", "new phone number",
      "what's left on my card", "hello there", "update my email", "send me the forecast", "my savings",
      // the fallback's own examples, which the first model never saw
      "temperature outside", "funds left", "edit my account details", "is it sunny");

  @TempDir static Path tmp;
  static Path firstArtifact;
  static Path fallbackArtifact;
  static Path cascade;
  static double escalateBelow;
  static boolean[] unsure;
  static float[] best;
  static InferenceServer server;
  static Cli fromDirectories;

  @BeforeAll
  static void compileAndServe() throws Exception {
    Map<String, List<String>> few = new LinkedHashMap<>();
    few.put("update_details", List.of("change my address"));
    few.put("balance", List.of("what is my balance"));
    few.put("weather", List.of("will it rain today"));
    // Another label order: the served cascade must put the fallback's rows into the first model's.
    Map<String, List<String>> more = new LinkedHashMap<>();
    more.put("weather", List.of("will it rain today", "what's the weather like", "temperature outside", "is it sunny"));
    more.put("balance", List.of("what is my balance", "how much money do i have", "show account balance", "funds left"));
    more.put("update_details", List.of("change my address", "update my phone number", "edit my account details", "i moved"));
    Path fast = tmp.resolve("fast");
    Path slow = tmp.resolve("slow");
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID),
        SessionSettings.singleThread())) {
      new CentroidModelBuilder(enc, "support", "3").write(fast, few, 0.4);
      // A strict out-of-scope rule of its own, so the two models' decisions differ where the fallback answers.
      new CentroidModelBuilder(enc, "support-teacher", "1").write(slow, more, 0.9);
    }
    // Compiled once, from the two directories; the models' own artifacts are taken out of it, so
    // that packing compiled artifacts is tested too without compiling twice.
    fromDirectories = Cli.run("compile", "--model", fast.toString(), "--fallback", slow.toString(), "--precision", "int8",
        "--out", tmp.resolve("from-directories") + "/");
    assertThat(fromDirectories.exitCode()).as(fromDirectories.err()).isZero();
    IntentArtifact both = IntentArtifact.read(tmp.resolve("from-directories/support-3.intent"));
    fallbackArtifact = Files.write(tmp.resolve("fallback.intent"), both.entry(CascadeInfo.ENTRY));
    Map<String, Object> compile = new LinkedHashMap<>(both.manifest().compile());
    compile.remove(CascadeInfo.KEY);
    Map<String, byte[]> entries = new LinkedHashMap<>(both.entries());
    entries.remove(CascadeInfo.ENTRY);
    firstArtifact = tmp.resolve("first.intent");
    IntentArtifact.write(firstArtifact, both.manifest().withCompile(compile), entries);

    // The escalation threshold halfway between two neighbouring certainties, so that half the
    // messages go to the fallback and none sits on the edge.
    best = new float[MESSAGES.size()];
    try (IntentPredictor first = open(firstArtifact)) {
      for (int i = 0; i < best.length; i++) {
        for (float p : first.scorer().score(List.of(MESSAGES.get(i))).probabilities()[0]) {
          best[i] = Math.max(best[i], p);
        }
      }
    }
    float[] sorted = best.clone();
    Arrays.sort(sorted);
    int half = sorted.length / 2;
    assertThat(sorted[half]).as("a gap to put the threshold in").isGreaterThan(sorted[half - 1]);
    escalateBelow = (sorted[half - 1] + sorted[half]) / 2.0;
    unsure = new boolean[best.length];
    for (int i = 0; i < best.length; i++) {
      unsure[i] = best[i] < escalateBelow;
    }

    Path versionDir = Files.createDirectories(tmp.resolve("repo/support/3"));
    cascade = versionDir.resolve("support-3.intent");
    Cli pack = Cli.run("compile", "--model", firstArtifact.toString(), "--fallback", fallbackArtifact.toString(),
        "--escalate-below", Double.toString(escalateBelow), "--out", versionDir + "/");
    assertThat(pack.exitCode()).as(pack.err()).isZero();
    assertThat(pack.out()).contains("support version 3 with support-teacher version 1 behind it");
    server = InferenceServer.start(
        ServerConfig.builder(tmp.resolve("repo")).port(0).threads(1).pollInterval(Duration.ZERO).build(),
        RepositoryBootstrapper.NONE);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static IntentPredictor open(Path artifact) {
    return ModelLoader.open(artifact, LoadOptions.defaults().withSession(SessionSettings.singleThread()));
  }

  @Test
  void theArtifactNestsTheFallbackWholeAndRecordsThePair() throws Exception {
    IntentArtifact a = IntentArtifact.read(cascade);
    assertThat(a.entry(CascadeInfo.ENTRY)).isEqualTo(Files.readAllBytes(fallbackArtifact));
    assertThat(a.entry(IntentArtifact.MODEL_ENTRY)).isEqualTo(IntentArtifact.read(firstArtifact).entry(IntentArtifact.MODEL_ENTRY));
    assertThat(CascadeInfo.of(a.manifest())).isEqualTo(new CascadeInfo(escalateBelow, "support-teacher", "1"));
    assertThat(a.fallback(cascade.toString()).manifest().labels()).containsExactly("weather", "balance", "update_details");
    try (OpenedModel plain = ModelLoader.openWithFallback(firstArtifact, LoadOptions.defaults())) {
      assertThat(plain.fallback()).isNull();
    }
  }

  /** inspect checks the nested fallback as loading does, and compile packs no fallback the loader would refuse. */
  @Test
  void aDamagedFallbackIsFoundByInspectAndNotPacked() throws Exception {
    Cli fine = Cli.run("inspect", cascade.toString());
    assertThat(fine.exitCode()).as(fine.err()).isZero();
    assertThat(fine.out()).contains("so do the 2 entries of the nested fallback support-teacher version 1");

    IntentArtifact a = IntentArtifact.read(cascade);
    byte[] model = a.fallback(cascade.toString()).entry(IntentArtifact.MODEL_ENTRY).clone();
    model[model.length / 2] ^= 1;
    java.io.ByteArrayOutputStream nested = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(a.entry(CascadeInfo.ENTRY)));
        java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(nested)) {
      for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
        out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
        out.write(e.getName().equals(IntentArtifact.MODEL_ENTRY) ? model : in.readAllBytes());
      }
    }
    Map<String, byte[]> entries = new java.util.LinkedHashMap<>(a.entries());
    entries.put(CascadeInfo.ENTRY, nested.toByteArray());
    Path altered = tmp.resolve("nested-altered.intent");
    IntentArtifact.write(altered, a.manifest(), entries); // the outer hashes match the altered nested bytes
    Cli r = Cli.run("inspect", altered.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("!fallback.intent: entry model.onnx has SHA-256").doesNotContain("Exception");

    byte[] whole = Files.readAllBytes(fallbackArtifact);
    Path cut = Files.write(tmp.resolve("cut-fallback.intent"), java.util.Arrays.copyOf(whole, whole.length - 30));
    Path out = tmp.resolve("not-packed");
    Files.createDirectories(out);
    Cli pack = Cli.run("compile", "--model", firstArtifact.toString(), "--fallback", cut.toString(), "--out", out + "/");
    assertThat(pack.exitCode()).isEqualTo(2);
    assertThat(pack.err()).contains("not a valid .intent artifact");
    try (var files = Files.list(out)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void servedAnswersComeFromTheModelTheEscalationRuleNames() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI base = URI.create("http://127.0.0.1:" + server.port());
    int escalated = 0;
    try (IntentPredictor first = open(firstArtifact); IntentPredictor fallback = open(fallbackArtifact)) {
      for (int i = 0; i < MESSAGES.size(); i++) {
        String text = MESSAGES.get(i);
        // One message per request, so the server runs batches of one, as the models here do.
        JsonNode served = JSON.readTree(post(http, base.resolve("/v1/models/support/predict"),
            JSON.writeValueAsString(Map.of("text", text))));
        IntentPrediction own = (unsure[i] ? fallback : first).predict(text);
        assertThat(served.path("answered_by_fallback").asBoolean()).as(text).isEqualTo(unsure[i]);
        assertThat(served.get("intent").asText()).as(text).isEqualTo(own.intent());
        assertThat(served.get("out_of_scope").asBoolean()).as(text).isEqualTo(own.outOfScope());
        assertThat(served.get("confidence").asDouble()).as(text).isCloseTo(own.confidence(), within(1e-6));
        assertThat(served.get("model_version").asText()).isEqualTo("3");
        escalated += unsure[i] ? 1 : 0;
      }
    }
    assertThat(escalated).isEqualTo(MESSAGES.size() / 2);

    // Open Inference Protocol: the escalated texts of a batch are listed like truncated ones.
    List<Map<String, Object>> inputs = List.of(Map.of("name", "text", "datatype", "BYTES", "shape", List.of(MESSAGES.size()),
        "data", MESSAGES));
    JsonNode infer = JSON.readTree(post(http, base.resolve("/v2/models/support/infer"), JSON.writeValueAsString(Map.of("inputs", inputs))));
    // A batch pads its texts to the longest, which moves a dynamic-int8 model's probabilities a
    // little: only the texts clearly on one side of the threshold are checked.
    List<String> listed = List.of(infer.at("/parameters/escalated").asText().split(","));
    int clear = 0;
    for (int i = 0; i < unsure.length; i++) {
      if (Math.abs(best[i] - escalateBelow) > 0.02) {
        clear++;
        assertThat(listed.contains(Integer.toString(i))).as(infer.toString() + " text " + i).isEqualTo(unsure[i]);
      }
    }
    assertThat(clear).isGreaterThan(MESSAGES.size() / 2);

    JsonNode metadata = JSON.readTree(http.send(HttpRequest.newBuilder(base.resolve("/v2/models/support")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    assertThat(metadata.at("/manifest/compile/cascade/fallback_name").asText()).isEqualTo("support-teacher");
    String metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("intent_cascade_escalated_total{model=\"support\"} " + (double) (escalated + listed.size()))
        .contains("intent_cascade_texts_total{model=\"support\"} " + (double) (2 * MESSAGES.size()));
  }

  @Test
  void evalPredictAndBenchUseThePackedFallback() throws Exception {
    Path data = tmp.resolve("messages.csv");
    StringBuilder csv = new StringBuilder("text,intent\n");
    try (IntentPredictor fallback = open(fallbackArtifact)) {
      // Labelled as the fallback decides, so only the cascade (here: every message escalated) scores all of them.
      for (String m : MESSAGES) {
        IntentPrediction p = fallback.predict(m);
        csv.append('"').append(m).append("\",").append(p.outOfScope() ? "oos" : p.intent()).append('\n');
      }
    }
    Files.writeString(data, csv);
    JsonNode eval = JSON.readTree(Cli.run("eval", "--quiet", "--json", "--model", cascade.toString(), "--data", data.toString()).out());
    assertThat(eval.at("/model/cascade/escalate_below").asDouble()).isEqualTo(escalateBelow);
    assertThat(eval.at("/model/cascade/escalated").asInt()).isEqualTo(MESSAGES.size() / 2);
    JsonNode all = JSON.readTree(Cli.run("eval", "--quiet", "--json", "--model", cascade.toString(), "--escalate-below", "1",
        "--data", data.toString()).out());
    assertThat(all.at("/model/cascade/escalated").asInt()).isEqualTo(MESSAGES.size());
    assertThat(all.at("/report/in_scope_top1").asDouble()).as(all.toString()).isEqualTo(1.0);

    Cli predict = Cli.run("predict", "--json", "--model", cascade.toString(), "--escalate-below", "1", "hello there");
    assertThat(JSON.readTree(predict.out()).get("answered_by_fallback").asBoolean()).as(predict.err()).isTrue();

    Cli bench = Cli.run("bench", "--target", "inproc:" + cascade, "--mode", "accuracy", "--data", data.toString(), "--no-progress");
    assertThat(bench.exitCode()).as(bench.err()).isZero();
    Cli served = Cli.run("bench", "--target", "http://127.0.0.1:" + server.port(), "--model", "support", "--mode", "accuracy",
        "--data", data.toString(), "--no-progress");
    assertThat(served.exitCode()).as(served.err()).isZero();
    Cli grpc = Cli.run("bench", "--target", "grpc://127.0.0.1:" + server.port(), "--model", "support", "--mode", "accuracy",
        "--data", data.toString(), "--no-progress");
    assertThat(grpc.exitCode()).as(grpc.err()).isZero();
    String line = bench.out().lines().filter(l -> l.contains("accuracy as served")).findFirst().orElseThrow();
    assertThat(served.out()).contains(line.strip());
    assertThat(grpc.out()).contains(line.strip());
    Cli firstAlone = Cli.run("bench", "--target", "inproc:" + firstArtifact, "--mode", "accuracy", "--data", data.toString(),
        "--no-progress");
    assertThat(firstAlone.out()).as("the fixture tells the cascade from its first model").doesNotContain(line.strip());
  }

  @Test
  void modelDirectoriesAreCompiledWithTheSameOptionsAndPacked() {
    Path out = tmp.resolve("from-directories");
    assertThat(fromDirectories.out()).contains("fallback support-teacher version 1: verified on").contains("a cascade escalating below 0.8");
    IntentArtifact a = IntentArtifact.read(out.resolve("support-3.intent"));
    IntentArtifact f = a.fallback("packed");
    assertThat(f.manifest().compile().get("precision")).isEqualTo("int8");
    assertThat(CascadeInfo.of(a.manifest()).escalateBelow()).isEqualTo(CascadeInfo.DEFAULT_ESCALATE_BELOW);
    assertThat(a.manifest().compile().get(CascadeInfo.KEY).toString()).contains("fallback_sha256");
    try (var files = java.nio.file.Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("support-3.intent");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void badPairsAndOptionsAreRefusedAndNothingIsWritten() throws Exception {
    Path other = tmp.resolve("other");
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID),
        SessionSettings.singleThread())) {
      new CentroidModelBuilder(enc, "alarms", "1").write(other,
          Map.of("alarm", List.of("wake me up"), "timer", List.of("set a timer")), 0.5);
    }
    Path out = tmp.resolve("refused");
    Files.createDirectories(out);
    Cli otherIntents = Cli.run("compile", "--model", tmp.resolve("fast").toString(), "--fallback", other.toString(),
        "--out", out + "/");
    assertThat(otherIntents.exitCode()).isEqualTo(2);
    assertThat(otherIntents.err()).contains("intents differ").doesNotContain("Exception");
    Cli noFallback = Cli.run("compile", "--model", tmp.resolve("fast").toString(), "--escalate-below", "0.5", "--out", out + "/");
    assertThat(noFallback.exitCode()).isEqualTo(2);
    assertThat(noFallback.err()).contains("--escalate-below needs --fallback");
    Cli range = Cli.run("compile", "--model", firstArtifact.toString(), "--fallback", fallbackArtifact.toString(),
        "--escalate-below", "1.5", "--out", out + "/");
    assertThat(range.exitCode()).isEqualTo(2);
    assertThat(range.err()).contains("[0, 1]");
    Cli nested = Cli.run("compile", "--model", firstArtifact.toString(), "--fallback", cascade.toString(), "--out", out + "/");
    assertThat(nested.exitCode()).isEqualTo(2);
    assertThat(nested.err()).contains("is itself a cascade");
    Cli dirBehindArtifact = Cli.run("compile", "--model", firstArtifact.toString(), "--fallback", tmp.resolve("slow").toString(),
        "--out", out + "/");
    assertThat(dirBehindArtifact.exitCode()).isEqualTo(2);
    assertThat(dirBehindArtifact.err()).contains("must be a compiled .intent too");
    try (var files = Files.list(out)) {
      assertThat(files).isEmpty();
    }
    Cli twice = Cli.run("eval", "--model", cascade.toString(), "--fallback", fallbackArtifact.toString(), "--data", "clinc150");
    assertThat(twice.exitCode()).isEqualTo(2);
    assertThat(twice.err()).contains("already holds a fallback model");
  }

  /**
   * The home page of a server with the cascade: the chat says which answers the fallback model
   * gave, the dashboard charts the share it answered, and the model's card names the pair.
   */
  @Test
  void theWebPageShowsWhichModelAnsweredAndTheShareEscalated() throws Exception {
    int sure = -1;
    int doubtful = -1;
    for (int i = 0; i < unsure.length; i++) {
      if (Math.abs(best[i] - escalateBelow) > 0.02) {
        if (unsure[i] && doubtful < 0) {
          doubtful = i;
        } else if (!unsure[i] && sure < 0) {
          sure = i;
        }
      }
    }
    assertThat(doubtful).as("a message clearly below the threshold").isNotNegative();
    assertThat(sure).as("a message clearly above it").isNotNegative();
    // Its own server, so that its counts start from zero whatever ran before.
    try (InferenceServer own = InferenceServer.start(
        ServerConfig.builder(tmp.resolve("repo")).port(0).threads(1).pollInterval(Duration.ZERO).build(),
        RepositoryBootstrapper.NONE)) {
      ChromeDriver driver = HeadlessChromium.start(tmp.resolve("profile"));
      try {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        driver.get(own.baseUri().toString());
        wait.until(d -> "live".equals(d.findElement(By.id("connection")).getAttribute("data-state")));
        assertThat(driver.findElement(By.id("figure-escalated")).isDisplayed()).as("no cascade batch yet").isFalse();
        List<Map<String, String>> answers = List.of();
        for (int i : new int[] {doubtful, sure}) {
          int before = answers.size();
          wait.until(d -> d.findElement(By.cssSelector("intent-chat")).getShadowRoot().findElement(By.cssSelector("input")))
              .sendKeys(MESSAGES.get(i), Keys.ENTER);
          answers = wait.until(d -> {
            @SuppressWarnings("unchecked")
            List<Map<String, String>> a = (List<Map<String, String>>) ((JavascriptExecutor) d).executeScript(
                "return [...document.querySelector('intent-chat').shadowRoot.querySelectorAll('.msg.bot')]"
                + ".map(m => Object.assign({text: m.innerText}, m.dataset));");
            return a.size() > before ? a : null;
          });
        }
        assertThat(answers.get(0).get("answeredByFallback")).isEqualTo("true");
        assertThat(answers.get(0).get("text")).contains("answered by its fallback model");
        assertThat(answers.get(1).get("answeredByFallback")).isEqualTo("false");
        assertThat(answers.get(1).get("text")).doesNotContain("fallback");

        JsonNode stats = JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(own.baseUri().resolve("/v1/stats"))
            .build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(stats.at("/cascade/support/texts").asDouble()).isEqualTo(2.0);
        assertThat(stats.at("/cascade/support/escalated").asDouble()).isEqualTo(1.0);
        wait.until(d -> d.findElement(By.id("figure-escalated")).isDisplayed());
        wait.until(d -> d.findElement(By.id("escalated-total")).getText().contains("support 1 of 2 texts (50.0%)"));
        WebElement card = wait.until(d -> d.findElement(By.cssSelector("article.model[data-model='support']")));
        assertThat(card.getText()).contains("support-teacher version 1 answers instead");
        Path shot = Files.createDirectories(Path.of("target/screenshots")).resolve("cascade-home.png");
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        driver.quit();
      }
    }
  }

  private static String post(HttpClient http, URI uri, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }
}
