package dev.intentinference.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reference's comparison of two runs as a table: throughput and latency ratios and, with
 * prices, the cost ratio. Ratios are {@code A / B}.
 *
 * <p>Throughput is compared twice: steady (mean after warm-up) and peak (best interval). They
 * differ when a run drifts: on the reference files the peak ratio is the published 4.9x, while
 * the steady ratio is 5.3x because the GPU run slows down by about 10% as it goes.
 *
 * <pre>{@code
 * Comparison c = Comparison.of(RunAnalysis.of(a), RunAnalysis.of(b), 1.18, 0.526);
 * System.out.print(c.table());
 * }</pre>
 *
 * @param a the first run
 * @param b the second run
 * @param priceA price per hour of A's machine, or {@code null}
 * @param priceB price per hour of B's machine, or {@code null}
 * @param lines the table's rows
 */
public record Comparison(RunAnalysis a, RunAnalysis b, Double priceA, Double priceB, List<Line> lines) {
  /**
   * One row of the table.
   *
   * @param metric what is compared, with its unit
   * @param a A's value, formatted
   * @param b B's value, formatted
   * @param ratio {@code A / B}, or {@code NaN} when either value is unknown
   */
  public record Line(String metric, String a, String b, double ratio) {
    public String ratioText() {
      if (Double.isNaN(ratio)) {
        return "n/a";
      }
      // Three significant digits for small ratios: 0.0185x, not 0.02x.
      return String.format(Locale.ROOT, ratio >= 0.1 ? "%.2fx" : "%.3gx", ratio);
    }
  }

  public static Comparison of(RunAnalysis a, RunAnalysis b, Double priceA, Double priceB) {
    List<Line> lines = new ArrayList<>();
    String tf = Math.min(a.throughput(), b.throughput()) < 10 ? "%.3f" : "%.1f";
    lines.add(line("throughput, steady (inf/s)", a.throughput(), b.throughput(), tf));
    lines.add(line("throughput, peak interval (inf/s)", a.peakThroughput(), b.peakThroughput(), tf));
    lines.add(line("latency p50 (s)", a.p50(), b.p50(), "%.4f"));
    lines.add(line("latency p90 (s)", a.p90(), b.p90(), "%.4f"));
    lines.add(line("latency p99 (s)", a.p99() == null ? Double.NaN : a.p99(), b.p99() == null ? Double.NaN : b.p99(), "%.4f"));
    if (priceA != null && priceB != null) {
      lines.add(line("price per hour", priceA, priceB, "%.3f"));
      lines.add(line("cost per million inferences", a.costPerMillion(priceA), b.costPerMillion(priceB), "%.3f"));
    }
    return new Comparison(a, b, priceA, priceB, List.copyOf(lines));
  }

  private static Line line(String metric, double a, double b, String format) {
    return new Line(metric, fmt(a, format), fmt(b, format), Double.isNaN(a) || Double.isNaN(b) || b == 0 ? Double.NaN : a / b);
  }

  private static String fmt(double v, String format) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, format, v);
  }

  public Line line(String metricPrefix) {
    return lines.stream().filter(l -> l.metric().startsWith(metricPrefix)).findFirst().orElseThrow();
  }

  /** The comparison as aligned plain text, with warm-up and drift notes below the table. */
  public String table() {
    String an = a.run().name();
    String bn = b.run().name();
    int w0 = Math.max(34, lines.stream().mapToInt(l -> l.metric().length()).max().orElse(0));
    int w1 = Math.max(12, an.length());
    int w2 = Math.max(12, bn.length());
    StringBuilder sb = new StringBuilder();
    String fmt = "%-" + w0 + "s  %" + w1 + "s  %" + w2 + "s  %8s%n";
    sb.append(String.format(Locale.ROOT, fmt, "metric", an, bn, "A/B"));
    for (Line l : lines) {
      sb.append(String.format(Locale.ROOT, fmt, l.metric(), l.a(), l.b(), l.ratioText()));
    }
    sb.append(String.format(Locale.ROOT, fmt, "warm-up (rows set apart)", warmup(a), warmup(b), ""));
    sb.append(String.format(Locale.ROOT, fmt, "throughput drift over the run", drift(a.throughputDrift()), drift(b.throughputDrift()), ""));
    sb.append(String.format(Locale.ROOT, fmt, "p50 drift over the run", drift(a.p50Drift()), drift(b.p50Drift()), ""));
    for (RunAnalysis r : List.of(a, b)) {
      for (String note : notes(r)) {
        sb.append("note: ").append(r.run().name()).append(": ").append(note).append(System.lineSeparator());
      }
    }
    return sb.toString();
  }

  static String warmup(RunAnalysis r) {
    if (r.warmupRows() == 0) {
      return "none";
    }
    if (r.warmupMaxP50() == 0) {
      return "start row only";
    }
    return String.format(Locale.ROOT, "%d row%s, %.0f s", r.warmupRows(), r.warmupRows() == 1 ? "" : "s", r.warmupSeconds());
  }

  static String drift(Drift d) {
    return d == null ? "n/a" : String.format(Locale.ROOT, "%+.1f%%", d.change() * 100);
  }

  /** Sentences a reader needs: warm-up, drift, missing percentiles, errors. */
  public static List<String> notes(RunAnalysis r) {
    List<String> notes = new ArrayList<>();
    if (r.warmupRows() > 0 && r.warmupMaxP50() == 0) {
      notes.add("the first row is taken before any inference (all zeros) and is left out of the steady figures");
    } else if (r.warmupRows() > 0) {
      notes.add(String.format(Locale.ROOT, "the first %s (%.0f s) %s warm-up, shown apart and left out of the steady figures"
          + " (highest warm-up p50 %.3f s)", r.warmupRows() == 1 ? "row" : r.warmupRows() + " rows", r.warmupSeconds(),
          r.warmupRows() == 1 ? "is" : "are", r.warmupMaxP50()));
    }
    if (r.throughputDrift() != null && r.throughputDrift().notable()) {
      notes.add("throughput drifts " + r.throughputDrift().describe("%.1f") + " inf/s from the first to the last quarter: no steady state");
    }
    if (r.p50Drift() != null && r.p50Drift().notable()) {
      notes.add("p50 drifts " + r.p50Drift().describe("%.3f") + " s from the first to the last quarter");
    }
    if (r.run().summary() == null) {
      notes.add("bare CSV: latencies are medians of the rows' sliding-window percentiles; no p99");
    } else if (r.run().summary().failed() > 0) {
      notes.add(r.run().summary().failed() + " requests failed: " + r.run().summary().errors());
    }
    return notes;
  }
}
