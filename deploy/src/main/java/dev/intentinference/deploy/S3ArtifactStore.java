package dev.intentinference.deploy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.Hashes;
import dev.intentinference.core.model.IntentArtifact;
import dev.intentinference.core.model.ModelManifest;
import dev.intentinference.core.model.ModelNames;
import dev.intentinference.core.model.PinFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Compiled artifacts in a bucket, laid out as a model repository:
 * {@code prefix/<model>/<version>/<file>.intent}, each object carrying its SHA-256 and its
 * manifest's SHA-256 as metadata, and {@code prefix/<model>/.pinned-version} naming the version
 * every server should serve instead of the newest (a rollback).
 *
 * <pre>{@code
 * try (S3Client s3 = S3Settings.AWS.client()) {
 *   S3ArtifactStore store = new S3ArtifactStore(s3, S3Location.parse("s3://models/prod"));
 *   store.push(Path.of("clinc150-2.intent"), false);
 *   store.list().models();
 * }
 * }</pre>
 */
public final class S3ArtifactStore {
  /** Object metadata: the artifact file's SHA-256 (hex). Downloads are checked against it. */
  public static final String META_SHA256 = "intent-sha256";
  /** Object metadata: the SHA-256 of the artifact's manifest.json. */
  public static final String META_MANIFEST_SHA256 = "intent-manifest-sha256";
  /** The pin's object (and the local repository's file) under a model's prefix. */
  public static final String PIN_NAME = PinFile.FILE_NAME;

  private final S3Client s3;
  private final S3Location at;

  public S3ArtifactStore(S3Client s3, S3Location at) {
    this.s3 = s3;
    this.at = at;
  }

  public S3Location location() {
    return at;
  }

  /**
   * Uploads a compiled artifact to {@code prefix/<model>/<version>/<file name>}, model and
   * version taken from its manifest. The artifact is checked first (its entries' hashes).
   *
   * @param force replace the version when it already holds a different artifact
   * @throws IntentException when the file is not a valid artifact, its names are unusable, or
   *     the version exists and {@code force} is false
   */
  public PushResult push(Path file, boolean force) {
    IntentArtifact artifact = IntentArtifact.read(file);
    String model = ModelNames.check("model", artifact.manifest().name());
    String version = ModelNames.check("version", artifact.manifest().version());
    String fileName = file.getFileName().toString();
    String sha = Hashes.sha256(file);
    String key = at.key(model, version, fileName);
    String url = S3Location.SCHEME + at.bucket() + "/" + key;
    List<S3Object> existing = objects(at.key(model, version) + "/");
    PushResult.Outcome outcome = PushResult.Outcome.UPLOADED;
    if (!existing.isEmpty()) {
      if (existing.size() == 1 && existing.get(0).key().equals(key) && sameBytes(existing.get(0), file)
          && sha.equals(sha256Of(key).orElse(null))) {
        return new PushResult(url, model, version, 0, sha, PushResult.Outcome.ALREADY_THERE);
      }
      if (!force) {
        throw new IntentException(at + "/" + model + "/" + version + " already exists ("
            + existing.stream().map(o -> o.key().substring(o.key().lastIndexOf('/') + 1)).toList()
            + "); versions are immutable: push a new version, or replace it with --force");
      }
      outcome = PushResult.Outcome.REPLACED;
    }
    Map<String, String> meta = new HashMap<>();
    meta.put(META_SHA256, sha);
    meta.put(META_MANIFEST_SHA256, manifestSha256(file));
    try {
      s3.putObject(b -> b.bucket(at.bucket()).key(key).metadata(meta).contentType("application/zip"),
          RequestBody.fromFile(file));
      // A replaced version keeps one artifact: the other files go once the new one is in place.
      for (S3Object o : existing) {
        if (!o.key().equals(key)) {
          s3.deleteObject(b -> b.bucket(at.bucket()).key(o.key()));
        }
      }
    } catch (SdkException e) {
      throw failure("upload to " + url, e);
    }
    return new PushResult(url, model, version, size(file), sha, outcome);
  }

