package dev.intentinference.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.intentinference.core.IntentException;
import dev.intentinference.core.io.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Push and list against a real S3 API (S3Proxy on loopback) with the real AWS SDK client. */
class S3ArtifactStoreTest {
  @TempDir Path tmp;
  private S3TestServer server;
  private S3Client s3;
  private S3ArtifactStore store;

  @BeforeEach
  void start() throws Exception {
    server = S3TestServer.start(tmp.resolve("blobs"));
    server.createBucket("models");
    s3 = server.client();
    store = new S3ArtifactStore(s3, S3Location.parse("s3://models/prod/"));
  }

  @AfterEach
  void stop() throws Exception {
    s3.close();
    server.close();
  }

  @Test
  void pushPutsTheArtifactUnderModelAndVersionWithItsHashes() {
    Path file = TestArtifacts.write(tmp, "clinc150", "2", 5000);

    PushResult r = store.push(file, false);

    assertThat(r.url()).isEqualTo("s3://models/prod/clinc150/2/clinc150-2.intent");
    assertThat(r.outcome()).isEqualTo(PushResult.Outcome.UPLOADED);
    assertThat(r.sha256()).isEqualTo(Hashes.sha256(file));
    var head = store.head("prod/clinc150/2/clinc150-2.intent").orElseThrow();
    assertThat(head.metadata()).containsEntry(S3ArtifactStore.META_SHA256, Hashes.sha256(file))
        .containsKey(S3ArtifactStore.META_MANIFEST_SHA256);
    assertThat(head.contentLength()).isEqualTo(r.size());
  }

  @Test
  void anExistingVersionIsNotOverwrittenWithoutForce() throws Exception {
    store.push(TestArtifacts.write(tmp, "clinc150", "1", 1000), false);
    Path other = Files.createDirectories(tmp.resolve("other"));
    Path changed = TestArtifacts.write(other, "clinc150", "1", 2000);

    assertThatThrownBy(() -> store.push(changed, false)).isInstanceOf(IntentException.class)
        .hasMessageContaining("s3://models/prod/clinc150/1 already exists").hasMessageContaining("--force");
    assertThat(store.sha256Of("prod/clinc150/1/clinc150-1.intent")).hasValue(Hashes.sha256(tmp.resolve("clinc150-1.intent")));

    assertThat(store.push(changed, true).outcome()).isEqualTo(PushResult.Outcome.REPLACED);
    assertThat(store.sha256Of("prod/clinc150/1/clinc150-1.intent")).hasValue(Hashes.sha256(changed));
  }

  @Test
  void theSameFileTwiceIsAlreadyThere() {
    Path file = TestArtifacts.write(tmp, "clinc150", "1", 1000);
    store.push(file, false);
    assertThat(store.push(file, false).outcome()).isEqualTo(PushResult.Outcome.ALREADY_THERE);
  }

  @Test
  void aFileThatIsNotAValidArtifactIsRefusedBeforeAnyUpload() throws Exception {
    Path bad = Files.writeString(tmp.resolve("x.intent"), "not a zip");
    assertThatThrownBy(() -> store.push(bad, false)).isInstanceOf(IntentException.class).hasMessageContaining("not a valid .intent artifact");
    assertThat(store.list().models()).isEmpty();
  }

  @Test
  void listGroupsVersionsByModelNewestFirstAndReadsPins() {
    for (String v : new String[] {"1", "2", "10"}) {
      store.push(TestArtifacts.write(tmp, "clinc150", v, 500), false);
    }
    store.push(TestArtifacts.write(tmp, "banking", "1", 500), false);
    store.pin("clinc150", "2");

    RemoteListing l = store.list();

    assertThat(l.models()).containsExactly("banking", "clinc150");
    assertThat(l.versions("clinc150")).extracting(RemoteVersion::version).containsExactly("10", "2", "1");
    assertThat(l.pins()).containsEntry("clinc150", "2").doesNotContainKey("banking");
    store.unpin("clinc150");
    assertThat(store.list().pins()).isEmpty();
  }

  @Test
  void pinningAVersionTheBucketDoesNotHoldIsRefused() {
    store.push(TestArtifacts.write(tmp, "clinc150", "1", 500), false);
    assertThatThrownBy(() -> store.pin("clinc150", "7")).hasMessageContaining("no version '7'").hasMessageContaining("[1]");
  }

  @Test
  void pinningAVersionServersWouldRefuseIsRefused() {
    // Uploaded by other means than push: no SHA-256 metadata, which every server refuses.
    Path file = TestArtifacts.write(tmp, "clinc150", "2", 500);
    s3.putObject(b -> b.bucket("models").key("prod/clinc150/2/clinc150-2.intent"), software.amazon.awssdk.core.sync.RequestBody.fromFile(file));
    assertThatThrownBy(() -> store.pin("clinc150", "2")).hasMessageContaining("has no intent-sha256 metadata")
        .hasMessageContaining("nothing pinned");
    assertThat(store.list().pins()).isEmpty();
  }

  @Test
  void aMissingBucketIsNamed() {
    S3ArtifactStore nowhere = new S3ArtifactStore(s3, S3Location.parse("s3://no-such-bucket/x"));
    assertThatThrownBy(nowhere::list).isInstanceOf(IntentException.class).hasMessageContaining("NoSuchBucket");
  }

  @Test
  void addressesAreParsedStrictly() {
    assertThat(S3Location.parse("s3://b-1/a/b/").key("m", "1")).isEqualTo("a/b/m/1");
    assertThat(S3Location.parse("s3://bucket").listPrefix()).isEmpty();
    assertThatThrownBy(() -> S3Location.parse("s3://Bad_Bucket/x")).hasMessageContaining("bad S3 bucket name");
    assertThatThrownBy(() -> S3Location.parse("s3://bucket/a/../b")).hasMessageContaining("bad S3 prefix");
    assertThatThrownBy(() -> S3Location.parse("/local/dir")).hasMessageContaining("not an S3 address");
  }

  @Test
  void clientProblemsAreSaidInWords() {
    assertThat(S3ArtifactStore.clientProblem(new java.net.UnknownHostException("models.s3.amazonaws.com")))
        .startsWith("no such host models.s3.amazonaws.com");
    assertThat(S3ArtifactStore.clientProblem(new RuntimeException("Unable to load credentials from any of the providers in the chain ...")))
        .startsWith("no AWS credentials found");
    assertThat(S3ArtifactStore.clientProblem(new RuntimeException("Connection refused"))).isEqualTo("Connection refused");
  }
}
