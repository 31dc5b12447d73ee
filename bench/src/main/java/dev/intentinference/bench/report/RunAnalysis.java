package dev.intentinference.bench.report;

import dev.intentinference.bench.IntervalRow;
import dev.intentinference.bench.LatencySummary;
import dev.intentinference.bench.RunSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run's rows say once warm-up is set apart: steady throughput, latency, and drift.
 *
 * <p>Warm-up rows are the rows declared as warm-up by the run's summary or, for a bare CSV, the
 * leading rows that are still starting: no inference yet, throughput below
 * {@link #STARTING_THROUGHPUT} of the run's median, or p50 above {@link #STARTING_LATENCY} times
 * the median. In the reference's inf1 run these are the first three rows (the zero row, a row with
 * p50 5.8 s, and a row at 117/s).
 *
 * <pre>{@code
 * RunAnalysis a = RunAnalysis.of(RunData.load(Path.of("reference-g4dn.csv")));
 * a.throughputDrift().describe("%.1f");   // "-10.2% (27.6 -> 24.8)"
 * }</pre>
 *
 * @param run the run
 * @param warmupRows leading rows set apart as warm-up
 * @param warmupSeconds their length in seconds
 * @param warmupMaxP50 the highest row p50 during warm-up, in seconds (0 without warm-up)
 * @param throughput steady successful requests per second: the summary's figure when there is
 *     one, else the mean of the steady rows
 * @param peakThroughput the best single row
 * @param p50 steady median latency in seconds: the summary's (all requests, HdrHistogram) or,
 *     for a bare CSV, the median of the steady rows' window p50
 * @param p90 likewise for the 90th percentile
 * @param p99 the summary's 99th percentile, or {@code null} for a bare CSV (rows have no p99)
 * @param throughputDrift change of throughput over the steady rows, or {@code null}
 * @param p50Drift change of row p50 over the steady rows, or {@code null}
 */
public record RunAnalysis(
    RunData run, int warmupRows, double warmupSeconds, double warmupMaxP50, double throughput,
    double peakThroughput, double p50, double p90, Double p99, Drift throughputDrift, Drift p50Drift) {
  public static final double STARTING_THROUGHPUT = 0.9;
  public static final double STARTING_LATENCY = 1.5;

  public static RunAnalysis of(RunData run) {
    List<IntervalRow> rows = run.rows();
    RunSummary s = run.summary();
    int declared = s == null ? 0 : s.steps().get(0).warmupRows();
    // A run of this harness declares its warm-up, and its summary's figures leave exactly those rows
    // out: setting more apart here would name rows that the figures still hold. The starting-rows
    // rule is for bare CSVs, such as the reference team's.
    int warm = s != null ? declared : Math.max(declared, startingRows(rows));
    warm = Math.min(warm, rows.size() - 1);
    List<Double> tp = new ArrayList<>();
    List<Double> p50s = new ArrayList<>();
    List<Double> p90s = new ArrayList<>();
    double warmMax = 0;
    for (int i = 0; i < rows.size(); i++) {
      IntervalRow r = rows.get(i);
      if (i < warm) {
        warmMax = Math.max(warmMax, r.p50());
      } else {
        tp.add(r.throughput());
        p50s.add(r.p50());
        p90s.add(r.p90());
      }
    }
    double peak = Stats.max(rows.stream().map(IntervalRow::throughput).toList());
    boolean sweep = run.isSweep();
    Drift tpDrift = sweep ? null : Drift.of(tp);
    Drift p50Drift = sweep ? null : Drift.of(p50s);
    double warmSeconds = warm == 0 ? 0 : run.time(warm - 1);
    if (s != null) {
      LatencySummary l = s.latency();
      return new RunAnalysis(run, warm, warmSeconds, warmMax, s.throughput(), peak, l.p50(), l.p90(), l.p99(), tpDrift, p50Drift);
    }
    return new RunAnalysis(run, warm, warmSeconds, warmMax, Stats.mean(tp), peak, Stats.median(p50s), Stats.median(p90s),
        null, tpDrift, p50Drift);
  }

  /** Leading rows that are still starting up, judged against the run's medians. */
  static int startingRows(List<IntervalRow> rows) {
    List<Double> tp = new ArrayList<>();
    List<Double> p50 = new ArrayList<>();
    for (IntervalRow r : rows) {
      if (r.count() > 0) {
        tp.add(r.throughput());
        p50.add(r.p50());
      }
    }
    double medTp = Stats.median(tp);
    double medP50 = Stats.median(p50);
    int n = 0;
    while (n < rows.size() - 1) {
      IntervalRow r = rows.get(n);
      boolean starting = r.count() == 0 || r.throughput() < STARTING_THROUGHPUT * medTp || r.p50() > STARTING_LATENCY * medP50;
      if (!starting) {
        break;
      }
      n++;
    }
    return n;
  }

  /** Cost in the price's currency of a million successful inferences at the steady throughput. */
  public double costPerMillion(double pricePerHour) {
    return throughput <= 0 ? Double.NaN : pricePerHour / (throughput * 3600) * 1e6;
  }
}
