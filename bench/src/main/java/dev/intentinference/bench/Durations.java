package dev.intentinference.bench;

import dev.intentinference.core.IntentException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations users type: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, or a bare
 * number of seconds ({@code 1.5}).
 *
 * <pre>{@code
 * Duration d = Durations.parse("--duration", "60s");   // PT1M
 * }</pre>
 */
public final class Durations {
  private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

  private Durations() {}

  /**
   * @param option the option's name, for the error message
   * @param text the value as typed
   * @throws IntentException naming the option and the accepted forms when {@code text} is not a
   *     duration
   */
  public static Duration parse(String option, String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IntentException(option + ": '" + text + "' is not a duration (use e.g. 500ms, 10s, 2m, 1h)");
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double nanosPerUnit = switch (unit) {
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "m" -> 60e9;
      default -> 3600e9;
    };
    return Duration.ofNanos(Math.round(value * nanosPerUnit));
  }

  /** Formats seconds compactly for console lines and reports: {@code 0.000412}, {@code 12.5}. */
  public static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.3fs", d.toNanos() / 1e9);
  }
}
