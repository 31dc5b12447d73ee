package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.intentinference.core.onnx.SentenceEncoder;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat page in a real headless Debian chromium, talking to the real server. */
class ChatPageBrowserTest {
  @TempDir Path tmp;

  static Optional<Path> chromium() {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin");
    return Stream.concat(Stream.of(path.split(File.pathSeparator)).map(Path::of), Stream.of(Path.of("/usr/bin")))
        .flatMap(dir -> Stream.of(dir.resolve("chromium"), dir.resolve("chromium-browser")))
        .filter(Files::isExecutable).findFirst();
  }

  @Test
  void pageSendsAMessageAndShowsTheIntent() throws Exception {
    Optional<Path> browser = chromium();
    assumeTrue(browser.isPresent(), "chromium is not installed (apt-get install -y chromium): browser test skipped");
    Path repo = tmp.resolve("repo");
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, repo, "demo", "1", TestModels.bankingExamples());
    }
    try (InferenceServer server = InferenceServer.start(
        ServerConfig.builder(repo).port(0).threads(1).pollInterval(Duration.ZERO).build(), RepositoryBootstrapper.NONE)) {
      String url = server.pageUrl() + "?say=" + java.net.URLEncoder.encode("i moved, please update my address", StandardCharsets.UTF_8);
      Path profile = Files.createDirectories(tmp.resolve("profile"));
      Path dom = tmp.resolve("dom.html");
      Process p = new ProcessBuilder(List.of(browser.get().toString(), "--headless", "--no-sandbox", "--disable-gpu",
          "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
          "--user-data-dir=" + profile, "--virtual-time-budget=15000", "--dump-dom", url))
          .redirectOutput(dom.toFile()).redirectError(tmp.resolve("chromium.log").toFile()).start();
      boolean done = p.waitFor(120, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly();
      }
      assertThat(done).as("chromium finished").isTrue();
      String html = Files.readString(dom);
      assertThat(html).as("DOM after the page sent its message; chromium log: %s", tmp.resolve("chromium.log"))
          .contains("data-intent=\"update_address\"")
          .contains("demo (v1)")
          .contains("i moved, please update my address");
      assertThat(server.metrics().scrape()).contains("intent_requests_total{api=\"v1_predict\",model=\"demo\"} 1.0");
    }
  }

  @Test
  void pageIsSelfContained() throws Exception {
    String html = new String(ChatPage.class.getResourceAsStream("chat.html").readAllBytes(), StandardCharsets.UTF_8);
    assertThat(html).doesNotContain("http://").doesNotContain("https://").doesNotContain("//cdn");
  }
}