  /** Everything under the location: versions by model (newest first) and pins. */
  public RemoteListing list() {
    Map<String, List<RemoteVersion>> found = new LinkedHashMap<>();
    Map<String, String> pinKeys = new LinkedHashMap<>();
    Map<String, Integer> perDirectory = new HashMap<>();
    List<String> ambiguous = new ArrayList<>();
    for (S3Object o : objects(at.listPrefix())) {
      String[] parts = o.key().substring(at.listPrefix().length()).split("/");
      if (parts.length == 2 && parts[1].equals(PIN_NAME) && ModelNames.isValid(parts[0])) {
        pinKeys.put(parts[0], o.key());
      } else if (parts.length == 3 && parts[2].endsWith(IntentArtifact.EXTENSION)
          && ModelNames.isValid(parts[0]) && ModelNames.isValid(parts[1])) {
        String dir = parts[0] + "/" + parts[1];
        if (perDirectory.merge(dir, 1, Integer::sum) == 2) {
          ambiguous.add(at.key(dir));
        }
        found.computeIfAbsent(parts[0], m -> new ArrayList<>())
            .add(new RemoteVersion(parts[0], parts[1], o.key(), o.size(), o.eTag(), o.lastModified()));
      }
    }
    Map<String, List<RemoteVersion>> versions = new LinkedHashMap<>();
    found.forEach((model, vs) -> {
      List<RemoteVersion> single = vs.stream().filter(v -> perDirectory.get(model + "/" + v.version()) == 1).toList();
      if (!single.isEmpty()) {
        versions.put(model, RemoteListing.newestFirst(single));
      }
    });
    Map<String, String> pins = new LinkedHashMap<>();
    // A pin that does not name a valid version is ignored: servers keep following the newest.
    pinKeys.forEach((model, key) -> read(key).map(String::strip).filter(ModelNames::isValid)
        .ifPresent(v -> pins.put(model, v)));
    return new RemoteListing(versions, pins, ambiguous);
  }

  /** The artifact's SHA-256 from its metadata, if it has one. */
  public Optional<String> sha256Of(String key) {
    return head(key).map(h -> h.metadata().get(META_SHA256));
  }

  /** Object metadata of {@code key}, or empty when there is no such object. */
  public Optional<HeadObjectResponse> head(String key) {
    try {
      return Optional.of(s3.headObject(b -> b.bucket(at.bucket()).key(key)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw failure("read " + key, e);
    } catch (SdkException e) {
      throw failure("read " + key, e);
    }
  }

  /**
   * Pins {@code model} to {@code version} for every server on this location.
   *
   * @throws IntentException when the bucket holds no such version, or one servers refuse because
   *     it has no SHA-256 metadata: a pin to it would leave each server on whatever it held
   */
  public void pin(String model, String version) {
    RemoteListing listing = list();
    Optional<RemoteVersion> v = listing.version(model, version);
    if (v.isEmpty()) {
      throw new IntentException(at + " has no version '" + version + "' of model '" + model + "'; versions: "
          + listing.versions(model).stream().map(RemoteVersion::version).toList());
    }
    if (sha256Of(v.get().key()).isEmpty()) {
      throw new IntentException("version '" + version + "' of model '" + model + "' in " + at + " has no " + META_SHA256
          + " metadata, so servers refuse to serve it (upload it with intent push); nothing pinned");
    }
    String key = at.key(model, PIN_NAME);
    try {
      s3.putObject(b -> b.bucket(at.bucket()).key(key).contentType("text/plain"), RequestBody.fromString(PinFile.format(version)));
    } catch (SdkException e) {
      throw failure("write " + key, e);
    }
  }

  /** Removes {@code model}'s pin: servers go back to its newest version. */
  public void unpin(String model) {
    String key = at.key(model, PIN_NAME);
    try {
      s3.deleteObject(b -> b.bucket(at.bucket()).key(key));
    } catch (SdkException e) {
      throw failure("delete " + key, e);
    }
  }

  /**
   * Downloads {@code v} to {@code part}, resuming from the bytes already there when the object
   * is still the same one (same entity tag); starts over when it changed.
   *
   * @return the object's metadata
   */
  public Map<String, String> download(RemoteVersion v, Path part) throws IOException {
    long have = Files.isRegularFile(part) ? Files.size(part) : 0;
    if (have > v.size()) {
      Files.delete(part);
      have = 0;
    }
    long from = have;
    GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(at.bucket()).key(v.key()).ifMatch(v.etag());
    if (from > 0 && from < v.size()) {
      req.range("bytes=" + from + "-");
    }
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(req.build())) {
      boolean resumed = from > 0 && from < v.size() && in.response().contentRange() != null;
      try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
        in.transferTo(out);
      }
      // A connection cut by the store or the network can end the body early without an error:
      // the part is then incomplete, to resume, not an object to judge (and refuse) as corrupt.
      long got = Files.size(part);
      if (got < v.size()) {
        throw new IOException("incomplete: " + got + " of " + v.size() + " bytes arrived; the next sync resumes it");
      }
      return in.response().metadata();
    } catch (S3Exception e) {
      if (e.statusCode() == 412) {
        throw new IntentException(v.key() + " changed while it was being downloaded; will retry");
      }
      throw failure("download " + v.key(), e);
    }
  }

