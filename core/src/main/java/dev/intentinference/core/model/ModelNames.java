package dev.intentinference.core.model;

import dev.intentinference.core.IntentException;

/**
 * The one rule for model and version names, wherever they enter (HTTP paths, gRPC fields, the
 * repository's directories, command-line options): 1..128 characters of {@code A-Z a-z 0-9 . _ -},
 * not starting with {@code .} or {@code -}. Such a name is always one plain path segment: never
 * empty, {@code .}, {@code ..}, absolute, or holding a separator, so it is safe to resolve under
 * the repository.
 *
 * <pre>{@code
 * ModelNames.checkModel("clinc150");          // returns "clinc150"
 * ModelNames.problem("version", "../etc");    // "invalid version '../etc': ..."
 * }</pre>
 */
public final class ModelNames {
  public static final int MAX_LENGTH = 128;
  /** What a valid name looks like, for messages. */
  public static final String RULE = "names are 1.." + MAX_LENGTH
      + " characters of A-Z a-z 0-9 . _ -, not starting with '.' or '-'";
  /** Longest part of a bad value repeated in a message: enough to recognise it, not a flood. */
  private static final int SHOWN = 48;

  private ModelNames() {}

  /** Whether {@code name} is a valid model or version name. Allocation-free: fit for every request. */
  public static boolean isValid(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
      return false;
    }
    char first = name.charAt(0);
    if (first == '.' || first == '-') {
      return false; // also rules out "." and ".." and hidden directories
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Null when {@code name} is valid, else a one-line message naming the value and the rule.
   *
   * @param what what the name is, e.g. {@code "model name"} or {@code "--model-version"}
   */
  public static String problem(String what, String name) {
    if (isValid(name)) {
      return null;
    }
    String why;
    if (name == null || name.isEmpty()) {
      why = "it is empty";
    } else if (name.length() > MAX_LENGTH) {
      why = "it has " + name.length() + " characters";
    } else if (name.charAt(0) == '.' || name.charAt(0) == '-') {
      why = "it starts with '" + name.charAt(0) + "'";
    } else {
      why = "it holds " + describe(firstBad(name));
    }
    return "invalid " + what + " " + quote(name) + ": " + why + "; " + RULE;
  }

  /** Returns {@code name} when it is a valid model name, else throws naming it. */
  public static String checkModel(String name) {
    return check("model name", name);
  }

  /** Returns {@code name} when it is a valid version name, else throws naming it. */
  public static String checkVersion(String name) {
    return check("version", name);
  }

  /**
   * Returns {@code name} when valid.
   *
   * @throws IntentException naming {@code what}, the value and the rule
   */
  public static String check(String what, String name) {
    String p = problem(what, name);
    if (p != null) {
      throw new IntentException(p);
    }
    return name;
  }

  private static char firstBad(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
        return c;
      }
    }
    return '?';
  }

  private static String describe(char c) {
    if (c == '/' || c == '\\') {
      return "a path separator '" + c + "'";
    }
    return c < 0x20 || c == 0x7f || c > 0x7e ? String.format("the character U+%04X", (int) c) : "the character '" + c + "'";
  }

  /** The value in quotes, control characters escaped and cut to a readable length. */
  private static String quote(String name) {
    if (name == null) {
      return "(none)";
    }
    StringBuilder sb = new StringBuilder("'");
    int n = Math.min(name.length(), SHOWN);
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append(name.length() > SHOWN ? "...'" : "'");
    return sb.toString();
  }
}
