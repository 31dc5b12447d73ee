package dev.intentinference.deploy;

import java.net.URI;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import java.time.Duration;
import java.util.List;

/**
 * How to reach an S3 API. Credentials and region come from the standard AWS places (environment
 * variables, {@code ~/.aws/config} and {@code credentials}, instance roles); {@code endpoint}
 * and {@code pathStyle} point the client at other S3 APIs such as MinIO or Ceph.
 *
 * <pre>{@code
 * try (S3Client s3 = new S3Settings(URI.create("http://127.0.0.1:9000"), true, null).client()) { ... }
 * }</pre>
 *
 * @param endpoint the S3 API's address, or null for AWS
 * @param pathStyle {@code http://host/bucket/key} addressing instead of {@code http://bucket.host/key}
 * @param region the region, or null to take it from the environment (us-east-1 when none is set
 *     and an endpoint is given: other S3 APIs ignore it, but the signature needs one)
 */
public record S3Settings(URI endpoint, boolean pathStyle, String region) {
  public static final S3Settings AWS = new S3Settings(null, false, null);

  /** A client with the default credential chain. */
  public S3Client client() {
    return client(DefaultCredentialsProvider.builder().build());
  }

  /** A client with the given credentials. */
  public S3Client client(AwsCredentialsProvider credentials) {
    return client(credentials, List.of());
  }

  /** The same, with hooks that see every request (tests count what the mirror asks for). */
  S3Client client(AwsCredentialsProvider credentials, List<ExecutionInterceptor> interceptors) {
    ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder().apiCallTimeout(Duration.ofMinutes(10));
    interceptors.forEach(override::addExecutionInterceptor);
    S3ClientBuilder b = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(30)))
        .overrideConfiguration(override.build())
        .credentialsProvider(credentials)
        .forcePathStyle(pathStyle)
        // Other S3 APIs do not all know the SDK's default CRC checksums; our own SHA-256
        // metadata checks every artifact end to end.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .region(resolvedRegion());
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }

  private Region resolvedRegion() {
    if (region != null) {
      return Region.of(region);
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (RuntimeException e) {
      if (endpoint != null) {
        return Region.US_EAST_1;
      }
      throw new dev.intentinference.core.IntentException("no AWS region: set AWS_REGION or a region in ~/.aws/config");
    }
  }
}
