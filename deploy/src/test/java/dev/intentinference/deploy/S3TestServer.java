package dev.intentinference.deploy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API on loopback: S3Proxy in-process over a folder, with signed requests. It can be
 * stopped and started again on the same port over the same folder, the way a bucket goes away
 * and comes back.
 *
 * <pre>{@code
 * try (S3TestServer s3 = S3TestServer.start(tmp.resolve("blobs"))) {
 *   s3.createBucket("models");
 *   S3Client client = s3.client();
 * }
 * }</pre>
 */
public final class S3TestServer implements AutoCloseable {
  public static final String ACCESS_KEY = "intent-test-access";
  public static final String SECRET_KEY = "intent-test-secret";

  private final Path folder;
  private S3Proxy proxy;
  private int port;

  private S3TestServer(Path folder) {
    this.folder = folder;
  }

  public static S3TestServer start(Path folder) throws Exception {
    S3TestServer s = new S3TestServer(folder);
    s.startOn(0);
    return s;
  }

  private void startOn(int wanted) throws Exception {
    java.nio.file.Files.createDirectories(folder);
    proxy = S3Proxy.builder()
        .blobStore(new FilesystemNio2BlobStore(folder.toString()))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .endpoint(URI.create("http://127.0.0.1:" + wanted))
        .stopTimeout(0)
        .build();
    proxy.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    port = proxy.getPort();
  }

  /** Stops answering (connections are refused) until {@link #restart()}. */
  public void stop() throws Exception {
    proxy.stop();
  }

  /** Answers again on the same port, with the same objects. */
  public void restart() throws Exception {
    startOn(port);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Settings for the product's own client: this endpoint, path-style, a fixed region. */
  public S3Settings settings() {
    return new S3Settings(endpoint(), true, "us-east-1");
  }

  /** A client signed with this server's keys. */
  public S3Client client() {
    return client(List.of());
  }

  /** The same, with hooks that see each request the client sends. */
  public S3Client client(List<ExecutionInterceptor> interceptors) {
    return settings().client(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)), interceptors);
  }

  public void createBucket(String bucket) {
    try (S3Client c = client()) {
      c.createBucket(b -> b.bucket(bucket));
    }
  }

  /** System properties the SDK's default credential chain reads, for code that builds its own client. */
  public static Properties credentialProperties() {
    Properties p = new Properties();
    p.setProperty("aws.accessKeyId", ACCESS_KEY);
    p.setProperty("aws.secretAccessKey", SECRET_KEY);
    return p;
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
