package dev.intentinference.bench;

import dev.intentinference.core.IntentException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reference harness's CSV: header {@code pid,current_num_infer,throughput,p50,p90}, one row
 * per interval, latencies in seconds. Throughput is written with 3 decimals and latencies with 6
 * (microseconds: the reference's 3 would print 0.000 for a sub-millisecond model).
 *
 * <pre>{@code
 * ReferenceCsv.write(Path.of("run.csv"), rows);
 * List<IntervalRow> back = ReferenceCsv.read(Path.of("reference-inf1.csv"));
 * }</pre>
 */
public final class ReferenceCsv {
  public static final String HEADER = "pid,current_num_infer,throughput,p50,p90";

  private ReferenceCsv() {}

  public static String format(List<IntervalRow> rows) {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (IntervalRow r : rows) {
      // "\n", not %n: the file is byte-for-byte the same on every platform.
      sb.append(String.format(Locale.ROOT, "%d,%d,%.3f,%.6f,%.6f\n", r.pid(), r.count(), r.throughput(), r.p50(), r.p90()));
    }
    return sb.toString();
  }

  /** Writes atomically: a temporary file beside {@code file}, then a move. */
  public static void write(Path file, List<IntervalRow> rows) {
    Atomic.write(file, format(rows).getBytes(StandardCharsets.UTF_8));
  }

  /** Reads this harness's CSV or the reference team's (any number formatting). */
  public static List<IntervalRow> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IntentException(file + ": not valid UTF-8 (not a bench CSV)");
    } catch (IOException e) {
      throw new IntentException(file + ": cannot read (" + e.getMessage() + ")");
    }
    if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
      lines.set(0, lines.get(0).substring(1)); // a byte-order mark, as spreadsheets save
    }
    if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
      throw new IntentException(file + ":1: expected the header '" + HEADER + "'");
    }
    List<IntervalRow> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(",");
      if (f.length != 5) {
        throw new IntentException(file + ":" + (i + 1) + ": expected 5 columns, got " + f.length);
      }
      IntervalRow row;
      try {
        row = new IntervalRow(Long.parseLong(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2]),
            Double.parseDouble(f[3]), Double.parseDouble(f[4]));
      } catch (NumberFormatException e) {
        throw new IntentException(file + ":" + (i + 1) + ": not a number: " + e.getMessage());
      }
      String where = file + ":" + (i + 1);
      if (row.count() < 0) {
        throw new IntentException(where + ": current_num_infer must be >= 0, was " + row.count());
      }
      SummaryJson.requireMeasure(where, "throughput", row.throughput());
      SummaryJson.requireMeasure(where, "p50", row.p50());
      SummaryJson.requireMeasure(where, "p90", row.p90());
      rows.add(row);
    }
    if (rows.isEmpty()) {
      throw new IntentException(file + ": no rows");
    }
    return rows;
  }

  /** Atomic file writes shared by the harness's outputs. */
  static final class Atomic {
    private Atomic() {}

    static void write(Path file, byte[] bytes) {
      try {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "-" + ProcessHandle.current().pid() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new IntentException(file + ": cannot write (" + e.getMessage() + ")");
      }
    }
  }
}
