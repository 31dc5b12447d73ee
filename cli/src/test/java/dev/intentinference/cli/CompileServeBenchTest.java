package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.server.InferenceServer;
import dev.intentinference.server.RepositoryBootstrapper;
import dev.intentinference.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
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
 * The whole deployment path across modules: a model is compiled to an int8 artifact, served from
 * a repository, and benchmarked over both transports, with answers checked end to end.
 */
class CompileServeBenchTest {
  @TempDir static Path tmp;
  static InferenceServer server;
  static Path data;

  record Run(int exit, String out, String err) {}

  static Run intent(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = IntentCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  @BeforeAll
  static void compileAndServe() throws Exception {
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("balance", List.of("what is my account balance", "how much money do i have", "show my balance"));
    examples.put("transfer", List.of("send money to my savings", "transfer fifty dollars to john", "move cash between accounts"));
    examples.put("weather", List.of("will it rain tomorrow", "what is the weather like", "how hot is it outside"));
    Path source = tmp.resolve("source");
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), SessionSettings.singleThread())) {
      new CentroidModelBuilder(enc, "demo", "1").write(source, examples, 0.0);
    }
    Path versionDir = Files.createDirectories(tmp.resolve("repo/demo/1"));
    Run compile = intent("compile", "--model", source.toString(), "--out", versionDir.toString(), "--precision", "int8");
    assertThat(compile.exit()).as(compile.err()).isZero();
    assertThat(versionDir.resolve("demo-1.intent")).isRegularFile();

    data = Files.writeString(tmp.resolve("labeled.csv"), String.join("\n",
        "text,intent", "how much is in my account,balance", "please send money to my mother,transfer",
        "is it going to snow today,weather", "check my balance please,balance") + "\n");
    server = InferenceServer.start(
        ServerConfig.builder(tmp.resolve("repo")).port(0).threads(1).pollInterval(Duration.ZERO).build(),
        RepositoryBootstrapper.NONE);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void compiledArtifactAnswersCorrectlyOverGrpc() {
    Run r = intent("bench", "--target", "grpc://127.0.0.1:" + server.port(), "--model", "demo",
        "--mode", "accuracy", "--data", data.toString(), "--no-progress");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("accuracy as served: 1.0000 (4/4)");
  }

  @Test
  void closedLoopOverHttpWritesTheReferenceCsv() throws Exception {
    Path csv = tmp.resolve("run.csv");
    Run r = intent("bench", "--target", "http://127.0.0.1:" + server.port(), "--model", "demo",
        "--concurrency", "2", "--duration", "1s", "--warmup", "0s", "--interval", "500ms",
        "--data", data.toString(), "--csv", csv.toString(), "--no-progress");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0)).isEqualTo("pid,current_num_infer,throughput,p50,p90");
    assertThat(lines).hasSizeGreaterThan(1);
    assertThat(r.out()).contains("0 failed").contains("stability: ").contains(" of 2 intervals within \u00b15% of ");
    assertThat(r.out()).as("a closed loop has no schedule to be late for").doesNotContain("send lag");
  }

  @Test
  void openLoopOverHttpSaysHowLateItsOwnSendsWere() {
    Run r = intent("bench", "--target", "http://127.0.0.1:" + server.port(), "--model", "demo",
        "--rate", "50", "--arrivals", "constant", "--duration", "1s", "--warmup", "0s", "--interval", "500ms",
        "--data", data.toString(), "--no-progress");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("0 failed").containsPattern("send lag \\(ms, part of every latency above\\): p50 [0-9.]+  p99 [0-9.]+  max [0-9.]+");
  }

  @Test
  void gpuArtifactNeedsAGpuOrAnExplicitCpuFallback() {
    String artifact = tmp.resolve("demo-cuda.intent").toString();
    Run compile = intent("compile", "--model", tmp.resolve("source").toString(), "--out", artifact, "--target", "cuda");
    assertThat(compile.exit()).as(compile.err()).isZero();
    Run refused = intent("predict", "--model", artifact, "what is my balance");
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).contains("compiled for cuda").doesNotContain("Exception");
    Run fallback = intent("predict", "--model", artifact, "--allow-cpu-fallback", "what is my balance");
    assertThat(fallback.exit()).as(fallback.err()).isZero();
    assertThat(fallback.out()).contains("balance");
  }

  @Test
  void unknownModelOverGrpcIsABadInput() {
    Run r = intent("bench", "--target", "grpc://127.0.0.1:" + server.port(), "--model", "nope",
        "--duration", "1s", "--data", data.toString(), "--no-progress");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("unknown model 'nope'");
  }
}
