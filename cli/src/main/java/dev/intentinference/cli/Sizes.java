package dev.intentinference.cli;

import dev.intentinference.core.IntentException;
import java.util.Locale;

/** Byte sizes as people write them on a command line: {@code 512M}, {@code 2G}, {@code 1500000}. */
final class Sizes {
  private Sizes() {}

  static long parseBytes(String text, String option) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("B")) {
      t = t.substring(0, t.length() - 1);
    }
    if (t.endsWith("K")) {
      unit = 1L << 10;
    } else if (t.endsWith("M")) {
      unit = 1L << 20;
    } else if (t.endsWith("G")) {
      unit = 1L << 30;
    }
    if (unit > 1) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      double v = Double.parseDouble(t);
      if (v > 0 && v * unit < Long.MAX_VALUE) {
        return (long) (v * unit);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IntentException(option + " " + text + ": not a size; write e.g. 512M or 2G");
  }
}
