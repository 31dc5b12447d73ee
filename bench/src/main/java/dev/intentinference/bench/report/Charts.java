package dev.intentinference.bench.report;

import dev.intentinference.bench.IntervalRow;
import dev.intentinference.bench.StepResult;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts (XChart): throughput over time, p50/p90 over time, and the sweep curve.
 * Warm-up rows are drawn as their own series and drifting runs get a dashed trend line, so
 * neither hides in an average.
 */
final class Charts {
  static final int WIDTH = 960;
  static final int HEIGHT = 520;

  private Charts() {}

  static XYChart throughput(List<RunAnalysis> runs) {
    XYChart chart = base("Throughput over time", "time since start (s)", "successful inferences / s");
    for (RunAnalysis r : runs) {
      addRows(chart, r, r.run().name(), IntervalRow::throughput, false);
      if (r.warmupRows() > 0) {
        addWarmup(chart, r, r.run().name() + " warm-up", IntervalRow::throughput);
      }
      addTrend(chart, r, r.throughputDrift(), r.run().name() + " trend");
    }
    return chart;
  }

  static XYChart latency(List<RunAnalysis> runs) {
    XYChart chart = base("Latency over time (sliding window of recent requests)", "time since start (s)", "latency (s)");
    double min = Double.MAX_VALUE;
    double max = 0;
    for (RunAnalysis r : runs) {
      addRows(chart, r, r.run().name() + " p50", IntervalRow::p50, false);
      addRows(chart, r, r.run().name() + " p90", IntervalRow::p90, true);
      if (r.warmupRows() > 0) {
        addWarmup(chart, r, r.run().name() + " warm-up p50", IntervalRow::p50);
      }
      addTrend(chart, r, r.p50Drift(), r.run().name() + " p50 trend");
      for (IntervalRow row : r.run().rows()) {
        if (row.p50() > 0) {
          min = Math.min(min, row.p50());
          max = Math.max(max, row.p90());
        }
      }
    }
    // Warm-up latencies (5.8 s against 0.23 s in the reference) would flatten the steady lines.
    if (max > 0 && max / min > 20) {
      chart.getStyler().setYAxisLogarithmic(true);
      chart.setYAxisTitle("latency (s, log scale)");
    }
    return chart;
  }

  /** Throughput against latency per sweep step; the knee is marked. */
  static XYChart sweep(List<RunAnalysis> runs) {
    XYChart chart = base("Throughput-latency curve (one point per step)", "successful inferences / s", "latency (s)");
    for (RunAnalysis r : runs) {
      if (!r.run().isSweep()) {
        continue;
      }
      List<StepResult> steps = r.run().summary().steps();
      List<Double> x = steps.stream().map(StepResult::throughput).toList();
      XYSeries p90 = chart.addSeries(r.run().name() + " p90", x, steps.stream().map(s -> s.latency().p90()).toList());
      p90.setMarker(SeriesMarkers.CIRCLE);
      XYSeries p99 = chart.addSeries(r.run().name() + " p99", x, steps.stream().map(s -> s.latency().p99()).toList());
      p99.setMarker(SeriesMarkers.SQUARE);
      p99.setLineStyle(SeriesLines.DASH_DASH);
      Integer k = r.run().summary().knee();
      if (k != null) {
        XYSeries knee = chart.addSeries(r.run().name() + " knee (" + steps.get(k).load() + ")",
            List.of(steps.get(k).throughput()), List.of(steps.get(k).latency().p90()));
        knee.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        knee.setMarker(SeriesMarkers.DIAMOND);
      }
    }
    return chart;
  }

  private static XYChart base(String title, String x, String y) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
    Styler s = chart.getStyler();
    s.setLegendPosition(Styler.LegendPosition.OutsideS);
    s.setLegendLayout(Styler.LegendLayout.Vertical);
    s.setChartBackgroundColor(java.awt.Color.WHITE);
    chart.getStyler().setMarkerSize(4);
    return chart;
  }

  private interface Metric {
    double of(IntervalRow r);
  }

  private static void addRows(XYChart chart, RunAnalysis r, String name, Metric m, boolean dashed) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    List<IntervalRow> rows = r.run().rows();
    for (int i = r.warmupRows(); i < rows.size(); i++) {
      xs.add(r.run().time(i));
      ys.add(m.of(rows.get(i)));
    }
    if (xs.isEmpty()) {
      return;
    }
    XYSeries s = chart.addSeries(name, xs, ys);
    s.setMarker(SeriesMarkers.NONE);
    if (dashed) {
      s.setLineStyle(SeriesLines.DOT_DOT);
    }
  }

  private static void addWarmup(XYChart chart, RunAnalysis r, String name, Metric m) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int i = 0; i < r.warmupRows(); i++) {
      double v = m.of(r.run().rows().get(i));
      // Zero rows (before any inference) cannot be drawn on a log axis and say nothing.
      if (v > 0) {
        xs.add(r.run().time(i));
        ys.add(v);
      }
    }
    if (!xs.isEmpty()) {
      XYSeries s = chart.addSeries(name, xs, ys);
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      s.setMarker(SeriesMarkers.DIAMOND);
    }
  }

  private static void addTrend(XYChart chart, RunAnalysis r, Drift d, String name) {
    if (d == null || !d.notable()) {
      return;
    }
    int steady = r.run().rows().size() - r.warmupRows();
    int q = steady / 4;
    double t0 = r.run().time(r.warmupRows() + q / 2);
    double t1 = r.run().time(r.run().rows().size() - 1 - q / 2);
    XYSeries s = chart.addSeries(name + String.format(java.util.Locale.ROOT, " %+.0f%%", d.change() * 100),
        List.of(t0, t1), List.of(d.first(), d.last()));
    s.setMarker(SeriesMarkers.NONE);
    s.setLineStyle(SeriesLines.DASH_DASH);
  }
}
