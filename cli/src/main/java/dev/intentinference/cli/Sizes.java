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
    // Plain decimals only: Java's own parser also takes 1d, 0x1p3 and Infinity. Under one byte
    // would round to 0, which means no limit at all.
    if (t.matches("[0-9]+(\\.[0-9]+)?")) {
      double v = Double.parseDouble(t);
      if (v * unit >= 1 && v * unit < Long.MAX_VALUE) {
        return (long) (v * unit);
      }
    }
    throw new IntentException(option + " " + text + ": not a size; write e.g. 512M or 2G");
  }
}
