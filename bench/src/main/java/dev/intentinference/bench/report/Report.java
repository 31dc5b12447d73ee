package dev.intentinference.bench.report;

import dev.intentinference.bench.AccuracyResult;
import dev.intentinference.bench.LatencySummary;
import dev.intentinference.bench.RunSummary;
import dev.intentinference.bench.StepResult;
import dev.intentinference.core.IntentException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;

/**
 * A report on one or several runs: a self-contained HTML page (no external URLs; charts embedded
 * as base64 PNG) plus each chart as PNG and SVG files.
 *
 * <pre>{@code
 * Report r = Report.of(List.of(Path.of("reference-inf1.csv"), Path.of("reference-g4dn.csv")), List.of(1.18, 0.526));
 * Path html = r.write(Path.of("bench-report"));
 * }</pre>
 *
 * @param runs the analysed runs, in the order given
 * @param pricesPerHour one price per run (currency per hour), or empty
 */
public record Report(List<RunAnalysis> runs, List<Double> pricesPerHour) {
  public Report {
    runs = List.copyOf(runs);
    pricesPerHour = List.copyOf(pricesPerHour);
    if (!pricesPerHour.isEmpty() && pricesPerHour.size() != runs.size()) {
      throw new IntentException("--price-per-hour: " + pricesPerHour.size() + " prices for " + runs.size()
          + " runs (give one per run, in the same order)");
    }
    for (double p : pricesPerHour) {
      if (!(p > 0)) {
        throw new IntentException("--price-per-hour: " + p + " must be positive");
      }
    }
  }

