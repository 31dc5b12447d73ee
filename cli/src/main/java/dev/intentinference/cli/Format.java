package dev.intentinference.cli;

import java.util.Locale;

/** Number formatting shared by the commands. */
final class Format {
  private Format() {}

  /** A rate in [0, 1] as a percentage with one decimal, or {@code n/a} for NaN. */
  static String pct(double rate) {
    return Double.isNaN(rate) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", rate * 100);
  }

  /** A rate with two decimals, for tables where small differences matter. */
  static String pct2(double rate) {
    return Double.isNaN(rate) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", rate * 100);
  }

  /** A size in bytes as B, KiB, MiB or GiB with one decimal. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
