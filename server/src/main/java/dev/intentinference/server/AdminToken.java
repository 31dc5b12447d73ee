package dev.intentinference.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bearer token that guards the admin API ({@code /v2/repository/...}), or none: then the admin
 * API is disabled, never open. Compared in constant time (both sides hashed first, so not even the
 * length leaks). Never printed: {@link #toString()} only says whether one is set.
 *
 * <pre>{@code
 * AdminToken t = AdminToken.of(System.getenv("INTENT_ADMIN_TOKEN")); // null gives NONE
 * t.matches("s3cret");
 * }</pre>
 */
public final class AdminToken {
  /** No token: the admin API answers 403. */
  public static final AdminToken NONE = new AdminToken(null);
  static final int MAX_LENGTH = 4096;

  private final byte[] digest;

  private AdminToken(byte[] digest) {
    this.digest = digest;
  }

  /**
   * A token, or {@link #NONE} for null.
   *
   * @throws IllegalArgumentException when it is empty, too long or holds anything but visible ASCII
   *     (the message never repeats the token)
   */
  public static AdminToken of(String token) {
    if (token == null) {
      return NONE;
    }
    boolean visible = !token.isEmpty() && token.length() <= MAX_LENGTH && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    if (!visible) {
      throw new IllegalArgumentException("--admin-token must be 1.." + MAX_LENGTH
          + " visible ASCII characters (no spaces), was " + token.length() + " characters not all visible ASCII");
    }
    return new AdminToken(sha256(token));
  }

  public boolean isConfigured() {
    return digest != null;
  }

  /** Whether {@code presented} is the token, in time independent of where they differ. */
  boolean matches(String presented) {
    return digest != null && presented != null && MessageDigest.isEqual(digest, sha256(presented));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return isConfigured() ? "AdminToken[set]" : "AdminToken[none]";
  }
}
