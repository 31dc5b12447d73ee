package dev.intentinference.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/** The bucket mirrored into a local repository, against a real S3 API (S3Proxy on loopback). */
class RepositoryMirrorTest {
  @TempDir Path tmp;
  private S3TestServer server;
  private S3Client s3;
  private S3ArtifactStore store;
  private RepositoryMirror mirror;
  private Path cache;
  private final ObjectReads downloads = new ObjectReads();

  /** Counts the object downloads (GET requests) the client sends. */
  private static final class ObjectReads implements ExecutionInterceptor {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof GetObjectRequest) {
        count.incrementAndGet();
      }
    }

    int count() {
      return count.get();
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = S3TestServer.start(tmp.resolve("blobs"));
    server.createBucket("models");
    s3 = server.client(List.of(downloads));
    store = new S3ArtifactStore(s3, S3Location.parse("s3://models/prod"));
    cache = tmp.resolve("cache");
    mirror = new RepositoryMirror(store, cache, 2);
  }

  @AfterEach
  void stop() throws Exception {
    s3.close();
    server.close();
  }

  private Path push(String model, String version) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("src").resolve(model + version));
    Path file = TestArtifacts.write(dir, model, version, 4000);
    store.push(file, false);
    return file;
  }

  @Test
  void theNewestVersionsArriveHashCheckedInTheRepositoryLayout() throws Exception {
    push("clinc150", "1");
    push("clinc150", "2");
    Path v3 = push("clinc150", "3");

    SyncReport r = mirror.sync();

    assertThat(r.downloaded()).containsExactlyInAnyOrder("clinc150/3", "clinc150/2");
    assertThat(Hashes.sha256(cache.resolve("clinc150/3/clinc150-3.intent"))).isEqualTo(Hashes.sha256(v3));
    assertThat(cache.resolve("clinc150/1")).doesNotExist();
    assertThat(mirror.sync().changed()).as("nothing new the second time").isFalse();

    push("clinc150", "4");
    SyncReport next = mirror.sync();
    assertThat(next.downloaded()).containsExactly("clinc150/4");
    assertThat(next.removed()).containsExactly("clinc150/2");
  }

  @Test
  void aPinIsMirroredAndItsVersionKept() throws Exception {
    push("clinc150", "1");
    push("clinc150", "2");
    push("clinc150", "3");
    store.pin("clinc150", "1");

    mirror.sync();

    assertThat(Files.readString(cache.resolve("clinc150/" + S3ArtifactStore.PIN_NAME)).trim()).isEqualTo("1");
    assertThat(cache.resolve("clinc150/1/clinc150-1.intent")).exists();
    store.unpin("clinc150");
    mirror.sync();
    assertThat(cache.resolve("clinc150/" + S3ArtifactStore.PIN_NAME)).doesNotExist();
    assertThat(cache.resolve("clinc150/1")).doesNotExist();
  }

  @Test
  void aCorruptObjectIsRejectedAndTheLocalCopyKeepsWhatItHad() throws Exception {
    push("clinc150", "1");
    mirror.sync();
    Path good = TestArtifacts.write(Files.createDirectories(tmp.resolve("v2")), "clinc150", "2", 4000);
    byte[] bytes = Files.readAllBytes(good);
    bytes[bytes.length / 2] ^= 0x55; // flipped on the way: the metadata still names the good file
    s3.putObject(b -> b.bucket("models").key("prod/clinc150/2/clinc150-2.intent")
        .metadata(Map.of(S3ArtifactStore.META_SHA256, Hashes.sha256(good))), RequestBody.fromBytes(bytes));

    SyncReport r = mirror.sync();

    assertThat(r.rejected()).singleElement().asString().startsWith("clinc150/2: corrupt");
    assertThat(cache.resolve("clinc150/2")).doesNotExist();
    assertThat(cache.resolve("clinc150/1/clinc150-1.intent")).exists();
    int readsBefore = downloads.count();
    assertThat(mirror.sync().rejected()).as("still reported while it is in the bucket").isEqualTo(r.rejected());
    assertThat(downloads.count()).as("but not fetched again until it changes").isEqualTo(readsBefore);

    store.push(good, true);
    assertThat(mirror.sync().downloaded()).containsExactly("clinc150/2");
    assertThat(downloads.count()).as("a changed object is fetched").isGreaterThan(readsBefore);
  }

  @Test
  void anObjectWithoutItsHashIsUnverifiableAndRejected() throws Exception {
    Path file = TestArtifacts.write(tmp, "clinc150", "1", 1000);
    s3.putObject(b -> b.bucket("models").key("prod/clinc150/1/clinc150-1.intent"), RequestBody.fromFile(file));

    assertThat(mirror.sync().rejected()).singleElement().asString().contains("unverifiable");
    assertThat(cache.resolve("clinc150/1")).doesNotExist();
  }

  @Test
  void aPartialDownloadResumesFromTheBytesOnDisk() throws Exception {
    Path file = push("clinc150", "1");
    RemoteVersion v = store.list().versions("clinc150").get(0);
    Path staging = Files.createDirectories(cache.resolve("clinc150/" + RepositoryMirror.INCOMING + "/1"));
    Files.writeString(staging.resolve(RepositoryMirror.ETAG_FILE), v.etag());
    byte[] all = Files.readAllBytes(file);
    Files.write(staging.resolve("clinc150-1.intent.part"), Arrays.copyOf(all, all.length / 2));

    assertThat(mirror.sync().downloaded()).containsExactly("clinc150/1");
    assertThat(Files.readAllBytes(cache.resolve("clinc150/1/clinc150-1.intent"))).isEqualTo(all);
    assertThat(staging).doesNotExist();
  }

  @Test
  void anUnreachableBucketLeavesTheLocalCopyAlone() throws Exception {
    push("clinc150", "1");
    mirror.sync();
    server.stop();

    assertThatThrownBy(mirror::sync).isInstanceOf(RuntimeException.class);
    assertThat(cache.resolve("clinc150/1/clinc150-1.intent")).exists();

    server.restart();
    push("clinc150", "2");
    assertThat(mirror.sync().downloaded()).containsExactly("clinc150/2");
  }

  @Test
  void versionsAndModelsDeletedFromTheBucketLeaveTheLocalCopy() throws Exception {
    push("clinc150", "1");
    push("banking", "1");
    mirror.sync();
    s3.deleteObject(b -> b.bucket("models").key("prod/banking/1/banking-1.intent"));

    assertThat(mirror.sync().removed()).containsExactly("banking/1");
    assertThat(cache.resolve("banking/1")).doesNotExist();
    assertThat(cache.resolve("clinc150/1")).exists();
  }

  /** Newer versions that cannot be installed never push out the ones that are: the serving version stays on disk. */
  @Test
  void refusedNewerVersionsLeaveTheInstalledOnesInPlace() throws Exception {
    push("clinc150", "1");
    push("clinc150", "2");
    mirror.sync();
    for (String version : List.of("3", "4")) {
      Path good = TestArtifacts.write(Files.createDirectories(tmp.resolve("bad" + version)), "clinc150", version, 4000);
      byte[] bytes = Files.readAllBytes(good);
      bytes[bytes.length / 2] ^= 0x55;
      s3.putObject(b -> b.bucket("models").key("prod/clinc150/" + version + "/clinc150-" + version + ".intent")
          .metadata(Map.of(S3ArtifactStore.META_SHA256, Hashes.sha256(good))), RequestBody.fromBytes(bytes));
    }

    SyncReport r = mirror.sync();

    assertThat(r.rejected()).hasSize(2);
    assertThat(r.removed()).isEmpty();
    assertThat(cache.resolve("clinc150/2/clinc150-2.intent")).exists();
    assertThat(cache.resolve("clinc150/1/clinc150-1.intent")).exists();
  }

  /** A body that ends early without an error (a cut connection) is a download to resume, not a corrupt object. */
  @Test
  void aBodyCutShortIsResumedNotRefused() throws Exception {
    Path file = push("clinc150", "1");
    AtomicInteger cuts = new AtomicInteger(1);
    ExecutionInterceptor cutOnce = new ExecutionInterceptor() {
      @Override
      public java.util.Optional<java.io.InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
          ExecutionAttributes attributes) {
        if (context.request() instanceof GetObjectRequest && cuts.getAndDecrement() > 0 && context.responseBody().isPresent()) {
          byte[] half = new byte[(int) (Files.exists(file) ? file.toFile().length() / 2 : 0)];
          try {
            int n = context.responseBody().get().readNBytes(half, 0, half.length);
            return java.util.Optional.of(new java.io.ByteArrayInputStream(half, 0, n));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        return context.responseBody();
      }
    };
    try (S3Client cutting = server.client(List.of(cutOnce))) {
      RepositoryMirror m = new RepositoryMirror(new S3ArtifactStore(cutting, S3Location.parse("s3://models/prod")), cache, 2);
      SyncReport first = m.sync();
      assertThat(first.rejected()).isEmpty();
      assertThat(first.pending()).singleElement().asString().startsWith("clinc150/1: ");
      assertThat(m.sync().downloaded()).containsExactly("clinc150/1");
    }
    assertThat(Files.readAllBytes(cache.resolve("clinc150/1/clinc150-1.intent"))).isEqualTo(Files.readAllBytes(file));
  }

  @Test
  void keepMustBePositive() {
    assertThatThrownBy(() -> new RepositoryMirror(store, cache, 0)).isInstanceOf(IntentException.class);
  }
}
