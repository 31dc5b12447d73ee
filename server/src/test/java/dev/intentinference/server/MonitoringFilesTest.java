package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.intentinference.core.onnx.SentenceEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operators' kit in deploy/monitoring (Grafana dashboard, Prometheus alerting rules) against
 * what a real server exposes on /metrics after some traffic: every metric and label an expression
 * names must be in the scrape, or the panel stays empty and the alert never fires.
 */
class MonitoringFilesTest {
  static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  static final Path MONITORING = ROOT.resolve("deploy/monitoring");
  /** Series Prometheus writes itself for each target, and the labels it adds to every series. */
  static final Set<String> SYNTHETIC_METRICS = Set.of("up");
  static final Set<String> TARGET_LABELS = Set.of("job", "instance", "le");
  static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
      "unless", "bool", "offset", "inf", "nan");
  static final Pattern NAME = Pattern.compile("(?<![\\w.:$])[a-zA-Z_:][a-zA-Z0-9_:]*");

  @TempDir static Path tmp;
  static Map<String, Set<String>> scraped; // metric name -> label names

  @BeforeAll
  static void scrapeAfterTraffic() throws Exception {
    assertThat(MONITORING).as("tests run in the server module of the repository").isDirectory();
    Path repo = tmp.resolve("repo");
    try (SentenceEncoder enc = TestModels.encoder()) {
      TestModels.write(enc, repo, "demo", "1", TestModels.bankingExamples());
    }
    try (InferenceServer server = InferenceServer.start(ServerConfig.builder(repo).port(0).threads(1)
        .pollInterval(Duration.ZERO).build(), RepositoryBootstrapper.NONE)) {
      Http http = new Http(server.baseUri());
      for (int i = 0; i < 5; i++) {
        assertThat(http.postJson("/v1/models/demo/predict", "{\"text\":\"what is my balance\"}").statusCode()).isEqualTo(200);
      }
      assertThat(http.postJson("/v2/models/demo/infer", Http.infer("change my address")).statusCode()).isEqualTo(200);
      assertThat(http.postJson("/v1/models/demo/predict", "{\"text\":\"\"}").statusCode()).isEqualTo(400);
      // a damaged new version: refused and counted, version 1 keeps serving
      Files.createDirectories(repo.resolve("demo/2"));
      Files.write(repo.resolve("demo/2/demo.intent"), new byte[] {'P', 'K', 1, 2, 3});
      server.reloadNow();
      assertThat(server.servingVersion("demo")).isEqualTo("1");
      scraped = parse(http.get("/metrics").body());
    }
  }

  static Map<String, Set<String>> parse(String exposition) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
      Set<String> labels = out.computeIfAbsent(name, k -> new TreeSet<>());
      if (brace >= 0 && brace < space) {
        Matcher m = label.matcher(line.substring(brace, line.lastIndexOf('}')));
        while (m.find()) {
          labels.add(m.group(1));
        }
      }
    }
    return out;
  }

  /** Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or durations. */
  static Set<String> metricNames(String expr) {
    String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^\\]]*]", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = NAME.matcher(s);
    while (m.find()) {
      String rest = s.substring(m.end()).stripLeading();
      if (!rest.startsWith("(") && !KEYWORDS.contains(m.group().toLowerCase())) {
        names.add(m.group());
      }
    }
    return names;
  }

  /** Label names an expression matches on or groups by. */
  static Set<String> labelNames(String expr) {
    Set<String> labels = new TreeSet<>();
    Matcher matchers = Pattern.compile("\\{([^}]*)}").matcher(expr);
    while (matchers.find()) {
      Matcher l = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)").matcher(matchers.group(1));
      while (l.find()) {
        labels.add(l.group(1));
      }
    }
    Matcher by = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)").matcher(expr);
    while (by.find()) {
      for (String l : by.group(1).split(",")) {
        labels.add(l.trim());
      }
    }
    return labels;
  }

  static void assertExposed(String where, String expr) {
    Set<String> names = metricNames(expr);
    assertThat(names).as("%s names a metric: %s", where, expr).isNotEmpty();
    Set<String> labelsExposed = new TreeSet<>(TARGET_LABELS);
    for (String name : names) {
      if (SYNTHETIC_METRICS.contains(name)) {
        continue;
      }
      assertThat(scraped).as("%s: metric %s of `%s` in the server's /metrics (exposed: %s)", where, name, expr,
          scraped.keySet()).containsKey(name);
      labelsExposed.addAll(scraped.get(name));
    }
    assertThat(labelsExposed).as("%s: labels of `%s`", where, expr).containsAll(labelNames(expr));
  }

  @Test
  void theParserFindsMetricNamesOnly() {
    assertThat(metricNames("histogram_quantile(0.99, sum by (instance, le) (rate(intent_request_seconds_bucket"
        + "{job=\"x\", cause=~\"a|b\"}[5m]))) > 1e-9 and on(instance) up == 0"))
        .containsExactly("intent_request_seconds_bucket", "up");
    assertThat(labelNames("sum by (model) (rate(x{job=\"j\", cause=~\"q\"}[1m]))")).containsExactly("cause", "job", "model");
  }

  @Test
  void everyAlertingRuleNamesMetricsTheServerExposes() throws Exception {
    JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(MONITORING.resolve("prometheus-rules.yaml").toFile());
    List<String> alerts = new ArrayList<>();
    for (JsonNode group : rules.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        String name = rule.get("alert").asText();
        alerts.add(name);
        assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("warning", "critical");
        assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
        assertExposed("alert " + name, rule.get("expr").asText());
      }
    }
    assertThat(alerts).contains("IntentHigh503Rate", "IntentLatencyP99High", "IntentQueueBacklog", "IntentModelLoadFailed",
        "IntentServerDown");
  }

  @Test
  void everyGrafanaPanelQueriesMetricsTheServerExposes() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
    assertThat(dashboard.get("panels").size()).isGreaterThanOrEqualTo(8);
    int queries = 0;
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode target : panel.get("targets")) {
        assertExposed("panel " + panel.get("title").asText(), target.get("expr").asText()
            .replace("$__rate_interval", "1m").replace("$__range", "1h").replace("$instance", ".*"));
        queries++;
      }
    }
    assertThat(queries).isGreaterThanOrEqualTo(10);
    for (JsonNode variable : dashboard.at("/templating/list")) {
      Matcher m = Pattern.compile("label_values\\((.*),\\s*(\\w+)\\)").matcher(variable.get("query").asText());
      assertThat(m.matches()).as(variable.toString()).isTrue();
      assertExposed("variable " + variable.get("name").asText(), m.group(1));
    }
  }
}
