package dev.intentinference.server;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the last copies from a {@link RemoteRepository} went, for readiness and metrics. When the
 * remote cannot be read the server keeps serving what it has; this is where that shows.
 */
final class RepositoryStatus {
  private final String address;
  private final Clock clock;
  private volatile Instant lastSuccess;
  private volatile String error;
  private volatile List<String> rejected = List.of();

  RepositoryStatus(String address, Clock clock) {
    this.address = address;
    this.clock = clock;
  }

  void succeeded(List<String> rejectedVersions) {
    lastSuccess = clock.instant();
    error = null;
    rejected = List.copyOf(rejectedVersions);
  }

  /** The refused versions the last successful copy reported. */
  List<String> rejected() {
    return rejected;
  }

  void failed(String message) {
    error = message;
  }

  boolean healthy() {
    return error == null;
  }

  /** A JSON-ready description: address, status, last success, the error and refused versions. */
  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("address", address);
    m.put("status", error == null ? "in_sync" : "unreachable");
    m.put("last_sync", lastSuccess == null ? null : lastSuccess.toString());
    if (error != null) {
      m.put("error", error);
    }
    if (!rejected.isEmpty()) {
      m.put("rejected", rejected);
    }
    return m;
  }
}
