package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.intentinference.core.onnx.SentenceEncoder;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The home page, the {@code <intent-chat>} component and the dashboard in Debian's headless
 * chromium, driven through its own chromedriver (Selenium Manager never runs, nothing is
 * downloaded), against the real server on loopback: used as a person uses them, keyboard included,
 * embedded in a page of another origin, through a server restart. Fails, never skips, when the
 * browser or its driver is missing: {@code .ci/run} installs both.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiBrowserTest {
  static final Path SCREENSHOTS = Path.of("target/screenshots");
  static final String MODEL = "support";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static int port;
  static ServerConfig config;
  static InferenceServer server;
  static HttpServer shop;
  static ChromeDriver driver;
  static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    Path repo = tmp.resolve("repo");
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, repo, MODEL, "1", TestModels.supportExamples(), 0.9);
    }
    Path reports = Files.createDirectories(tmp.resolve("reports/2026-12-01-run1"));
    Files.writeString(reports.resolve("index.html"), "<!doctype html><title>run1</title><h1>Benchmark report run1</h1>");
    shop = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    port = freePort();
    String shopOrigin = "http://127.0.0.1:" + shop.getAddress().getPort();
    // --truncate=false: a message over the model's maximum length is refused (422), so the page must say so
    config = ServerConfig.builder(repo).port(port).threads(1).pollInterval(Duration.ZERO).truncate(false)
        .corsOrigin(shopOrigin).reports(tmp.resolve("reports")).build();
    server = InferenceServer.start(config, RepositoryBootstrapper.NONE);
    byte[] page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Another shop</title>"
        + "<script type=\"module\" src=\"http://127.0.0.1:" + port + "/web/intent-chat.js\"></script></head><body>"
        + "<h1>Another shop, another origin</h1>"
        + "<intent-chat server=\"http://127.0.0.1:" + port + "\" model=\"" + MODEL + "\" max-length=\"20000\" retries=\"1\">"
        + "</intent-chat></body></html>").getBytes(StandardCharsets.UTF_8);
    shop.createContext("/", exchange -> {
      exchange.getResponseHeaders().set("content-type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      exchange.getResponseBody().write(page);
      exchange.close();
    });
    shop.start();
    driver = HeadlessChromium.start(tmp.resolve("profile"));
    wait = new WebDriverWait(driver, Duration.ofSeconds(30));
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (shop != null) {
      shop.stop(0);
    }
    if (server != null) {
      server.close();
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String home() {
    return "http://127.0.0.1:" + port + "/";
  }

  static SearchContext chat() {
    WebElement host = wait.until(d -> d.findElement(By.cssSelector("intent-chat")));
    return host.getShadowRoot();
  }

  static WebElement input() {
    return wait.until(d -> chat().findElement(By.cssSelector("input")));
  }

  static Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** The bot's answers so far: their data attributes and text. */
  @SuppressWarnings("unchecked")
  static List<Map<String, String>> answers() {
    return (List<Map<String, String>>) js("return [...document.querySelector('intent-chat').shadowRoot"
        + ".querySelectorAll('.msg.bot')].map(m => Object.assign({text: m.innerText}, m.dataset));");
  }

  /** Waits for answer number {@code n} (1-based) and returns it. */
  static Map<String, String> answer(int n) {
    wait.until(d -> answers().size() >= n);
    return answers().get(n - 1);
  }

  static String alert() {
    return chat().findElement(By.cssSelector("[role=alert]")).getText();
  }

  static void screenshot(String name, WebElement element) throws Exception {
    Path file = SCREENSHOTS.resolve(name);
    Files.copy((element == null ? driver.getScreenshotAs(OutputType.FILE) : element.getScreenshotAs(OutputType.FILE)).toPath(),
        file, StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(file)).isPositive();
  }

  static void waitForLiveDashboard() {
    wait.until(d -> "live".equals(d.findElement(By.id("connection")).getAttribute("data-state")));
  }

  @Test
  @Order(1)
  void aMessageAndEnterShowTheIntentTopThreeVersionAndServerLatency() throws Exception {
    driver.get(home());
    waitForLiveDashboard();
    input().sendKeys("what is my balance", Keys.ENTER);
    Map<String, String> a = answer(1);
    assertThat(a.get("intent")).isEqualTo("balance");
    assertThat(a.get("outOfScope")).isEqualTo("false");
    assertThat(Double.parseDouble(a.get("confidence"))).isGreaterThan(0.9);
    assertThat(a.get("modelVersion")).isEqualTo("1");
    assertThat(Double.parseDouble(a.get("serverMs"))).isPositive();
    assertThat(a.get("text")).contains("Intent balance").contains("In scope").contains("model support version 1")
        .contains("ms on the server");
    assertThat(chat().findElements(By.cssSelector(".msg.bot:last-child ol[aria-label='Top intents'] li"))).hasSize(3);
    assertThat(input().getAttribute("value")).isEmpty();

    input().sendKeys("book a table for two at an italian restaurant", Keys.ENTER);
    Map<String, String> oos = answer(2);
    assertThat(oos.get("outOfScope")).isEqualTo("true");
    assertThat(oos.get("text")).contains("Sorry, I can't help with that here").contains("Out of scope");
    input().sendKeys("will it rain today", Keys.ENTER);
    assertThat(answer(3).get("intent")).isEqualTo("weather");

    // Two messages sent at once: each answer sits under its own message, whichever comes back first.
    js("const c = document.querySelector('intent-chat'); c.send('send money to my savings account please '.repeat(20));"
        + "c.send('what is my balance');");
    answer(5);
    @SuppressWarnings("unchecked")
    List<String> order = (List<String>) js("return [...document.querySelector('intent-chat').shadowRoot"
        + ".querySelectorAll('.msg')].slice(-4).map(m => m.classList.contains('user') ? 'user' : 'bot ' + m.dataset.intent);");
    assertThat(order).hasSize(4).startsWith("user").contains("user", org.assertj.core.data.Index.atIndex(2))
        .endsWith("bot balance");
    assertThat(order.get(1)).startsWith("bot ").isNotEqualTo("bot balance");
  }

  @Test
  @Order(2)
  void emptyAndTenThousandCharacterMessagesGetAClearMessageAndThePageKeepsWorking() {
    driver.get(home());
    input().sendKeys(Keys.ENTER);
    wait.until(d -> alert().contains("Please type a message before sending."));
    assertThat(input().getAttribute("aria-invalid")).isEqualTo("true");
    input().sendKeys("   ", Keys.ENTER);
    assertThat(alert()).contains("Please type a message");
    // Zero-width spaces and a lone accent are no message either: refused here, not sent for a 400.
    js("const i = document.querySelector('intent-chat').shadowRoot.querySelector('input');"
        + "i.value = '\\u200b\\u200b\\u0301 '; i.dispatchEvent(new Event('input'));");
    input().sendKeys(Keys.ENTER);
    wait.until(d -> alert().contains("Please type a message before sending."));
    js("const i = document.querySelector('intent-chat').shadowRoot.querySelector('input');"
        + "i.value = 'a'.repeat(10000); i.dispatchEvent(new Event('input'));");
    input().sendKeys(Keys.ENTER);
    wait.until(d -> alert().contains("Your message is 10,000 characters long; please keep it under 1,000 characters."));
    assertThat(answers()).as("nothing was sent").isEmpty();
    input().sendKeys(Keys.chord(Keys.CONTROL, "a"), "transfer 100 dollars to john", Keys.ENTER);
    assertThat(answer(1).get("intent")).isEqualTo("transfer");
    assertThat(alert()).isEmpty();
    assertThat(input().getAttribute("aria-invalid")).isNull();
  }

  @Test
  @Order(3)
  void keyboardAloneReachesTheMessageFieldInASensibleOrderAndSends() {
    driver.get(home());
    waitForLiveDashboard();
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 10 && !order.contains("input#message"); i++) {
      new Actions(driver).sendKeys(Keys.TAB).perform();
      order.add((String) js("let e = document.activeElement; while (e && e.shadowRoot && e.shadowRoot.activeElement)"
          + " e = e.shadowRoot.activeElement; return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
          + " + (e.getAttribute('aria-label') ? '[' + e.getAttribute('aria-label') + ']' : '');"));
    }
    assertThat(order).as("focus order").startsWith("a", "select#model[Model the chat asks]", "a", "a",
        "div[Conversation]", "input#message");
    new Actions(driver).sendKeys("i want to move money between accounts", Keys.ENTER).perform();
    assertThat(answer(1).get("intent")).isEqualTo("transfer");
    new Actions(driver).sendKeys(Keys.TAB).perform();
    assertThat(js("return document.querySelector('intent-chat').shadowRoot.activeElement.textContent")).isEqualTo("Send");
    // the skip link leads to the dashboard
    js("document.activeElement.blur(); window.scrollTo(0, 0);");
    driver.get(home());
    waitForLiveDashboard();
    new Actions(driver).sendKeys(Keys.TAB).perform();
    wait.until(d -> "skip".equals(js("return document.activeElement.className")));
    new Actions(driver).sendKeys(Keys.ENTER).perform();
    wait.until(d -> "dashboard".equals(js("return document.activeElement.id")));
    // screen readers: the conversation is a live log, the field has a label, notices are alerts
    assertThat(chat().findElement(By.cssSelector("[role=log]")).getAttribute("aria-live")).isEqualTo("polite");
    assertThat(chat().findElement(By.cssSelector("label[for=message]")).getAttribute("textContent")).contains("Message");
    assertThat(chat().findElements(By.cssSelector("[role=alert]"))).hasSize(1);
  }

  @Test
  @Order(4)
  void anotherOriginEmbedsTheComponentOnlyWhenTheServerListsIt() throws Exception {
    int shopPort = shop.getAddress().getPort();
    driver.get("http://127.0.0.1:" + shopPort + "/");
    input().sendKeys("will it rain today", Keys.ENTER);
    Map<String, String> a = answer(1);
    assertThat(a.get("intent")).isEqualTo("weather");
    assertThat(Double.parseDouble(a.get("serverMs"))).as("Server-Timing is exposed to the other origin").isPositive();
    // this page accepts long messages, so the server's own 4xx JSON error is what the person sees, politely
    js("const i = document.querySelector('intent-chat').shadowRoot.querySelector('input'); i.value = 'word '.repeat(2000);");
    input().sendKeys(Keys.ENTER);
    Map<String, String> refused = answer(2);
    assertThat(refused.get("status")).isEqualTo("422");
    assertThat(refused.get("text")).startsWith("Sorry, the assistant could not take that message:").contains("(HTTP 422)");

    double before = stats().at("/requests/total").asDouble();
    // same page, same server, but from http://localhost:PORT: an origin the server does not list
    driver.get("http://localhost:" + shopPort + "/");
    input().sendKeys("will it rain today", Keys.ENTER);
    Map<String, String> blocked = answer(1);
    assertThat(blocked.get("error")).isEqualTo("unreachable");
    assertThat(blocked.get("text")).contains("can't be reached right now").contains("not delivered");
    assertThat(stats().at("/requests/total").asDouble()).as("the browser never sent the prediction").isEqualTo(before);
  }

  @Test
  @Order(5)
  void theApiPageRendersTheOpenApiDescriptionWithItsExamples() {
    driver.get("http://127.0.0.1:" + port + "/api");
    WebElement predict = wait.until(d -> d.findElement(By.id("predict")));
    assertThat(predict.getText()).contains("POST /v1/models/{model}/predict").contains("\"text\": \"what is my balance\"")
        .contains("\"intent\": \"balance\"").contains("400: ");
    assertThat(driver.findElements(By.cssSelector("section.op"))).hasSizeGreaterThanOrEqualTo(14);
    // The descriptions' `code` is shown as code, not as backticks.
    assertThat(driver.findElements(By.cssSelector("section.op code"))).isNotEmpty();
    assertThat(driver.findElement(By.id("api")).getText()).doesNotContain("`");
    assertThat(driver.findElement(By.id("versionReady")).getText()).contains("GET /v2/models/{model}/versions/{version}/ready");
  }

  @Test
  @Order(6)
  void theDashboardChartsMoveWhileLoadRunsAndListModelsAndReports() throws Exception {
    driver.get(home());
    waitForLiveDashboard();
    input().sendKeys("i moved, how do i send money to my new bank", Keys.ENTER);
    answer(1);
    wait.until(d -> throughput().path("requests").asDouble(-1) == 0);
    String idlePath = (String) js("return document.querySelector('#chart-throughput path.s0').getAttribute('d')");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    ExecutorService load = Executors.newFixedThreadPool(3);
    List<Future<?>> clients = new ArrayList<>();
    Http http = new Http(server.baseUri());
    String[] texts = {"what is my balance", "will it rain today", "send money to my savings", "how much money do i have"};
    for (int c = 0; c < 3; c++) {
      int first = c;
      clients.add(load.submit(() -> {
        for (int i = first; running.get(); i++) {
          if (http.postJson("/v1/models/" + MODEL + "/predict", "{\"text\":\"" + texts[i % texts.length] + "\"}")
              .statusCode() == 200) {
            ok.incrementAndGet();
          }
        }
        return null;
      }));
    }
    try {
      wait.until(d -> throughput().path("requests").asDouble() > 5 && latency().path("p50").asDouble() > 0
          && batches().path("1").asDouble() > 0);
      // a few more seconds of history make the screenshots readable; nothing is asserted on time
      wait.until(d -> throughput().path("requests").asDouble() > 5 && historySeconds() >= 12);
      screenshot("home.png", null);
      screenshot("dashboard.png", driver.findElement(By.id("dashboard")));
    } finally {
      running.set(false);
      for (Future<?> f : clients) {
        f.get();
      }
      load.shutdown();
    }
    assertThat(ok.get()).isPositive();
    assertThat(js("return document.querySelector('#chart-throughput path.s0').getAttribute('d')")).isNotEqualTo(idlePath);
    assertThat(latency().path("p99").asDouble()).isGreaterThanOrEqualTo(latency().path("p50").asDouble());
    // Read in one script: every poll redraws the chart, so an element found first can be gone by
    // the time its text is asked for (StaleElementReferenceException).
    assertThat(js("const t = document.querySelector('#chart-throughput svg title'); return t ? t.textContent : '';"))
        .asString().startsWith("Throughput: requests");
    WebElement card = driver.findElement(By.cssSelector("article.model[data-model='" + MODEL + "']"));
    assertThat(card.getAttribute("data-serving-version")).isEqualTo("1");
    assertThat(card.getText()).contains("balance, weather, transfer").contains("version 1").contains("fp32 (not compiled)");
    WebElement report = wait.until(d -> d.findElement(By.cssSelector("#reports a")));
    assertThat(report.getText()).isEqualTo("2026-12-01-run1");
    report.click(); // opens in a new tab
    wait.until(d -> d.getWindowHandles().size() == 2);
    String main = driver.getWindowHandle();
    driver.switchTo().window(driver.getWindowHandles().stream().filter(h -> !h.equals(main)).findFirst().orElseThrow());
    wait.until(d -> d.getPageSource().contains("Benchmark report run1"));
    driver.close();
    driver.switchTo().window(main);
  }

  @Test
  @Order(7)
  void pollsThatDidNotHappenLeaveAGapInTheChartsNotALineThroughThem() throws Exception {
    driver.get(home());
    waitForLiveDashboard();
    wait.until(d -> historySeconds() >= 3);
    assertThat(subpaths("#chart-throughput path.s0")).isEqualTo(1);
    // The server stays up; the page cannot reach it (a network outage, a tab the browser put to sleep).
    js("window.realFetch = window.fetch; window.fetch = (u, o) => String(u).includes('/v1/stats')"
        + " ? Promise.reject(new TypeError('offline')) : window.realFetch(u, o);");
    wait.until(d -> "down".equals(d.findElement(By.id("connection")).getAttribute("data-state")));
    long before = stats().get("time_ms").asLong();
    wait.until(d -> {
      try {
        return stats().get("time_ms").asLong() - before > 7000;
      } catch (Exception e) {
        return false;
      }
    });
    js("window.fetch = window.realFetch;");
    waitForLiveDashboard();
    // Two runs of line with nothing drawn over the seconds no poll came, in every chart of a reading or a rate.
    wait.until(d -> subpaths("#chart-throughput path.s0") == 2 && subpaths("#chart-queue path.s0") == 2);
    assertThat(historySeconds()).isGreaterThan(10);
  }

  /** How many separate runs of line a chart's path draws. */
  static long subpaths(String css) {
    String d = (String) js("const p = document.querySelector(arguments[0]); return p ? p.getAttribute('d') : '';", css);
    return d.chars().filter(c -> c == 'M').count();
  }

  @Test
  @Order(8)
  void theChatSurvivesAServerRestartAndSaysSoWhenTheServerStaysAway() throws Exception {
    driver.get(home());
    input().sendKeys("what is my balance", Keys.ENTER);
    assertThat(answer(1).get("intent")).isEqualTo("balance");
    // more than 10 s of dashboard history, so its batch window would reach back across the restart
    wait.until(d -> d.findElement(By.id("batches-window")).getText().contains("last 10 s"));
    server.close();
    js("document.querySelector('intent-chat').setAttribute('retries', '1')");
    input().sendKeys("will it rain today", Keys.ENTER);
    Map<String, String> notice = answer(2);
    assertThat(notice.get("error")).isEqualTo("unreachable");
    assertThat(notice.get("text")).contains("can't be reached right now").contains("please try again");

    // retries with backoff (0.5 s, 1 s, 2 s, 4 s, ...): the server comes back while they run
    js("document.querySelector('intent-chat').setAttribute('retries', '6')");
    input().sendKeys("will it rain today", Keys.ENTER);
    wait.until(d -> chat().findElement(By.cssSelector("[role=status]")).getText().contains("trying again"));
    server = InferenceServer.start(config, RepositoryBootstrapper.NONE);
    Map<String, String> back = answer(3);
    assertThat(back.get("intent")).isEqualTo("weather");
    wait.until(d -> chat().findElement(By.cssSelector("[role=status]")).getText().isEmpty());
    // The dashboard starts its history again: rates across the restart were negative ("-30 batches",
    // a throughput line under the axis).
    String started = stats().get("started_ms").asText();
    wait.until(d -> started.equals(d.findElement(By.id("connection")).getAttribute("data-started")));
    String shown = driver.findElement(By.id("updated")).getText();
    wait.until(d -> !shown.equals(d.findElement(By.id("updated")).getText()));
    assertThat(driver.findElement(By.id("batches-window")).getText()).doesNotContain("-");
    String path = (String) js("return document.querySelector('#chart-throughput path.s0').getAttribute('d')");
    java.util.regex.Matcher y = java.util.regex.Pattern.compile("[ML][0-9.]+,(-?[0-9.]+)").matcher(path);
    while (y.find()) {
      assertThat(Double.parseDouble(y.group(1))).as("a point under the chart's zero line: " + path).isLessThanOrEqualTo(128.5);
    }
  }

  static JsonNode stats() throws Exception {
    return JSON.readTree(new Http(server.baseUri()).get("/v1/stats").body());
  }

  static JsonNode latest(String chart) {
    try {
      String v = driver.findElement(By.id(chart)).getAttribute("data-latest");
      return JSON.readTree(v == null ? "{}" : v);
    } catch (Exception e) {
      return JSON.createObjectNode();
    }
  }

  /** Seconds of history the throughput chart shows ("last N s"). */
  static int historySeconds() {
    String label = (String) js("const t = [...document.querySelectorAll('#chart-throughput text')].pop();"
        + "return t ? t.textContent : '';");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("last (\\d+) s").matcher(label);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  static JsonNode throughput() {
    return latest("chart-throughput");
  }

  static JsonNode latency() {
    return latest("chart-latency");
  }

  static JsonNode batches() {
    return latest("chart-batches");
  }

  static {
    new File("target").mkdirs();
  }
}
