package dev.intentinference.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.intentinference.core.IntentException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@link RunSummary} as JSON with snake_case names.
 *
 * <pre>{@code
 * SummaryJson.write(Path.of("run.json"), summary);
 * RunSummary s = SummaryJson.read(Path.of("run.json"));
 * }</pre>
 */
public final class SummaryJson {
  private SummaryJson() {}

  static ObjectMapper mapper() {
    return new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT)
        // NaN (recall with no out-of-scope messages) is written as the string "NaN", Jackson's default.
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  public static byte[] toJson(RunSummary s) {
    try {
      return mapper().writeValueAsBytes(s);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise summary", e);
    }
  }

  public static void write(Path file, RunSummary s) {
    ReferenceCsv.Atomic.write(file, toJson(s));
  }

  /**
   * Reads a summary and checks what reports and comparisons use: the format, the latency, target,
   * machine and steps present, the numbers finite and not negative. Missing lists and maps read as
   * empty.
   */
  public static RunSummary read(Path file) {
    RunSummary s;
    try {
      s = mapper().readValue(file.toFile(), RunSummary.class);
    } catch (IOException e) {
      throw new IntentException(file + ": not a bench summary (" + e.getMessage().split("\n")[0] + ")");
    }
    if (s == null) {
      throw new IntentException(file + ": not a bench summary (empty)");
    }
    if (!RunSummary.FORMAT.equals(s.format())) {
      throw new IntentException(file + ": not a bench summary (format " + s.format() + ", expected " + RunSummary.FORMAT + ")");
    }
    String missing = s.latency() == null ? "latency" : s.target() == null ? "target" : s.machine() == null ? "machine"
        : s.steps() == null || s.steps().isEmpty() ? "steps" : s.steps().stream().anyMatch(st -> st == null || st.latency() == null)
        ? "a step's latency" : null;
    if (missing != null) {
      throw new IntentException(file + ": not a complete bench summary (no " + missing + ")");
    }
    requireMeasure(file, "throughput", s.throughput());
    requireMeasure(file, "latency p50", s.latency().p50());
    requireMeasure(file, "latency p90", s.latency().p90());
    if (!(s.intervalSeconds() > 0) || Double.isInfinite(s.intervalSeconds())) {
      throw new IntentException(file + ": interval_seconds must be a positive number, was " + s.intervalSeconds());
    }
    return new RunSummary(s.format(), s.startedAt(), s.mode(), s.target(), s.settings() == null ? Map.of() : s.settings(),
        s.machine(), s.csv(), s.intervalSeconds(), s.requests(), s.succeeded(), s.failed(),
        s.errors() == null ? Map.of() : s.errors(), s.throughput(), s.latency(), s.stability(), s.steps(), s.knee(),
        s.accuracy(), s.warnings() == null ? List.of() : s.warnings());
  }

  /** A throughput or latency: finite and not negative, else the file is no measurement. */
  static void requireMeasure(Object where, String what, double value) {
    if (!Double.isFinite(value) || value < 0) {
      throw new IntentException(where + ": " + what + " must be a finite number >= 0, was " + value);
    }
  }
}
