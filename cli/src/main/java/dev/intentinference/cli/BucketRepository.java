package dev.intentinference.cli;

import dev.intentinference.deploy.CacheLock;
import dev.intentinference.deploy.RepositoryMirror;
import dev.intentinference.deploy.SyncReport;
import dev.intentinference.server.RemoteRepository;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/** An S3 repository as the server sees it: mirrored into the local cache before each scan. */
final class BucketRepository implements RemoteRepository, AutoCloseable {
  private final S3Client client;
  private final RepositoryMirror mirror;
  private final CacheLock cacheLock;

  BucketRepository(S3Client client, RepositoryMirror mirror) {
    this(client, mirror, null);
  }

  /** @param cacheLock held while this repository is open (see {@link CacheLock}); null for none */
  BucketRepository(S3Client client, RepositoryMirror mirror, CacheLock cacheLock) {
    this.client = client;
    this.mirror = mirror;
    this.cacheLock = cacheLock;
  }

  @Override
  public String address() {
    return mirror.location().toString();
  }

  @Override
  public List<String> sync() {
    SyncReport r = mirror.sync();
    List<String> problems = new ArrayList<>(r.rejected());
    r.pending().forEach(p -> problems.add(p + " (download incomplete; the next poll resumes it)"));
    return problems;
  }

  @Override
  public void close() {
    client.close();
    if (cacheLock != null) {
      cacheLock.close();
    }
  }
}
