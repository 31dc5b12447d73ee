package dev.intentinference.deploy;

import dev.intentinference.core.IntentException;
import java.util.regex.Pattern;

/**
 * A place in a bucket: {@code s3://bucket/prefix}. The prefix has no leading or trailing slash
 * and may be empty (the bucket's root).
 *
 * <pre>{@code
 * S3Location at = S3Location.parse("s3://models/prod");
 * at.key("clinc150", "2", "clinc150-2.intent"); // "prod/clinc150/2/clinc150-2.intent"
 * }</pre>
 */
public record S3Location(String bucket, String prefix) {
  public static final String SCHEME = "s3://";
  // S3's own rule for bucket names (lower case, digits, dots, dashes; 3..63).
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  public S3Location {
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      throw new IntentException("bad S3 bucket name '" + bucket + "': 3 to 63 lower-case letters, digits, dots and dashes");
    }
    prefix = prefix == null ? "" : strip(prefix);
    for (String part : prefix.isEmpty() ? new String[0] : prefix.split("/")) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IntentException("bad S3 prefix '" + prefix + "': no empty, '.' or '..' parts");
      }
    }
  }

  /** Whether {@code text} looks like an S3 address rather than a local path. */
  public static boolean isS3(String text) {
    return text != null && text.startsWith(SCHEME);
  }

  /**
   * Parses {@code s3://bucket[/prefix]}.
   *
   * @throws IntentException naming the problem when it is not such an address
   */
  public static S3Location parse(String text) {
    if (!isS3(text)) {
      throw new IntentException("not an S3 address: '" + text + "'; expected s3://bucket/prefix");
    }
    String rest = text.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    return slash < 0 ? new S3Location(rest, "") : new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
  }

  /** The object key of {@code parts} under the prefix, joined with '/'. */
  public String key(String... parts) {
    String joined = String.join("/", parts);
    return prefix.isEmpty() ? joined : prefix + "/" + joined;
  }

  /** The key prefix that lists everything under this location ("" or "prefix/"). */
  public String listPrefix() {
    return prefix.isEmpty() ? "" : prefix + "/";
  }

  @Override
  public String toString() {
    return SCHEME + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }

  private static String strip(String p) {
    int from = 0;
    int to = p.length();
    while (from < to && p.charAt(from) == '/') {
      from++;
    }
    while (to > from && p.charAt(to - 1) == '/') {
      to--;
    }
    return p.substring(from, to);
  }
}
