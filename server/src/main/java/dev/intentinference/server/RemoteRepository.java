package dev.intentinference.server;

/**
 * A repository kept somewhere else (an S3 bucket) that is copied into the server's local
 * repository directory before each scan. The server module knows no storage API; the command
 * line supplies this.
 *
 * <pre>{@code
 * RemoteRepository bucket = new RemoteRepository() {
 *   public String address() { return "s3://models/prod"; }
 *   public void sync() { mirror.sync(); }
 * };
 * }</pre>
 */
public interface RemoteRepository {
  /** Where the models come from, for logs and status (e.g. {@code s3://bucket/prefix}). */
  String address();

  /**
   * Brings the local repository up to date: new versions verified and in place, pins copied.
   * Versions it refuses are reported through the returned text (one line each), not thrown.
   *
   * @return problems with single versions (empty when none)
   * @throws RuntimeException naming the problem when the remote cannot be read at all; the local
   *     repository must then be left as it was
   */
  java.util.List<String> sync();
}