  public static Report of(List<Path> files, List<Double> pricesPerHour) {
    if (files.isEmpty()) {
      throw new IntentException("no runs given (pass summary .json or .csv files)");
    }
    List<RunAnalysis> runs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Path f : files) {
      RunData d = RunData.load(f);
      // Chart series need distinct names: a second run.csv becomes run-2.
      String name = d.name();
      for (int i = 2; names.contains(name); i++) {
        name = d.name() + "-" + i;
      }
      names.add(name);
      runs.add(RunAnalysis.of(new RunData(name, d.rows(), d.intervalSeconds(), d.summary())));
    }
    return new Report(runs, pricesPerHour);
  }

  Double price(int i) {
    return pricesPerHour.isEmpty() ? null : pricesPerHour.get(i);
  }

  /** The first run against each other run. */
  public List<Comparison> comparisons() {
    List<Comparison> out = new ArrayList<>();
    for (int i = 1; i < runs.size(); i++) {
      out.add(Comparison.of(runs.get(0), runs.get(i), price(0), price(i)));
    }
    return out;
  }

  /** The charts by file stem. */
  Map<String, XYChart> charts() {
    Map<String, XYChart> charts = new LinkedHashMap<>();
    charts.put("throughput", Charts.throughput(runs));
    charts.put("latency", Charts.latency(runs));
    if (runs.stream().anyMatch(r -> r.run().isSweep())) {
      charts.put("sweep", Charts.sweep(runs));
    }
    return charts;
  }

  /**
   * Writes {@code index.html} and the charts ({@code NAME.png}, {@code NAME.svg}) into
   * {@code dir}, each file atomically.
   *
   * @return the HTML file
   */
  public Path write(Path dir) {
    Map<String, XYChart> charts = charts(); // built first: a chart that cannot be drawn leaves no directory behind
    try {
      Files.createDirectories(dir);
      Map<String, String> embedded = new LinkedHashMap<>();
      for (Map.Entry<String, XYChart> c : charts.entrySet()) {
        byte[] png = BitmapEncoder.getBitmapBytes(c.getValue(), BitmapEncoder.BitmapFormat.PNG);
        atomicWrite(dir.resolve(c.getKey() + ".png"), png);
        // The encoder adds ".svg" unless the name already ends with it.
        Path svgTmp = dir.resolve("." + c.getKey() + "-" + ProcessHandle.current().pid() + ".svg");
        VectorGraphicsEncoder.saveVectorGraphic(c.getValue(), svgTmp.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        Files.move(svgTmp, dir.resolve(c.getKey() + ".svg"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        embedded.put(c.getKey(), Base64.getEncoder().encodeToString(png));
      }
      Path html = dir.resolve("index.html");
      atomicWrite(html, html(embedded).getBytes(StandardCharsets.UTF_8));
      return html;
    } catch (IOException e) {
      throw new IntentException(dir + ": cannot write the report (" + e.getMessage() + ")");
    }
  }

  private static void atomicWrite(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + "-" + ProcessHandle.current().pid() + ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The page; {@code charts} maps chart name to base64 PNG. */
  String html(Map<String, String> charts) {
    StringBuilder h = new StringBuilder(32_000);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>intent bench report</title>\n<style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
        .append("th:first-child,td:first-child{text-align:left}.note{color:#8a4b00}.warn{color:#b00020;font-weight:bold}")
        .append("img{max-width:100%;border:1px solid #eee}code{background:#f4f4f4;padding:1px 3px}")
        .append("</style></head><body>\n");
    h.append("<h1>Benchmark report</h1>\n<p>Generated ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
        .append(" from ").append(runs.size()).append(" run(s). Warm-up rows are set apart from the steady figures;")
        .append(" a change of ").append(Math.round(Drift.NOTABLE * 100)).append("% or more between the first and last quarter of a run is flagged as drift.</p>\n");
    for (Comparison c : comparisons()) {
      h.append("<h2>").append(esc(c.a().run().name())).append(" vs ").append(esc(c.b().run().name())).append("</h2>\n<table><tr><th>metric</th><th>")
          .append(esc(c.a().run().name())).append("</th><th>").append(esc(c.b().run().name())).append("</th><th>A / B</th></tr>\n");
      for (Comparison.Line l : c.lines()) {
        h.append("<tr><td>").append(esc(l.metric())).append("</td><td>").append(l.a()).append("</td><td>").append(l.b())
            .append("</td><td><b>").append(l.ratioText()).append("</b></td></tr>\n");
      }
      h.append("<tr><td>warm-up</td><td>").append(Comparison.warmup(c.a())).append("</td><td>").append(Comparison.warmup(c.b())).append("</td><td></td></tr>\n");
      h.append("<tr><td>throughput drift</td><td>").append(Comparison.drift(c.a().throughputDrift())).append("</td><td>")
          .append(Comparison.drift(c.b().throughputDrift())).append("</td><td></td></tr>\n");
      h.append("<tr><td>p50 drift</td><td>").append(Comparison.drift(c.a().p50Drift())).append("</td><td>")
          .append(Comparison.drift(c.b().p50Drift())).append("</td><td></td></tr>\n</table>\n");
    }
    for (Map.Entry<String, String> c : charts.entrySet()) {
      h.append("<h2>").append(esc(c.getKey())).append("</h2>\n<img alt=\"").append(esc(c.getKey()))
          .append(" chart\" src=\"data:image/png;base64,").append(c.getValue()).append("\">\n");
    }
    for (int i = 0; i < runs.size(); i++) {
      runSection(h, runs.get(i), price(i));
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void runSection(StringBuilder h, RunAnalysis r, Double price) {
    RunSummary s = r.run().summary();
    h.append("<h2>Run: ").append(esc(r.run().name())).append("</h2>\n");
    for (String note : Comparison.notes(r)) {
      h.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
    }
    h.append("<table>\n");
    row(h, "rows", r.run().rows().size() + " every " + fmt("%.3f", r.run().intervalSeconds()) + " s");
    row(h, "steady throughput (inf/s)", fmt("%.2f", r.throughput()));
    row(h, "peak interval throughput (inf/s)", fmt("%.2f", r.peakThroughput()));
    if (price != null) {
      row(h, "price per hour", fmt("%.3f", price));
      row(h, "cost per million inferences", fmt("%.3f", r.costPerMillion(price)));
    }
    if (s == null) {
      row(h, "p50 / p90 (s, median of rows)", fmt("%.4f", r.p50()) + " / " + fmt("%.4f", r.p90()));
    } else {
      LatencySummary l = s.latency();
      row(h, "latency p50 / p90 / p95 (s)", fmt("%.5f", l.p50()) + " / " + fmt("%.5f", l.p90()) + " / " + fmt("%.5f", l.p95()));
      row(h, "latency p99 / p99.9 / max (s)", fmt("%.5f", l.p99()) + " / " + fmt("%.5f", l.p999()) + " / " + fmt("%.5f", l.max()));
      row(h, "requests: succeeded / failed", s.succeeded() + " / " + s.failed());
      if (!s.errors().isEmpty()) {
        row(h, "errors by cause", s.errors().toString());
      }
      row(h, "target", s.target().target() + (s.target().platform() == null ? "" : " (" + s.target().platform() + ")"));
      row(h, "model", s.target().model() + (s.target().modelVersion() == null ? "" : " v" + s.target().modelVersion()));
      row(h, "manifest SHA-256", s.target().manifestSha256() == null ? "unknown" : s.target().manifestSha256());
      row(h, "machine", s.machine().cores() + " cores, " + s.machine().cpuModel() + "; " + s.machine().jvm());
      row(h, "settings", s.settings().toString());
      row(h, "started", s.startedAt());
      AccuracyResult a = s.accuracy();
      if (a != null) {
        row(h, "accuracy as served", fmt("%.4f", a.accuracy()) + " (" + a.correct() + "/" + a.answered() + ")");
        row(h, "in-scope accuracy / oos recall", fmt("%.4f", a.inScopeAccuracy()) + " / " + fmt("%.4f", a.oosRecall()));
      }
    }
    h.append("</table>\n");
    if (s != null) {
      for (String w : s.warnings()) {
        h.append("<p class=\"warn\">").append(esc(w)).append("</p>\n");
      }
      if (s.steps().size() > 1) {
        h.append("<table><tr><th>step</th><th>inf/s</th><th>p50 (s)</th><th>p90 (s)</th><th>p99 (s)</th><th>failed</th><th></th></tr>\n");
        for (int i = 0; i < s.steps().size(); i++) {
          StepResult st = s.steps().get(i);
          h.append("<tr><td>").append(esc(st.load())).append("</td><td>").append(fmt("%.1f", st.throughput())).append("</td><td>")
              .append(fmt("%.5f", st.latency().p50())).append("</td><td>").append(fmt("%.5f", st.latency().p90())).append("</td><td>")
              .append(fmt("%.5f", st.latency().p99())).append("</td><td>").append(st.failed()).append("</td><td>")
              .append(s.knee() != null && s.knee() == i ? "<b>knee</b>" : "").append("</td></tr>\n");
        }
        h.append("</table>\n");
      }
    }
  }

  private static void row(StringBuilder h, String k, String v) {
    h.append("<tr><td>").append(esc(k)).append("</td><td>").append(esc(v)).append("</td></tr>\n");
  }

  private static String fmt(String f, double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, f, v);
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
