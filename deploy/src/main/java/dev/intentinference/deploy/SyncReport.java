package dev.intentinference.deploy;

import java.util.List;

/**
 * What one {@link RepositoryMirror#sync()} changed in the local copy.
 *
 * @param downloaded versions now in the local copy ({@code model/version})
 * @param rejected versions refused, each with its reason; the local copy keeps what it had
 * @param removed versions deleted locally because the bucket no longer holds them (or no longer
 *     needs them kept)
 * @param pending versions whose download stopped part-way; the next sync resumes them
 */
public record SyncReport(List<String> downloaded, List<String> rejected, List<String> removed, List<String> pending) {
  public SyncReport {
    downloaded = List.copyOf(downloaded);
    rejected = List.copyOf(rejected);
    removed = List.copyOf(removed);
    pending = List.copyOf(pending);
  }

  public boolean changed() {
    return !downloaded.isEmpty() || !removed.isEmpty();
  }
}
