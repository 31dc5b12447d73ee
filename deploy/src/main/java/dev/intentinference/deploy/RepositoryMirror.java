package dev.intentinference.deploy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.PinFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Keeps a local model repository ({@code cache/<model>/<version>/<file>.intent}) in step with a
 * bucket, for the server to load from. Per model it holds the newest {@code keep} versions and
 * the pinned one. A download goes to {@code cache/<model>/.incoming/<version>/}, resumes where
 * it stopped, is checked against the object's SHA-256 metadata and the artifact's own entry
 * hashes, and only then is renamed into place: the server never sees a partial or unverified
 * file. A rejected object is not fetched again until it changes (new entity tag).
 *
 * <pre>{@code
 * RepositoryMirror mirror = new RepositoryMirror(store, Path.of("cache"), 2);
 * SyncReport r = mirror.sync(); // throws IntentException when the bucket cannot be listed
 * }</pre>
 */
public final class RepositoryMirror {
  /** Marks a version directory the mirror made, with the entity tag it was made from. */
  static final String ETAG_FILE = ".etag";
  static final String INCOMING = ".incoming";
  private static final String PART = ".part";

  private final S3ArtifactStore store;
  private final Path cache;
  private final int keep;
  private final Map<String, Rejection> rejected = new HashMap<>();

  /** Why an object (as its entity tag identifies it) was refused. */
  private record Rejection(String etag, String reason) {}

  /**
   * @param keep newest versions of each model to hold locally (at least 1); the pinned version
   *     is held as well
   */
  public RepositoryMirror(S3ArtifactStore store, Path cache, int keep) {
    if (keep < 1) {
      throw new IntentException("versions to keep must be at least 1, was " + keep);
    }
    this.store = store;
    this.cache = cache;
    this.keep = keep;
  }

  public Path cache() {
    return cache;
  }

  public S3Location location() {
    return store.location();
  }

  /**
   * Brings the local copy up to date with the bucket.
   *
   * @throws IntentException when the bucket cannot be listed; the local copy is untouched
   */
  public synchronized SyncReport sync() {
    RemoteListing listing = store.list();
    List<String> downloaded = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    io(() -> Files.createDirectories(cache));
    listing.ambiguous().forEach(dir -> failed.add(dir + ": holds several .intent objects; expected one"));
    for (String model : listing.models()) {
      Set<RemoteVersion> wanted = new LinkedHashSet<>(listing.versions(model).subList(0, Math.min(keep, listing.versions(model).size())));
      String pin = listing.pins().get(model);
      if (pin != null) {
        listing.version(model, pin).ifPresent(wanted::add);
      }
      for (RemoteVersion v : wanted) {
        fetch(v, downloaded, failed, pending);
      }
      writePin(model, pin != null && listing.version(model, pin).isPresent() ? pin : null);
      Set<String> keepLocal = new LinkedHashSet<>();
      wanted.forEach(v -> keepLocal.add(v.version()));
      keepLocal.addAll(newestInstalled(model, listing.versions(model)));
      removeOthers(model, keepLocal, removed);
    }
    for (String model : localModels()) {
      if (!listing.versions().containsKey(model)) {
        removeOthers(model, Set.of(), removed);
        writePin(model, null);
      }
    }
    return new SyncReport(downloaded, failed, removed, pending);
  }

  private void fetch(RemoteVersion v, List<String> downloaded, List<String> failed, List<String> pending) {
    String id = v.model() + "/" + v.version();
    Path target = cache.resolve(v.model()).resolve(v.version());
    if (v.etag().equals(readText(target.resolve(ETAG_FILE)))) {
      return;
    }
    Rejection known = rejected.get(v.key());
    if (known != null && known.etag().equals(v.etag())) {
      // Not fetched again, but still reported: the object is still there and still refused, and a
      // report without it would tell the server's status that the problem went away.
      failed.add(id + ": " + known.reason());
      return;
    }
    Path staging = cache.resolve(v.model()).resolve(INCOMING).resolve(v.version());
    Path part = staging.resolve(v.fileName() + PART);
    try {
      Files.createDirectories(staging);
      if (!v.etag().equals(readText(staging.resolve(ETAG_FILE)))) {
        clear(staging); // a different object than the part on disk: start over
        Files.createDirectories(staging);
        Files.writeString(staging.resolve(ETAG_FILE), v.etag());
      }
      Map<String, String> meta = store.download(v, part);
      String expected = meta.get(S3ArtifactStore.META_SHA256);
      if (expected == null) {
        throw new Rejected("unverifiable: the object has no " + S3ArtifactStore.META_SHA256
            + " metadata (upload it with intent push)");
      }
      String actual = Hashes.sha256(part);
      if (!actual.equals(expected)) {
        throw new Rejected("corrupt: its SHA-256 is " + actual + " but its metadata says " + expected);
      }
      Path file = staging.resolve(v.fileName());
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
      try {
        IntentArtifact.read(file); // the entries' own hashes, and that it is an artifact at all
      } catch (IntentException e) {
        throw new Rejected(e.getMessage());
      }
      install(staging, target);
      downloaded.add(id);
    } catch (Rejected e) {
      rejected.put(v.key(), new Rejection(v.etag(), e.getMessage()));
      clear(staging);
      failed.add(id + ": " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      // The connection dropped, the store failed or the disk did: keep the part, the next sync resumes it.
      pending.add(id + ": " + e.getMessage());
    }
  }

  private void install(Path staging, Path target) throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      old = target.resolveSibling(INCOMING).resolve(target.getFileName() + ".old");
      clear(old);
      move(target, old);
    }
    move(staging, target);
    if (old != null) {
      clear(old);
    }
  }

  private void writePin(String model, String version) {
    if (version == null) {
      if (Files.isDirectory(cache.resolve(model))) {
        PinFile.clear(cache, model);
      }
    } else if (!PinFile.read(cache, model).map(version::equals).orElse(false)) {
      io(() -> Files.createDirectories(cache.resolve(model)));
      PinFile.write(cache, model, version);
    }
  }

  /**
   * The newest {@code keep} versions installed here that the bucket still holds. A wanted version
   * that was refused or is still downloading is not on disk; without these, the version serving
   * (and every fallback) would be removed for one that cannot be installed, and a restart would
   * find nothing to serve.
   */
  private List<String> newestInstalled(String model, List<RemoteVersion> newestFirst) {
    List<String> out = new ArrayList<>();
    for (RemoteVersion v : newestFirst) {
      if (out.size() == keep) {
        break;
      }
      if (v.etag().equals(readText(cache.resolve(model).resolve(v.version()).resolve(ETAG_FILE)))) {
        out.add(v.version());
      }
    }
    return out;
  }

  private void removeOthers(String model, Set<String> keepVersions, List<String> removed) {
    for (Path dir : list(cache.resolve(model))) {
      String version = dir.getFileName().toString();
      if (Files.isDirectory(dir) && !version.startsWith(".") && !keepVersions.contains(version)
          && Files.isRegularFile(dir.resolve(ETAG_FILE))) {
        clear(dir);
        removed.add(model + "/" + version);
      }
    }
  }

  private List<String> localModels() {
    return list(cache).stream().filter(Files::isDirectory).map(p -> p.getFileName().toString())
        .filter(n -> !n.startsWith(".")).toList();
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String readText(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static void clear(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The object itself is bad (not a transfer problem): refused until it changes. */
  private static final class Rejected extends RuntimeException {
    Rejected(String message) {
      super(message, null, false, false);
    }
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static void io(IoAction a) {
    try {
      a.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
