package dev.intentinference.core.model;

import java.math.BigInteger;
import java.util.Comparator;

/**
 * The order of model versions everywhere (repository, bucket, listings): versions that are all
 * digits compare as numbers ({@code 10 > 9}), others as text, and numbers sort after text, so
 * "newest" is the greatest.
 *
 * <pre>{@code
 * versions.sort(VersionOrder.INSTANCE.reversed()); // newest first
 * }</pre>
 */
public enum VersionOrder implements Comparator<String> {
  INSTANCE;

  @Override
  public int compare(String a, String b) {
    boolean na = isNumber(a);
    boolean nb = isNumber(b);
    if (na && nb) {
      return new BigInteger(a).compareTo(new BigInteger(b));
    }
    if (na != nb) {
      return na ? 1 : -1;
    }
    return a.compareTo(b);
  }

  private static boolean isNumber(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
