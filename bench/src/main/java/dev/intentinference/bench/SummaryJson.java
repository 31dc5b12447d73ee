package dev.intentinference.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.intentinference.core.IntentException;
import java.io.IOException;
import java.nio.file.Path;

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

  public static RunSummary read(Path file) {
    try {
      return mapper().readValue(file.toFile(), RunSummary.class);
    } catch (IOException e) {
      throw new IntentException(file + ": not a bench summary (" + e.getMessage().split("\n")[0] + ")");
    }
  }
}
