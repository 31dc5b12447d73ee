package dev.intentinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.intentinference.core.encoder.EncoderRegistry;
import dev.intentinference.core.model.CentroidModelBuilder;
import dev.intentinference.core.model.PinFile;
import dev.intentinference.core.onnx.SentenceEncoder;
import dev.intentinference.core.onnx.SessionSettings;
import dev.intentinference.server.InferenceServer;
import dev.intentinference.server.RepositoryBootstrapper;
import dev.intentinference.server.ServerConfig;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code intent rollback} in both modes (pin file, running server's admin API), and bad names at every CLI entry. */
class RollbackCommandTest {
  static final String TOKEN = "rollback-test-token";
  @TempDir static Path repo;
  @TempDir Path tmp;

  @BeforeAll
  static void twoVersions() {
    Map<String, List<String>> ex = new LinkedHashMap<>();
    ex.put("balance", List.of("what is my account balance", "how much money do i have"));
    ex.put("weather", List.of("will it rain today", "what's the weather like"));
    try (SentenceEncoder enc = SentenceEncoder.load(EncoderRegistry.builtIn().get(EncoderRegistry.DEFAULT_ID), SessionSettings.singleThread())) {
      new CentroidModelBuilder(enc, "demo", "1").write(repo.resolve("demo/1"), ex, 0.2);
      ex.put("greeting", List.of("hello", "hi there"));
      new CentroidModelBuilder(enc, "demo", "2").write(repo.resolve("demo/2"), ex, 0.2);
    }
  }

  /** Exit code 2 and one line starting with "intent: ". */
  static String usageError(Cli r) {
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.err().lines()).as("one line: %s", r.err()).hasSize(1);
    assertThat(r.err()).startsWith("intent: ").doesNotContain("Exception");
    return r.err().strip();
  }

  @Test
  void inARepositoryItWritesAndClearsThePinFile() throws Exception {
    Cli pin = Cli.run("rollback", "--repository", repo.toString(), "--model", "demo", "--version", "1");
    assertThat(pin.exitCode()).as(pin.err()).isZero();
    assertThat(pin.out()).contains("demo: pinned to version 1");
    assertThat(Files.readString(repo.resolve("demo/.pinned-version"))).isEqualTo("1\n");
    assertThat(PinFile.read(repo, "demo")).contains("1");

    assertThat(usageError(Cli.run("rollback", "--repository", repo.toString(), "--model", "demo", "--version", "3")))
        .contains("--version 3").contains("holds no model").contains("versions of demo: [2, 1]");
    assertThat(usageError(Cli.run("rollback", "--repository", repo.toString(), "--model", "nope", "--version", "1")))
        .contains("--model nope: no such model").contains("models: [demo]");
    assertThat(usageError(Cli.run("rollback", "--repository", repo.toString(), "--model", "../demo", "--version", "1")))
        .contains("invalid --model '../demo'");
    assertThat(usageError(Cli.run("rollback", "--repository", repo.toString(), "--model", "demo", "--version", "../../etc")))
        .contains("invalid --version '../../etc'");
    assertThat(usageError(Cli.run("rollback", "--repository", repo.toString(), "--model", "demo", "--version", "/abs")))
        .contains("invalid --version '/abs'");
    assertThat(PinFile.read(repo, "demo")).as("refused rollbacks leave the pin alone").contains("1");

    Cli clear = Cli.run("rollback", "--repository", repo.toString(), "--model", "demo", "--clear");
    assertThat(clear.exitCode()).as(clear.err()).isZero();
    assertThat(clear.out()).contains("pin removed");
    assertThat(repo.resolve("demo/.pinned-version")).doesNotExist();

    Cli both = Cli.run("rollback", "--repository", repo.toString(), "--model", "demo", "--version", "1", "--clear");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(Cli.run("rollback", "--repository", repo.toString(), "--model", "demo").exitCode()).isEqualTo(2);
    assertThat(Cli.run("rollback", "--model", "demo", "--version", "1").exitCode()).isEqualTo(2);
  }

  @Test
  void onAServerItCallsTheAdminApi() throws Exception {
    Path own = tmp.resolve("repo");
    for (String v : List.of("1", "2")) {
      Path to = Files.createDirectories(own.resolve("demo").resolve(v));
      try (var files = Files.list(repo.resolve("demo").resolve(v))) {
        for (Path f : files.toList()) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
    try (InferenceServer s = InferenceServer.start(ServerConfig.builder(own).port(0).threads(1).instances(1)
        .pollInterval(Duration.ZERO).adminToken(TOKEN).build(), RepositoryBootstrapper.NONE)) {
      String url = s.baseUri().toString();
      assertThat(s.servingVersion("demo")).isEqualTo("2");
      Cli ok = Cli.run("rollback", "--server", url, "--model", "demo", "--version", "1", "--admin-token", TOKEN);
      assertThat(ok.exitCode()).as(ok.err()).isZero();
      assertThat(ok.out()).contains("now serves version 1");
      assertThat(s.servingVersion("demo")).isEqualTo("1");

      assertThat(usageError(Cli.run("rollback", "--server", url, "--model", "demo", "--version", "2", "--admin-token", "wrong-token")))
          .contains("refused the admin token").contains("wrong");
      assertThat(usageError(Cli.run("rollback", "--server", url, "--model", "demo", "--version", "9", "--admin-token", TOKEN)))
          .contains("no version '9' in the repository").contains("[2, 1]");
      assertThat(usageError(Cli.run("rollback", "--server", url, "--model", "nope", "--version", "1", "--admin-token", TOKEN)))
          .contains("unknown model 'nope'");
      assertThat(usageError(Cli.run("rollback", "--server", "not a url", "--model", "demo", "--version", "1", "--admin-token", TOKEN)))
          .contains("--server not a url: expected a URL");
      assertThat(s.servingVersion("demo")).isEqualTo("1");

      Cli clear = Cli.run("rollback", "--server", url, "--model", "demo", "--clear", "--admin-token", TOKEN);
      assertThat(clear.exitCode()).as(clear.err()).isZero();
      assertThat(clear.out()).contains("now serves version 2").contains("pin dropped");
      assertThat(s.servingVersion("demo")).isEqualTo("2");
    }
    int closedPort;
    try (ServerSocket free = new ServerSocket(0)) {
      closedPort = free.getLocalPort();
    }
    Cli refused = Cli.run("rollback", "--server", "http://127.0.0.1:" + closedPort, "--model", "demo", "--version", "1", "--admin-token", TOKEN);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err()).contains("cannot connect to http://127.0.0.1:" + closedPort).contains("connection refused")
        .doesNotContain("\tat ");
  }

  @Test
  void theTokenComesFromTheOptionElseTheEnvironment() {
    assertThat(AdminTokens.resolve("opt", Map.of("INTENT_ADMIN_TOKEN", "env"))).isEqualTo("opt");
    assertThat(AdminTokens.resolve(null, Map.of("INTENT_ADMIN_TOKEN", "env"))).isEqualTo("env");
    assertThat(AdminTokens.resolve(null, Map.of("INTENT_ADMIN_TOKEN", ""))).isNull();
    assertThat(AdminTokens.resolve(null, Map.of())).isNull();
  }

  @Test
  void helpHasExamples() {
    Cli r = Cli.run("rollback", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("--repository=DIR").contains("--server=URL").contains("--clear")
        .contains("intent rollback --repository models --model clinc150 --version 1")
        .contains("INTENT_ADMIN_TOKEN=s3cret intent rollback --server http://127.0.0.1:8000");
    assertThat(Cli.run("--help").out()).contains("rollback");
  }

  @Test
  void badNamesAtEveryCommandLineEntryAreOneLineAndExit2() {
    Path data = tmp.resolve("missing.csv"); // never read: the names are checked first
    assertThat(usageError(Cli.run("train", "--quiet", "--data", data.toString(), "--out", tmp.resolve("m").toString(), "--name", "../x")))
        .contains("invalid --name '../x'");
    assertThat(usageError(Cli.run("train", "--quiet", "--data", data.toString(), "--out", tmp.resolve("m").toString(), "--model-version", "a/b")))
        .contains("invalid --model-version 'a/b'").contains("path separator");
    assertThat(usageError(Cli.run("train", "--quiet", "--data", data.toString(), "--out", tmp.resolve("m").toString(), "--model-version", "")))
        .contains("invalid --model-version ''").contains("empty");
    assertThat(tmp.resolve("m")).doesNotExist();
    assertThat(usageError(Cli.run("compile", "--model", tmp.toString(), "--name", "/etc/passwd")))
        .contains("invalid --name '/etc/passwd'");
    assertThat(usageError(Cli.run("compile", "--model", tmp.toString(), "--model-version", "x".repeat(200))))
        .contains("invalid --model-version").contains("200 characters");
    assertThat(usageError(Cli.run("serve", "--repository", tmp.toString(), "--pin", "demo=../1")))
        .contains("--pin demo=../1: invalid version '../1'");
    assertThat(usageError(Cli.run("serve", "--repository", tmp.toString(), "--admin-token", "has space")))
        .contains("--admin-token must be").doesNotContain("has space");
  }
}