  private Optional<String> read(String key) {
    try (InputStream in = s3.getObject(b -> b.bucket(at.bucket()).key(key))) {
      return Optional.of(new String(in.readNBytes(256), java.nio.charset.StandardCharsets.UTF_8));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw failure("read " + key, e);
    } catch (IOException e) {
      throw new IntentException("cannot read " + key + ": " + e.getMessage(), e);
    }
  }

  private List<S3Object> objects(String keyPrefix) {
    try {
      List<S3Object> out = new ArrayList<>();
      s3.listObjectsV2Paginator(b -> b.bucket(at.bucket()).prefix(keyPrefix)).contents().forEach(out::add);
      return out;
    } catch (SdkException e) {
      throw failure("list " + at, e);
    }
  }

  /** The SDK's own wording is a dump of its credential chain, or a bare host name: say what is wrong. */
  static String clientProblem(Throwable root) {
    String m = root.getMessage();
    if (root instanceof java.net.UnknownHostException) {
      return "no such host " + m + " (check the bucket name, --s3-endpoint and the network)";
    }
    if (m != null && m.startsWith("Unable to load credentials")) {
      return "no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with a role)";
    }
    return m == null ? root.getClass().getSimpleName() : m;
  }

  private IntentException failure(String what, SdkException e) {
    if (!(e instanceof S3Exception s3e)) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      return new IntentException("cannot " + what + ": " + clientProblem(root), e);
    }
    String code = s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorCode();
    return new IntentException("cannot " + what + ": " + (code == null ? "HTTP " + s3e.statusCode() : code)
        + ("NoSuchBucket".equals(code) ? " (bucket " + at.bucket() + " does not exist)" : ""), e);
  }

  /**
   * Whether the object holds the file's bytes. A single-part upload's entity tag is its MD5, so
   * metadata that names the right hash over wrong bytes is not taken for an identical copy.
   */
  private static boolean sameBytes(S3Object o, Path file) {
    String etag = o.eTag() == null ? "" : o.eTag().replace("\"", "");
    if (!etag.matches("[0-9a-f]{32}")) {
      return false; // multipart or unknown: cannot tell, so not identical
    }
    try (InputStream in = Files.newInputStream(file)) {
      java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md5.update(buf, 0, n);
      }
      return java.util.HexFormat.of().formatHex(md5.digest()).equals(etag);
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      return false;
    }
  }

  private static String manifestSha256(Path file) {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry e = zip.getEntry(ModelManifest.FILE_NAME);
      try (InputStream in = zip.getInputStream(e)) {
        return Hashes.sha256(in);
      }
    } catch (IOException e) {
      throw new IntentException(file + ": cannot read its manifest: " + e.getMessage(), e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new IntentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
