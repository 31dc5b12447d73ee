package dev.intentinference.cli;

/**
 * Text from data (a label, a message) as a terminal line may show it: control characters, which
 * would break a table's rows or move the cursor, are written as escapes: {@code \n}, {@code \t},
 * and a four-digit Unicode escape for the others. JSON output escapes them itself.
 *
 * <pre>{@code
 * Printable.of("multi\nline"); // "multi\\nline"
 * }</pre>
 */
final class Printable {
  private Printable() {}

  static String of(String s) {
    if (s == null || s.codePoints().noneMatch(Printable::escaped)) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length() + 8);
    s.codePoints().forEach(c -> {
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (escaped(c)) {
            out.append(String.format("\\u%04x", c));
          } else {
            out.appendCodePoint(c);
          }
        }
      }
    });
    return out.toString();
  }

  /** Control characters, and the bidirectional overrides that can reorder what a line shows. */
  private static boolean escaped(int c) {
    return Character.isISOControl(c) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
  }
}
