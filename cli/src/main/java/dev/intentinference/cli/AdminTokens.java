package dev.intentinference.cli;

import java.util.Map;

/**
 * Where the admin API's bearer token comes from, for {@code intent serve} and {@code intent
 * rollback} alike: {@code --admin-token}, else the environment variable {@value #ENV}; an empty
 * variable counts as unset.
 *
 * <pre>{@code
 * String token = AdminTokens.resolve(adminTokenOption, System.getenv()); // null when neither is set
 * }</pre>
 */
final class AdminTokens {
  static final String ENV = "INTENT_ADMIN_TOKEN";

  private AdminTokens() {}

  static String resolve(String option, Map<String, String> environment) {
    if (option != null) {
      return option;
    }
    String fromEnv = environment.get(ENV);
    return fromEnv == null || fromEnv.isEmpty() ? null : fromEnv;
  }
}
