package dev.intentinference.cli;

import dev.intentinference.deploy.S3Settings;
import java.net.URI;
import picocli.CommandLine.Option;

/** The options every command that talks to S3 shares (a picocli mixin). */
final class S3Options {
  @Option(names = "--s3-endpoint", paramLabel = "URL",
      description = "S3 API to use instead of AWS, e.g. http://127.0.0.1:9000 for MinIO or a Ceph gateway. Credentials "
          + "and region come from the standard AWS environment variables and profile files either way.")
  URI endpoint;

  @Option(names = "--s3-path-style", description = "Address buckets as http://host/bucket/key (MinIO, Ceph) instead "
      + "of http://bucket.host/key.")
  boolean pathStyle;

  @Option(names = "--s3-region", paramLabel = "REGION",
      description = "Region of the bucket (default: AWS_REGION or the profile's; us-east-1 with --s3-endpoint).")
  String region;

  S3Settings settings() {
    if (endpoint != null && (endpoint.getScheme() == null || !endpoint.getScheme().matches("https?") || endpoint.getHost() == null)) {
      throw new dev.intentinference.core.IntentException("--s3-endpoint must be an http(s) URL such as http://127.0.0.1:9000, was '" + endpoint + "'");
    }
    return new S3Settings(endpoint, pathStyle, region);
  }
}
