package dev.intentinference.deploy;

import dev.intentinference.core.IntentException;

/** Model and version names as they enter from a bucket or an artifact. */
final class RepositoryNames {
  private RepositoryNames() {}

  static boolean valid(String name) {
    return name != null && name.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  }

  static String check(String what, String name) {
    if (!valid(name)) {
      throw new IntentException("bad " + what + " name '" + name + "': 1 to 128 letters, digits, '.', '_' or '-', not starting with '.' or '-'");
    }
    return name;
  }
}
